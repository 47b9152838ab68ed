//! One request-rate limiter shared by every request of a run.
//!
//! - Requests start evenly spaced at the allowed rate (Paystack's documented
//!   limit for the key, or the user's `requests_per_minute`), so a sync runs
//!   at the limit without bursting past it.
//! - Paystack's `x-ratelimit-*` headers steer it: a lower `x-ratelimit-limit`
//!   lowers the rate; few requests `remaining` before the window `reset`s
//!   spreads them over what is left of the window (another client may be
//!   using the same key); none remaining pauses everybody until the reset.
//! - A 429 pauses everybody for the wait Paystack asks for and slows the
//!   pace by a quarter; successes win the speed back gradually.

use std::sync::Mutex;
use std::time::Duration;

use reqwest::header::HeaderMap;
use tokio::time::Instant;

/// Paces requests; see the module docs.
#[derive(Debug)]
pub struct RateLimiter {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// Time between two request starts at full speed; zero: unpaced.
    interval: Duration,
    /// Unpaced limiters (tests, benchmarks) ignore `x-ratelimit-limit`.
    paced: bool,
    /// Multiplier (at least 1) on `interval` after 429s.
    slowdown: f64,
    /// Interval that spreads the window's remaining requests, until `spread_until`.
    spread: Duration,
    spread_until: Instant,
    /// Earliest start of the next request.
    next_slot: Instant,
    /// Nobody starts before this.
    paused_until: Instant,
}

/// Largest slowdown after repeated 429s.
const MAX_SLOWDOWN: f64 = 4.0;

/// The remaining requests of a window are spread over it only when that is
/// this much slower than the pace.
const SPREAD_THRESHOLD: f64 = 1.25;

