//! One request-rate limiter shared by every request of a run.
//!
//! - Requests start evenly spaced at the allowed rate (Paystack's documented
//!   limit for the key, or the user's `requests_per_minute`), so a sync runs
//!   at the limit without bursting past it. Every request sent takes a slot,
//!   429s included: the pace never sends more than the allowed rate. Slots go
//!   first come, first served, so no stream is starved by a busier one.
//! - Paystack's `x-ratelimit-*` headers steer it (read in whatever form they
//!   come by [`crate::rate_headers`], a reset never further than the
//!   documented window; one that claims more is said once at WARN): a lower
//!   `x-ratelimit-limit` lowers the allowed rate (never raised back, never
//!   above the configured one); few requests `remaining` before the window
//!   `reset`s spreads them over what is left of the window (another client
//!   may be using the same key); none remaining pauses everybody until the
//!   reset.
//! - A 429 slows the pace: the limiter goes at a *share* of the allowed rate,
//!   which each 429 cuts and each success wins back, additively, up to the
//!   whole allowed rate (AIMD, as TCP does with its window). Two kinds of 429:
//!   - one that names a wait (`Retry-After`, or `x-ratelimit-remaining: 0`
//!     with the window's `x-ratelimit-reset`): the window is used up, so
//!     everybody pauses for that wait, and the share is cut by a fifth;
//!   - one that names none (the window still has room: `x-ratelimit-remaining`
//!     above 0; or no headers at all): a transient refusal, so nobody else
//!     pauses (the refused request alone backs off and retries) and the share
//!     is cut by a tenth. Waiting for the window's reset here would halt
//!     the whole sync for up to a minute per 429 while the window still has
//!     room.
//!
//!   The client tells which kind from
//!   [`crate::rate_headers::RateHeaders::server_wait`].
//!
//!   Each success wins back `WIN_BACK` of the allowed rate, so after an
//!   isolated 429 the pace is whole again within a few successes, and
//!   occasional refusals cost little of the rate. When 429s keep coming
//!   faster than the successes win the share back, the pace keeps falling,
//!   down to `MIN_SHARE` of the allowed rate, until the refusals stop;
//!   then it climbs back.
//! - When the pace is what holds the read back, the limiter says so, once per
//!   allowed rate: [`RateLimiter::acquire`] returns the [`Pace`] (the rate
//!   and where it comes from) when requests have waited for their slots back
//!   to back for [`PACED_AFTER`]. A few requests started at the same moment
//!   waiting microseconds for their slots, latency, a full request pool, or
//!   a pause after a 429 do not count: only a queue at the pace does.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::numbers::thousands;
use crate::rate_headers::{self, Form, RateHeaders, Wait};

/// Paystack's documented limits: 600 requests a minute for live keys, 100
/// for test keys.
pub const LIVE_REQUESTS_PER_MINUTE: u32 = 600;
pub const TEST_REQUESTS_PER_MINUTE: u32 = 100;

/// Where the allowed rate comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Paystack's documented limit for a test key.
    TestKey,
    /// Paystack's documented limit for a live key.
    LiveKey,
    /// `requests_per_minute` in the config (below the key's documented
    /// limit, or the key unknown).
    Config,
    /// `requests_per_minute` in the config, at or above `key_limit`,
    /// Paystack's documented limit for the key.
    ConfigAboveKey { key_limit: u32 },
    /// A lower limit Paystack announced (`x-ratelimit-limit`).
    Announced,
}

/// The allowed rate, and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    pub per_minute: u32,
    pub source: Source,
}

