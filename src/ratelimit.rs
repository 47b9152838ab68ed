//! One request-rate limiter shared by every request of a run.
//!
//! Requests are spaced evenly at the allowed rate (a sync running at
//! Paystack's documented limit never bursts past it), and everybody pauses
//! together when Paystack says the window is used up: on a 429, or when
//! `x-ratelimit-remaining` reaches zero.

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
    /// Time between two request starts; zero means no pacing.
    interval: Duration,
    /// Earliest start of the next request.
    next_slot: Instant,
    /// Nobody starts before this (set by 429s and an exhausted window).
    paused_until: Instant,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` requests a minute (`None`: unpaced).
    pub fn new(per_minute: Option<u32>) -> Self {
        let interval = match per_minute {
            Some(n) if n > 0 => Duration::from_secs(60) / n,
            _ => Duration::ZERO,
        };
        let now = Instant::now();
        RateLimiter {
            inner: Mutex::new(Inner {
                interval,
                next_slot: now,
                paused_until: now,
            }),
        }
    }

    /// Waits for this request's turn.
    pub async fn acquire(&self) {
        let at = {
            let mut s = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            let at = now.max(s.next_slot).max(s.paused_until);
            s.next_slot = at + s.interval;
            at
        };
        tokio::time::sleep_until(at).await;
    }

    /// Holds every request back for `wait` (after a 429).
    pub fn back_off(&self, wait: Duration) {
        let mut s = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let until = Instant::now() + wait;
        if until > s.paused_until {
            s.paused_until = until;
        }
    }

    /// Reads Paystack's `x-ratelimit-*` headers: when the window has no
    /// requests left, pause until it resets instead of earning a 429.
    pub fn observe(&self, headers: &HeaderMap) {
        let num = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<f64>().ok())
        };
        if let (Some(remaining), Some(reset)) =
            (num("x-ratelimit-remaining"), num("x-ratelimit-reset"))
        {
            if remaining <= 0.0 && reset > 0.0 && reset < 3600.0 {
                self.back_off(Duration::from_secs_f64(reset));
            }
        }
    }

    /// The pacing interval (zero when unpaced).
    pub fn interval(&self) -> Duration {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .interval
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[tokio::test(start_paused = true)]
    async fn requests_are_spaced_at_the_rate() {
        let l = RateLimiter::new(Some(600));
        let t0 = Instant::now();
        for _ in 0..5 {
            l.acquire().await;
        }
        // 600 a minute: one every 100 ms, the first at once.
        assert_eq!(Instant::now() - t0, Duration::from_millis(400));
    }

    #[tokio::test(start_paused = true)]
    async fn unpaced_until_told_to_back_off() {
        let l = RateLimiter::new(None);
        let t0 = Instant::now();
        l.acquire().await;
        l.acquire().await;
        assert_eq!(Instant::now(), t0);
        l.back_off(Duration::from_secs(3));
        l.acquire().await;
        assert_eq!(Instant::now() - t0, Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn an_exhausted_window_pauses_everyone() {
        let l = RateLimiter::new(None);
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-remaining", HeaderValue::from_static("5"));
        h.insert("x-ratelimit-reset", HeaderValue::from_static("9"));
        l.observe(&h);
        let t0 = Instant::now();
        l.acquire().await;
        assert_eq!(Instant::now(), t0, "requests left: no pause");
        h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        l.observe(&h);
        l.acquire().await;
        assert_eq!(Instant::now() - t0, Duration::from_secs(9));
    }
}