impl RateLimiter {
    /// A limiter allowing `per_minute` requests a minute. `None` is unpaced
    /// (tests and benchmarks): only 429s and an exhausted window hold it back.
    pub fn new(per_minute: Option<u32>) -> Self {
        let now = Instant::now();
        RateLimiter {
            inner: Mutex::new(Inner {
                interval: interval_for(per_minute),
                paced: per_minute.is_some(),
                slowdown: 1.0,
                spread: Duration::ZERO,
                spread_until: now,
                next_slot: now,
                paused_until: now,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits for this request's turn.
    ///
    /// The slot is claimed only when it is due, with the pace in force at
    /// that moment: requests that queue up while the pace is slow (a
    /// window about to reset) are not all held to that slow pace later.
    pub async fn acquire(&self) {
        loop {
            let wait_until = {
                let mut s = self.lock();
                let now = Instant::now();
                let due = s.next_slot.max(s.paused_until);
                if due <= now {
                    let mut step = s.interval.mul_f64(s.slowdown);
                    if now < s.spread_until && s.spread > step {
                        step = s.spread;
                    }
                    // Keep to the schedule (timer lateness does not add
                    // up), but do not bank slots missed while idle.
                    let base = if now - due > step { now } else { due };
                    s.next_slot = base + step;
                    return;
                }
                due
            };
            tokio::time::sleep_until(wait_until).await;
        }
    }

    /// A 429: hold every request back for `wait`, and slow down.
    pub fn rate_limited(&self, wait: Duration) {
        let mut s = self.lock();
        let until = Instant::now() + wait;
        if until > s.paused_until {
            s.paused_until = until;
        }
        s.slowdown = (s.slowdown * 1.25).min(MAX_SLOWDOWN);
    }

    /// A request got through: win back some of the speed lost to 429s.
    pub fn succeeded(&self) {
        let mut s = self.lock();
        if s.slowdown > 1.0 {
            s.slowdown = (s.slowdown - 0.02).max(1.0);
        }
    }

    /// Reads Paystack's `x-ratelimit-limit`, `-remaining` and `-reset`.
    pub fn observe(&self, headers: &HeaderMap) {
        let num = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|v| v.is_finite() && *v >= 0.0)
        };
        let mut s = self.lock();
        let now = Instant::now();
        if let Some(limit) = num("x-ratelimit-limit").filter(|l| *l >= 1.0 && s.paced) {
            // Never faster than the limit Paystack announces for a minute.
            let floor = Duration::from_secs_f64(60.0 / limit);
            if floor > s.interval {
                s.interval = floor;
            }
        }
        if let (Some(remaining), Some(reset)) =
            (num("x-ratelimit-remaining"), num("x-ratelimit-reset"))
        {
            let reset = Duration::from_secs_f64(reset.min(3600.0));
            if remaining < 1.0 {
                if now + reset > s.paused_until {
                    s.paused_until = now + reset;
                }
            } else {
                // Spread what remains only when it is clearly less than our
                // own pace would use (someone else shares the key): Paystack
                // rounds the reset up to whole seconds, so at our own pace
                // the spread is always a little wider than needed.
                let spread = reset.div_f64(remaining);
                if spread > s.interval.mul_f64(SPREAD_THRESHOLD) {
                    s.spread = spread;
                    s.spread_until = now + reset;
                }
            }
        }
    }

    /// The pacing interval at full speed (zero when unpaced).
    #[cfg(test)]
    pub fn interval(&self) -> Duration {
        self.lock().interval
    }
}

fn interval_for(per_minute: Option<u32>) -> Duration {
    match per_minute {
        Some(n) if n > 0 => Duration::from_secs(60) / n,
        _ => Duration::ZERO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    /// Paystack says `remaining` requests are left for `reset` seconds.
    fn left(l: &RateLimiter, remaining: &'static str, reset: &'static str) {
        l.observe(&headers(&[
            ("x-ratelimit-remaining", remaining),
            ("x-ratelimit-reset", reset),
        ]));
    }

    async fn gaps(l: &RateLimiter, n: usize) -> Vec<Duration> {
        let mut last = Instant::now();
        let mut out = vec![];
        for _ in 0..n {
            l.acquire().await;
            out.push(Instant::now() - last);
            last = Instant::now();
        }
        out
    }

    #[tokio::test(start_paused = true)]
    async fn requests_are_spaced_at_the_rate() {
        let l = RateLimiter::new(Some(600));
        // 600 a minute: one every 100 ms, the first at once.
        assert_eq!(
            gaps(&l, 4).await,
            [0, 100, 100, 100].map(Duration::from_millis)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn unpaced_until_told_to_back_off() {
        let l = RateLimiter::new(None);
        assert_eq!(gaps(&l, 2).await, [Duration::ZERO; 2]);
        l.rate_limited(Duration::from_secs(3));
        assert_eq!(gaps(&l, 1).await, [Duration::from_secs(3)]);
    }

    #[tokio::test(start_paused = true)]
    async fn an_exhausted_window_pauses_everyone_until_the_reset() {
        let l = RateLimiter::new(None);
        left(&l, "0", "9");
        assert_eq!(gaps(&l, 1).await, [Duration::from_secs(9)]);
    }

    #[tokio::test(start_paused = true)]
    async fn few_remaining_requests_are_spread_over_the_window() {
        let l = RateLimiter::new(Some(600));
        left(&l, "5", "10");
        // 5 left for 10 s: one every 2 s instead of every 100 ms.
        assert_eq!(
            gaps(&l, 3).await,
            [0, 2000, 2000].map(Duration::from_millis)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn our_own_pace_is_not_slowed_by_a_rounded_reset() {
        let l = RateLimiter::new(Some(600));
        // 300 left, reset rounded up to 31 s: 103 ms each, within our pace.
        left(&l, "300", "31");
        assert_eq!(gaps(&l, 3).await, [0, 100, 100].map(Duration::from_millis));
    }

    /// Requests queued while the pace was slow go at the normal pace once
    /// the slow spell is over.
    #[tokio::test(start_paused = true)]
    async fn a_slow_spell_does_not_stick_to_queued_requests() {
        let l = std::sync::Arc::new(RateLimiter::new(Some(600)));
        // 2 left for 2 s: one a second, until the window resets.
        left(&l, "2", "2");
        let t0 = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..6 {
            let l = l.clone();
            tasks.push(tokio::spawn(async move {
                l.acquire().await;
                Instant::now() - t0
            }));
        }
        let mut starts = Vec::new();
        for t in tasks {
            starts.push(t.await.unwrap());
        }
        starts.sort();
        // 0 and 1 s under the spread, then every 100 ms again.
        assert_eq!(
            starts,
            [0, 1000, 2000, 2100, 2200, 2300].map(Duration::from_millis)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_lower_announced_limit_lowers_the_rate() {
        let l = RateLimiter::new(Some(600));
        l.observe(&headers(&[("x-ratelimit-limit", "100")]));
        assert_eq!(l.interval(), Duration::from_millis(600));
        l.observe(&headers(&[("x-ratelimit-limit", "10000")]));
        assert_eq!(
            l.interval(),
            Duration::from_millis(600),
            "never faster than asked"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_slows_the_pace_and_successes_recover_it() {
        let l = RateLimiter::new(Some(600));
        l.rate_limited(Duration::ZERO);
        let g = gaps(&l, 3).await;
        assert_eq!(g[2], Duration::from_millis(125));
        for _ in 0..20 {
            l.succeeded();
        }
        let g = gaps(&l, 3).await;
        assert_eq!(g[2], Duration::from_millis(100));
    }
}