impl Pace {
    /// One sentence for the log: the rate, where it comes from, and how it
    /// can be changed.
    pub fn explain(&self) -> String {
        use self::{LIVE_REQUESTS_PER_MINUTE as LIVE, TEST_REQUESTS_PER_MINUTE as TEST};
        let n = self.per_minute;
        let (from, change) = match self.source {
            Source::TestKey => (
                "Paystack's documented limit for a test key".to_owned(),
                format!(
                    "Paystack's limits cannot be raised from our side (a live key allows {LIVE} \
                     a minute); requests_per_minute in the config sets another rate (a higher \
                     one only helps against a server that allows it, such as the fake Paystack)."
                ),
            ),
            Source::LiveKey => (
                "Paystack's documented limit for a live key".to_owned(),
                "Paystack's limits cannot be raised from our side; requests_per_minute in the \
                 config sets a lower rate."
                    .to_owned(),
            ),
            Source::Config => (
                "requests_per_minute in the config".to_owned(),
                format!(
                    "Raise requests_per_minute or remove it to go faster, up to Paystack's \
                     limit for the key ({LIVE} a minute for a live key, {TEST} for a test key)."
                ),
            ),
            Source::ConfigAboveKey { key_limit } => {
                let key = if key_limit == LIVE { "live" } else { "test" };
                if n <= key_limit {
                    (
                        format!(
                            "requests_per_minute in the config, Paystack's documented limit for \
                             a {key} key"
                        ),
                        "Paystack's limits cannot be raised from our side; a higher \
                         requests_per_minute only helps against a server that allows it, such as \
                         the fake Paystack."
                            .to_owned(),
                    )
                } else {
                    (
                        format!(
                            "requests_per_minute in the config, above Paystack's documented limit \
                             for a {key} key ({key_limit} a minute)"
                        ),
                        format!(
                            "Against Paystack this brings 429 answers, which slow the read; a \
                             server that allows it, such as the fake Paystack, goes faster with a \
                             higher requests_per_minute. Removing requests_per_minute would not \
                             go faster: it paces at the key's {key_limit} a minute."
                        ),
                    )
                }
            }
            Source::Announced => (
                "the limit Paystack announces for this key (x-ratelimit-limit)".to_owned(),
                format!(
                    "Paystack's limits cannot be raised from our side (a live key normally \
                     allows {LIVE} a minute); the connector never goes faster than Paystack \
                     announces."
                ),
            ),
        };
        format!(
            "The rate limit sets the pace of this read: {n} requests a minute, {from}. {change}"
        )
    }
}

/// Short, for the progress display: `100 requests/min (test key's
/// documented limit)`.
impl fmt::Display for Pace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let from = match self.source {
            Source::TestKey => "test key's documented limit",
            Source::LiveKey => "live key's documented limit",
            Source::Config | Source::ConfigAboveKey { .. } => "requests_per_minute in the config",
            Source::Announced => "Paystack's announced x-ratelimit-limit",
        };
        write!(
            f,
            "{} requests/min ({from})",
            thousands(self.per_minute.into())
        )
    }
}

/// Requests must have queued at the pace for this long, back to back,
/// before the limiter reports that the pace holds the read back.
pub const PACED_AFTER: Duration = Duration::from_secs(1);

/// Paces requests; see the module docs.
#[derive(Debug)]
pub struct RateLimiter {
    inner: Mutex<Inner>,
    /// The requests waiting for a slot, first come, first served: only the
    /// first of them sleeps to the next slot (tokio's mutex is fair).
    queue: tokio::sync::Mutex<()>,
}

#[derive(Debug)]
struct Inner {
    /// Time between two request starts at the allowed rate; zero: unpaced.
    interval: Duration,
    /// Unpaced limiters (tests, benchmarks) ignore `x-ratelimit-limit`.
    paced: bool,
    /// The share of the allowed rate to go at, in `[MIN_SHARE, 1]`: cut by
    /// 429s, won back by successes.
    share: f64,
    /// Interval that spreads the window's remaining requests, until `spread_until`.
    spread: Duration,
    spread_until: Instant,
    /// Earliest start of the next request.
    next_slot: Instant,
    /// Nobody starts before this.
    paused_until: Instant,
    /// The allowed rate and its source (`None`: unpaced).
    pace: Option<Pace>,
    /// Whether `next_slot` was set by the pace (not by a spread of
    /// Paystack's remaining requests).
    slot_by_pace: bool,
    /// Since when requests have waited for their slots at the pace, back
    /// to back (`None`: the last one did not).
    queued_since: Option<Instant>,
    /// The pace last reported by [`RateLimiter::acquire`].
    reported: Option<Pace>,
    /// Whether a reset, or a `Retry-After`, longer than believed was said.
    told_reset: bool,
    told_retry_after: bool,
}

/// The slowest pace 429s bring the limiter to: a quarter of the allowed rate.
const MIN_SHARE: f64 = 0.25;

/// A 429 that names a wait (the window is used up) cuts the share by a fifth.
const CUT_USED_UP: f64 = 0.8;

/// A 429 that names no wait (the window has room) cuts it by a tenth.
const CUT_TRANSIENT: f64 = 0.9;

/// Each success wins back this much of the allowed rate.
const WIN_BACK: f64 = 0.02;

/// The remaining requests of a window are spread over it only when that is
/// this much slower than the pace.
const SPREAD_THRESHOLD: f64 = 1.25;

impl RateLimiter {
    /// A limiter allowing `per_minute` requests a minute, set by the config.
    /// `None` is unpaced (tests and benchmarks): only 429s and an exhausted
    /// window hold it back.
    pub fn new(per_minute: Option<u32>) -> Self {
        RateLimiter::from_source(per_minute, Source::Config)
    }

    /// A limiter allowing `per_minute` requests a minute, a rate that comes
    /// from `source`.
    pub fn from_source(per_minute: Option<u32>, source: Source) -> Self {
        let now = Instant::now();
        RateLimiter {
            queue: tokio::sync::Mutex::new(()),
            inner: Mutex::new(Inner {
                interval: interval_for(per_minute),
                paced: per_minute.is_some(),
                share: 1.0,
                spread: Duration::ZERO,
                spread_until: now,
                next_slot: now,
                paused_until: now,
                pace: per_minute
                    .filter(|n| *n > 0)
                    .map(|per_minute| Pace { per_minute, source }),
                slot_by_pace: false,
                queued_since: None,
                reported: None,
                told_reset: false,
                told_retry_after: false,
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
    ///
    /// Returns the [`Pace`] when the pace has been holding requests back
    /// (see the module docs), once for each pace: the caller tells the user.
    pub async fn acquire(&self) -> Option<Pace> {
        // In line behind the requests that asked before this one: otherwise
        // every waiter sleeps to the same slot and whichever the runtime
        // wakes first takes it, so a stream that keeps asking can starve
        // the ones that asked long ago.
        let _turn = self.queue.lock().await;
        // Whether this request waited for a slot set by the pace.
        let mut held = false;
        loop {
            let wait_until = {
                let mut s = self.lock();
                let now = Instant::now();
                let due = s.next_slot.max(s.paused_until);
                if due <= now {
                    let mut step = s.interval.div_f64(s.share);
                    let mut by_pace = !step.is_zero();
                    if now < s.spread_until && s.spread > step {
                        step = s.spread;
                        by_pace = false;
                    }
                    s.slot_by_pace = by_pace;
                    // Keep to the schedule (timer lateness does not add
                    // up), but do not bank slots missed while idle.
                    let base = if now - due > step { now } else { due };
                    s.next_slot = base + step;
                    return s.held_back(held, now);
                }
                if !held && s.slot_by_pace && s.next_slot >= s.paused_until {
                    held = true;
                    s.queued_since.get_or_insert(now);
                }
                due
            };
            tokio::time::sleep_until(wait_until).await;
        }
    }

    /// The allowed rate and where it comes from (`None`: unpaced).
    pub fn pace(&self) -> Option<Pace> {
        self.lock().pace
    }

    /// The pace, once for each pace, when it has held requests back.
    #[cfg(test)]
    fn reported(&self) -> Option<Pace> {
        self.lock().reported
    }

    /// A 429. `wait` is `Some` when the answer named a wait (`Retry-After`,
    /// or a used-up window's reset): every request holds back that long and
    /// the pace is cut by a fifth. `None` (the window still has room, or the
    /// answer said nothing): a transient refusal; only the pace is cut, by a
    /// tenth, and the refused request backs off on its own.
    pub fn rate_limited(&self, wait: Option<Duration>) {
        let mut s = self.lock();
        let cut = match wait {
            Some(wait) => {
                let until = Instant::now() + wait;
                if until > s.paused_until {
                    s.paused_until = until;
                }
                CUT_USED_UP
            }
            None => CUT_TRANSIENT,
        };
        s.share = (s.share * cut).max(MIN_SHARE);
    }

    /// A request got through: win back some of the pace lost to 429s.
    pub fn succeeded(&self) {
        let mut s = self.lock();
        s.share = (s.share + WIN_BACK).min(1.0);
    }

    /// Steers the pace by Paystack's rate headers of one answer
    /// ([`RateHeaders`]): `x-ratelimit-limit`, `-remaining` and `-reset`.
    /// A reset or `Retry-After` that asked for more than is believed is
    /// said at WARN, once per run for each header.
    pub fn observe(&self, rate: &RateHeaders) {
        let mut guard = self.lock();
        let s = &mut *guard;
        for (header, wait, told) in [
            ("x-ratelimit-reset", &rate.reset, &mut s.told_reset),
            ("Retry-After", &rate.retry_after, &mut s.told_retry_after),
        ] {
            if let Some(w) = wait.as_ref().filter(|w| w.asked.is_some()) {
                if !*told {
                    *told = true;
                    tracing::warn!("{}", disbelieved(header, w));
                }
            }
        }
        let now = Instant::now();
        if let Some(limit) = rate.limit.filter(|_| s.paced) {
            // Never faster than the limit Paystack announces for a minute.
            let floor = Duration::from_secs_f64(60.0 / limit);
            if floor > s.interval {
                s.interval = floor;
            }
            if let Some(pace) = s.pace.as_mut().filter(|p| limit < f64::from(p.per_minute)) {
                *pace = Pace {
                    per_minute: limit.round() as u32,
                    source: Source::Announced,
                };
            }
        }
        if let (Some(remaining), Some(reset)) = (rate.remaining, &rate.reset) {
            let reset = reset.wait;
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

    /// The pacing interval at the allowed rate (zero when unpaced).
    #[cfg(test)]
    pub fn interval(&self) -> Duration {
        self.lock().interval
    }

    /// The share of the allowed rate the limiter goes at now (1: all of it).
    #[cfg(test)]
    pub fn share(&self) -> f64 {
        self.lock().share
    }
}

impl Inner {
    /// A request claims its slot at `now`; `held`: it waited for a slot set
    /// by the pace. The pace, if requests have queued at it for
    /// [`PACED_AFTER`] and it was not reported yet.
    fn held_back(&mut self, held: bool, now: Instant) -> Option<Pace> {
        if !held {
            self.queued_since = None;
            return None;
        }
        let since = *self.queued_since.get_or_insert(now);
        if now - since < PACED_AFTER || self.pace == self.reported {
            return None;
        }
        self.reported = self.pace;
        self.pace
    }
}

/// The WARN for a `header` that asked for a longer wait than is believed.
fn disbelieved(header: &str, w: &Wait) -> String {
    let asked = rate_headers::human(w.asked.unwrap_or(w.wait));
    let cap = rate_headers::human(w.wait);
    let read_as = match w.form {
        Form::Seconds => String::new(),
        form => format!(" (read as {form})"),
    };
    let beyond = if header == "Retry-After" {
        format!("longer than the {cap} a rate limit is waited for")
    } else {
        format!("longer than its documented {cap} window")
    };
    format!(
        "Paystack's {header} '{}'{read_as} means a wait of {asked}, {beyond}: waiting {cap} \
         at most instead. Nothing to do unless the sync keeps being refused (HTTP 429); then \
         lower requests_per_minute in the config, and tell Paystack support about the header.",
        w.raw
    )
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
    use crate::testing::warnings;
    use reqwest::header::{HeaderMap, HeaderValue};

    /// The rate headers of an answer with these headers, received now.
    fn headers(pairs: &[(&str, &str)]) -> RateHeaders {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                reqwest::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        RateHeaders::read(&h, chrono::Utc::now())
    }

    /// Paystack says `remaining` requests are left for `reset` seconds.
    fn left(l: &RateLimiter, remaining: &str, reset: &str) {
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

    /// Slots go first come, first served: a stream whose request has waited
    /// longest is not passed over by one that keeps sending new requests
    /// (otherwise streams early in the catalog could get no page for half a
    /// minute while later ones are read to their end). Real time, two threads,
    /// as in a read: one slot every 100 ms, so that a task woken late on a
    /// busy machine still records its turn before the next slot.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn slots_go_to_the_requests_that_waited_longest() {
        use std::future::Future;
        use std::sync::Arc;
        let l = Arc::new(RateLimiter::new(Some(600)));
        let order = Arc::new(Mutex::new(Vec::new()));
        // A request that has asked for its slot (polled once), then waits.
        let queue = |who: u32| {
            let (l, order) = (l.clone(), order.clone());
            let (queued, is_queued) = tokio::sync::oneshot::channel();
            let task = tokio::spawn(async move {
                let mut slot = std::pin::pin!(l.acquire());
                let first = std::future::poll_fn(|cx| {
                    std::task::Poll::Ready(slot.as_mut().poll(cx).is_ready())
                })
                .await;
                let _ = queued.send(());
                if !first {
                    slot.await;
                }
                order.lock().unwrap().push(who);
            });
            (task, is_queued)
        };
        let mut waiting = Vec::new();
        for i in 0..7 {
            let (task, queued) = queue(i);
            queued.await.unwrap();
            waiting.push(task);
        }
        // A busy stream then asks again and again: a new request as soon as
        // the one before got its slot.
        let busy = {
            let l = l.clone();
            let order = order.clone();
            tokio::spawn(async move {
                for _ in 0..50 {
                    l.acquire().await;
                    order.lock().unwrap().push(100);
                }
            })
        };
        for t in waiting {
            t.await.unwrap();
        }
        busy.abort();
        let order = order.lock().unwrap().clone();
        let waited: Vec<u32> = order.iter().copied().filter(|&i| i < 100).collect();
        assert_eq!(
            waited,
            (0..7).collect::<Vec<_>>(),
            "in arrival order: {order:?}"
        );
        let last = order.iter().position(|&i| i == 6).unwrap();
        assert!(
            order[..last].iter().filter(|&&i| i == 100).count() <= 1,
            "the busy stream took the slots of those waiting: {order:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn unpaced_until_told_to_back_off() {
        let l = RateLimiter::new(None);
        assert_eq!(gaps(&l, 2).await, [Duration::ZERO; 2]);
        l.rate_limited(Some(Duration::from_secs(3)));
        assert_eq!(gaps(&l, 1).await, [Duration::from_secs(3)]);
        // A transient 429 leaves it unpaced.
        l.rate_limited(None);
        assert_eq!(gaps(&l, 2).await, [Duration::ZERO; 2]);
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

    /// What happened to one request.
    #[derive(Clone, Copy, PartialEq)]
    enum Answer {
        /// Answered 200.
        Served,
        /// A 429 while the window has room.
        Transient,
        /// A 429 naming a wait of this many ms.
        UsedUp(u64),
    }
    use Answer::*;

    /// Sends one request per answer, one after another, each through the
    /// limiter, and tells it each answer. Returns the time from the first
    /// start to the last, and the requests answered 200 per minute over it.
    async fn simulate(l: &RateLimiter, answers: &[Answer]) -> (Duration, f64) {
        let t0 = Instant::now();
        let mut last = t0;
        for a in answers {
            l.acquire().await;
            last = Instant::now();
            match a {
                Served => l.succeeded(),
                Transient => l.rate_limited(None),
                UsedUp(ms) => l.rate_limited(Some(Duration::from_millis(*ms))),
            }
        }
        let took = last - t0;
        let ok = answers.iter().filter(|a| **a == Served).count() as f64;
        (took, ok / took.as_secs_f64() * 60.0)
    }

    /// `n` answers, each a transient 429 with probability `p` (seeded).
    fn random_answers(n: usize, p: f64, seed: u64) -> Vec<Answer> {
        let mut rng = fastrand::Rng::with_seed(seed);
        (0..n)
            .map(|_| if rng.f64() < p { Transient } else { Served })
            .collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[tokio::test(start_paused = true)]
    async fn a_transient_429_slows_the_pace_a_little_and_holds_no_one_back() {
        let l = RateLimiter::new(Some(600));
        gaps(&l, 1).await;
        l.rate_limited(None);
        assert!(close(l.share(), 0.9));
        // No pause: the next start is due on the old schedule, then at
        // 90% of the rate (100 ms / 0.9).
        let g = gaps(&l, 2).await;
        assert_eq!(g[0], Duration::from_millis(100));
        // (Paused time wakes timers on whole milliseconds.)
        assert!(
            (111_111..=112_000).contains(&g[1].as_micros()),
            "{:?}",
            g[1]
        );
        // Five successes win it all back.
        for _ in 0..5 {
            l.succeeded();
        }
        assert!(close(l.share(), 1.0));
        assert_eq!(gaps(&l, 2).await[1], Duration::from_millis(100));
    }

    #[tokio::test(start_paused = true)]
    async fn a_used_up_window_pauses_everyone_and_cuts_the_pace_more() {
        let l = RateLimiter::new(Some(600));
        gaps(&l, 1).await;
        l.rate_limited(Some(Duration::from_secs(2)));
        assert!(close(l.share(), 0.8));
        let g = gaps(&l, 2).await;
        assert_eq!(g[0], Duration::from_secs(2), "everybody waits");
        assert_eq!(g[1], Duration::from_millis(125));
        for _ in 0..9 {
            l.succeeded();
        }
        assert!(l.share() < 1.0);
        l.succeeded();
        assert!(close(l.share(), 1.0), "ten successes win it back");
    }

    /// Paystack refuses one request in twenty at random,
    /// announcing the key's own limit. The pace comes back after each 429,
    /// so requests answered 200 keep to at least 90% of the allowed rate
    /// (the 429s take their slots too: 95% is the most there is).
    #[tokio::test(start_paused = true)]
    async fn isolated_429s_leave_at_least_90_percent_of_the_announced_rate() {
        for (configured, announced) in [(600, "600"), (100, "100"), (600, "100")] {
            let l = RateLimiter::new(Some(configured));
            l.observe(&headers(&[("x-ratelimit-limit", announced)]));
            let allowed: f64 = announced.parse().unwrap();
            // Every 20th refused, and 5% at random.
            let every_20th: Vec<Answer> = (1..=2000)
                .map(|i| if i % 20 == 0 { Transient } else { Served })
                .collect();
            for answers in [every_20th, random_answers(2000, 0.05, 7)] {
                let (_, per_minute) = simulate(&l, &answers).await;
                let refused = answers.iter().filter(|a| **a == Transient).count();
                let most = allowed * (2000 - refused) as f64 / 2000.0;
                assert!(
                    per_minute >= 0.9 * allowed && per_minute <= most * 1.001,
                    "{configured}/{announced}: {per_minute:.1} a minute answered 200 \
                     (at most {most:.1}), {refused} refused"
                );
            }
            // Ten successes after an isolated 429 of either kind, the pace
            // is whole again.
            for refused in [Transient, UsedUp(0)] {
                simulate(&l, &[refused]).await;
                simulate(&l, &[Served; 10]).await;
                assert!(close(l.share(), 1.0));
            }
            assert_eq!(
                gaps(&l, 2).await[1],
                Duration::from_secs(60).div_f64(allowed),
                "{configured}/{announced}: the announced rate, not more"
            );
        }
    }

    /// When 429s keep coming, the pace keeps falling, to a quarter of the
    /// allowed rate, and comes back once they stop.
    #[tokio::test(start_paused = true)]
    async fn a_sustained_429_storm_keeps_backing_off() {
        for storm in [Transient, UsedUp(0)] {
            let l = RateLimiter::new(Some(600));
            let mut shares = vec![l.share()];
            for _ in 0..20 {
                simulate(&l, &[storm]).await;
                shares.push(l.share());
            }
            assert!(
                shares.windows(2).all(|w| w[1] < w[0] || w[1] == MIN_SHARE),
                "every 429 slows it until the floor: {shares:?}"
            );
            assert_eq!(l.share(), MIN_SHARE);
            assert_eq!(gaps(&l, 2).await[1], Duration::from_millis(400));
            // Successes bring it back, 2% of the rate each.
            simulate(&l, &[Served; 37]).await;
            assert!(l.share() < 1.0);
            simulate(&l, &[Served]).await;
            assert!(close(l.share(), 1.0));
        }
        // One request in two refused: the pace stays at the floor. One in
        // three: well under half the rate. One in ten: about the whole of it.
        for (p, low, high) in [(0.5, 0.25, 0.32), (1.0 / 3.0, 0.25, 0.45), (0.1, 0.85, 1.0)] {
            let l = RateLimiter::new(Some(600));
            let answers: Vec<Answer> = random_answers(3000, p, 11);
            let (took, _) = simulate(&l, &answers).await;
            let pace = answers.len() as f64 / took.as_secs_f64() / 10.0;
            assert!(
                (low..=high).contains(&pace),
                "{p}: all requests at {:.0}% of the allowed rate",
                pace * 100.0
            );
        }
    }

    /// Sends `n` requests one after another through `l`, each `think`
    /// after the previous one started; what `acquire` reported, and when.
    async fn reports(l: &RateLimiter, n: usize, think: Duration) -> Vec<(Pace, Duration)> {
        let t0 = Instant::now();
        let mut out = vec![];
        for _ in 0..n {
            if let Some(pace) = l.acquire().await {
                out.push((pace, Instant::now() - t0));
            }
            tokio::time::sleep(think).await;
        }
        out
    }

    /// The advice of a configured pace follows the key's documented
    /// limit: below it, raise or remove; at it, nothing to gain from
    /// Paystack; above it, 429s from Paystack and removing it is slower.
    #[test]
    fn the_advice_for_a_configured_pace_follows_the_keys_limit() {
        let explain = |per_minute, source| Pace { per_minute, source }.explain();
        let below = explain(50, Source::Config);
        assert!(
            below.contains("Raise requests_per_minute or remove it"),
            "{below}"
        );
        let at = explain(
            100,
            Source::ConfigAboveKey {
                key_limit: TEST_REQUESTS_PER_MINUTE,
            },
        );
        assert_eq!(
            at,
            "The rate limit sets the pace of this read: 100 requests a minute, \
             requests_per_minute in the config, Paystack's documented limit for a test key. \
             Paystack's limits cannot be raised from our side; a higher requests_per_minute only \
             helps against a server that allows it, such as the fake Paystack."
        );
        let above = explain(
            100_000,
            Source::ConfigAboveKey {
                key_limit: TEST_REQUESTS_PER_MINUTE,
            },
        );
        assert_eq!(
            above,
            "The rate limit sets the pace of this read: 100000 requests a minute, \
             requests_per_minute in the config, above Paystack's documented limit for a test key \
             (100 a minute). Against Paystack this brings 429 answers, which slow the read; a \
             server that allows it, such as the fake Paystack, goes faster with a higher \
             requests_per_minute. Removing requests_per_minute would not go faster: it paces at \
             the key's 100 a minute."
        );
        assert!(!above.contains("remove it to go faster"), "{above}");
        let live = explain(
            1000,
            Source::ConfigAboveKey {
                key_limit: LIVE_REQUESTS_PER_MINUTE,
            },
        );
        assert!(
            live.contains("limit for a live key (600 a minute)"),
            "{live}"
        );
        assert_eq!(
            Pace {
                per_minute: 1000,
                source: Source::ConfigAboveKey { key_limit: 600 }
            }
            .to_string(),
            "1,000 requests/min (requests_per_minute in the config)"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_pace_is_reported_once_it_holds_requests_back_and_again_when_it_changes() {
        let l = RateLimiter::from_source(Some(100), Source::TestKey);
        let test_key = Pace {
            per_minute: 100,
            source: Source::TestKey,
        };
        // The first request goes at once; the second queues from 0 to
        // 0.6 s, the third to 1.2 s: a second of queueing, reported then,
        // and only then.
        assert_eq!(
            reports(&l, 10, Duration::ZERO).await,
            [(test_key, Duration::from_millis(1200))]
        );
        assert_eq!(l.reported(), Some(test_key));
        // Paystack announces a lower limit: one more report, naming it.
        l.observe(&headers(&[("x-ratelimit-limit", "50")]));
        let announced = Pace {
            per_minute: 50,
            source: Source::Announced,
        };
        let r = reports(&l, 5, Duration::ZERO).await;
        assert_eq!(r.iter().map(|(p, _)| *p).collect::<Vec<_>>(), [announced]);
        // The same limit announced again, or a higher one: nothing new.
        l.observe(&headers(&[("x-ratelimit-limit", "600")]));
        assert_eq!(reports(&l, 5, Duration::ZERO).await, []);
        // Requests in parallel queue the same way.
        let l = std::sync::Arc::new(RateLimiter::from_source(Some(600), Source::LiveKey));
        let t0 = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let l = l.clone();
            tasks.push(tokio::spawn(async move {
                l.acquire().await.map(|p| (p, Instant::now() - t0))
            }));
        }
        let mut seen = vec![];
        for t in tasks {
            seen.extend(t.await.unwrap());
        }
        let live = Pace {
            per_minute: 600,
            source: Source::LiveKey,
        };
        assert_eq!(seen, [(live, Duration::from_millis(1000))]);
    }

    #[tokio::test(start_paused = true)]
    async fn no_report_when_something_else_holds_requests_back() {
        // Unpaced: a 429's pause holds everyone, and that is not the pace.
        let l = RateLimiter::new(None);
        l.rate_limited(Some(Duration::from_secs(3)));
        assert_eq!(reports(&l, 5, Duration::ZERO).await, []);
        // Latency (or a full pool) spaces requests wider than the pace.
        let l = RateLimiter::from_source(Some(600), Source::LiveKey);
        assert_eq!(reports(&l, 30, Duration::from_millis(150)).await, []);
        // Requests that start together wait microseconds for their slots
        // at a pace they never keep up with.
        let l = std::sync::Arc::new(RateLimiter::new(Some(60_000_000)));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let l = l.clone();
            tasks.push(tokio::spawn(async move { l.acquire().await }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), None);
        }
        // A pause after a 429 is not the pace either, nor is a spread of
        // the window's last requests (another client uses the key).
        let l = RateLimiter::from_source(Some(600), Source::LiveKey);
        l.acquire().await;
        l.rate_limited(Some(Duration::from_secs(5)));
        assert_eq!(reports(&l, 1, Duration::ZERO).await, []);
        left(&l, "3", "6");
        assert_eq!(reports(&l, 3, Duration::ZERO).await, []);
        assert_eq!(l.reported(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_slows_the_pace_and_successes_recover_it() {
        let l = RateLimiter::new(Some(600));
        l.rate_limited(Some(Duration::ZERO));
        let g = gaps(&l, 3).await;
        assert_eq!(g[2], Duration::from_millis(125));
        for _ in 0..10 {
            l.succeeded();
        }
        let g = gaps(&l, 3).await;
        assert_eq!(g[2], Duration::from_millis(100));
    }

    /// `x-ratelimit-reset` `secs` from now, in each form Paystack may send.
    fn reset_forms(secs: i64) -> Vec<(&'static str, String)> {
        let at = chrono::Utc::now() + chrono::Duration::seconds(secs);
        vec![
            ("seconds", secs.to_string()),
            ("unix seconds", at.timestamp().to_string()),
            ("unix ms", at.timestamp_millis().to_string()),
            (
                "http date",
                at.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
            ),
        ]
    }

    /// 500 of 600 left until the window ends, in any form: our own pace,
    /// not 500 spread over an hour.
    #[tokio::test(start_paused = true)]
    async fn a_window_with_room_keeps_our_pace_whatever_the_form_of_its_reset() {
        for (form, reset) in reset_forms(60) {
            let l = RateLimiter::new(Some(600));
            l.observe(&headers(&[
                ("x-ratelimit-limit", "600"),
                ("x-ratelimit-remaining", "500"),
                ("x-ratelimit-reset", &reset),
            ]));
            assert_eq!(
                gaps(&l, 3).await,
                [0, 100, 100].map(Duration::from_millis),
                "{form}: {reset}"
            );
        }
    }

    /// None left: everybody waits until the window ends, read from any form
    /// (a date has whole seconds: up to a second less), never longer.
    #[tokio::test(start_paused = true)]
    async fn a_used_up_window_pauses_until_its_end_whatever_the_form_of_its_reset() {
        for (form, reset) in reset_forms(9) {
            let l = RateLimiter::new(Some(600));
            left(&l, "0", &reset);
            let g = gaps(&l, 1).await[0];
            assert!(
                g > Duration::from_millis(7500) && g <= Duration::from_secs(9),
                "{form}: {reset}: waited {g:?}"
            );
        }
        // An hour away, in any form: a window at most.
        for (form, reset) in reset_forms(3600) {
            let l = RateLimiter::new(Some(600));
            left(&l, "0", &reset);
            assert_eq!(gaps(&l, 1).await, [rate_headers::WINDOW], "{form}: {reset}");
        }
        // Junk: no pause.
        let l = RateLimiter::new(Some(600));
        left(&l, "0", "whenever");
        assert_eq!(gaps(&l, 1).await, [Duration::ZERO]);
    }

    #[test]
    fn a_wait_longer_than_believed_is_said_once_per_run_with_the_header() {
        let l = RateLimiter::new(Some(600));
        let huge_ms = (chrono::Utc::now() + chrono::Duration::seconds(11_530))
            .timestamp_millis()
            .to_string();
        let logged = warnings(|| {
            for _ in 0..3 {
                left(&l, "0", &huge_ms);
                l.observe(&headers(&[("retry-after", "900")]));
                left(&l, "0", "30");
            }
        });
        assert_eq!(logged.len(), 2, "{logged:#?}");
        assert_eq!(
            logged[0],
            format!(
                "WARN Paystack's x-ratelimit-reset '{huge_ms}' (read as a Unix time in \
                 milliseconds) means a wait of 3 h 12 min, longer than its documented 60 s \
                 window: waiting 60 s at most instead. Nothing to do unless the sync keeps \
                 being refused (HTTP 429); then lower requests_per_minute in the config, and \
                 tell Paystack support about the header."
            )
        );
        assert!(
            logged[1].starts_with(
                "WARN Paystack's Retry-After '900' means a wait of 15 min, longer than the \
                 2 min a rate limit is waited for: waiting 2 min at most instead."
            ),
            "{}",
            logged[1]
        );
        // A new run (a new limiter) says it again.
        let again = RateLimiter::new(Some(600));
        assert_eq!(warnings(|| left(&again, "0", &huge_ms)).len(), 1);
    }
}
