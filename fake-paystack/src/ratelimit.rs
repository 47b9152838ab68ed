//! Paystack-style rate limiting: per key, fixed windows.
//!
//! A key's window opens at its first request and lasts
//! [`RateLimit::window`]; a request after it ends opens a new one. Within a
//! window a key may make `limit` requests (live keys `sk_live_…` and test
//! keys get separate limits); the next ones get 429 until the window ends.
//! A 429 does not consume quota.
//!
//! Paystack documents `x-ratelimit-reset` only as "a time in seconds
//! indicating when the current limit window ends": [`ResetFormat`] picks the
//! reading the fake sends, on every answer and on its 429 faults.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::time::Instant;

/// Rate-limit settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests per window for `sk_live_…` keys (Paystack: 600).
    pub live_limit: u32,
    /// Requests per window for every other key (Paystack test keys: 100).
    pub test_limit: u32,
    /// Window length (Paystack: 60 s).
    pub window: Duration,
    /// How `x-ratelimit-reset` says when the window ends.
    pub reset_format: ResetFormat,
}

/// The forms `x-ratelimit-reset` may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResetFormat {
    /// Whole seconds until the window ends, rounded up (`42`).
    #[default]
    Seconds,
    /// The window's end as a Unix time in whole seconds, rounded up
    /// (`1765000042`).
    UnixSeconds,
    /// The window's end as a Unix time in milliseconds (`1765000041500`).
    UnixMillis,
    /// The window's end as an HTTP date, rounded up to the second
    /// (`Sat, 06 Dec 2025 05:47:22 GMT`).
    HttpDate,
    /// Something that is no time at all (`soon`).
    Junk,
}

impl ResetFormat {
    /// Every form, in the order of the CLI's list.
    pub const ALL: [ResetFormat; 5] = [
        ResetFormat::Seconds,
        ResetFormat::UnixSeconds,
        ResetFormat::UnixMillis,
        ResetFormat::HttpDate,
        ResetFormat::Junk,
    ];

    /// The header's value for a window that ends `left` after `now`.
    pub fn header(self, left: Duration, now: DateTime<Utc>) -> String {
        let end_ms = now.timestamp_millis() + left.as_millis() as i64;
        let end_secs = end_ms.div_euclid(1000) + i64::from(end_ms.rem_euclid(1000) > 0);
        match self {
            ResetFormat::Seconds => {
                (left.as_secs() + u64::from(left.subsec_nanos() > 0)).to_string()
            }
            ResetFormat::UnixSeconds => end_secs.to_string(),
            ResetFormat::UnixMillis => end_ms.to_string(),
            ResetFormat::HttpDate => DateTime::from_timestamp(end_secs, 0)
                .unwrap_or(now)
                .format("%a, %d %b %Y %H:%M:%S GMT")
                .to_string(),
            ResetFormat::Junk => "soon".to_owned(),
        }
    }
}

impl fmt::Display for ResetFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ResetFormat::Seconds => "seconds",
            ResetFormat::UnixSeconds => "unix",
            ResetFormat::UnixMillis => "unix-ms",
            ResetFormat::HttpDate => "http-date",
            ResetFormat::Junk => "junk",
        })
    }
}

impl FromStr for ResetFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        ResetFormat::ALL
            .into_iter()
            .find(|f| f.to_string() == s)
            .ok_or_else(|| {
                format!(
                    "unknown reset format {s:?}: one of seconds, unix, unix-ms, http-date, junk"
                )
            })
    }
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit {
            live_limit: 600,
            test_limit: 100,
            window: Duration::from_secs(60),
            reset_format: ResetFormat::Seconds,
        }
    }
}

impl RateLimit {
    /// The limit that applies to `key`.
    pub fn limit_for(&self, key: &str) -> u32 {
        if key.starts_with("sk_live_") {
            self.live_limit
        } else {
            self.test_limit
        }
    }
}

/// The verdict for one request, with the values of the `x-ratelimit-*`
/// headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Whole seconds until the window ends (rounded up).
    pub reset_secs: u64,
    /// Until the window ends.
    pub left: Duration,
}

#[derive(Debug)]
pub(crate) struct Limiter {
    pub config: RateLimit,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Limiter {
    pub fn new(config: RateLimit) -> Self {
        Limiter {
            config,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request by `key` (unless it is refused).
    pub fn check(&self, key: &str) -> Verdict {
        let limit = self.config.limit_for(key);
        let now = Instant::now();
        let mut windows = self.windows.lock().expect("lock");
        let entry = windows.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.config.window {
            *entry = (now, 0);
        }
        let left = self.left(entry.0, now);
        if entry.1 >= limit {
            return Verdict::new(false, limit, 0, left);
        }
        entry.1 += 1;
        Verdict::new(true, limit, limit - entry.1, left)
    }

    /// The window of `key` as its next request would find it, without
    /// counting one or opening a window (what a transient 429 reports).
    pub fn peek(&self, key: &str) -> Verdict {
        let limit = self.config.limit_for(key);
        let now = Instant::now();
        let windows = self.windows.lock().expect("lock");
        let (opened, used) = match windows.get(key) {
            Some(&(opened, used)) if now.duration_since(opened) < self.config.window => {
                (opened, used)
            }
            _ => (now, 0),
        };
        Verdict::new(
            used < limit,
            limit,
            limit.saturating_sub(used),
            self.left(opened, now),
        )
    }

    /// Until the window opened at `opened` ends.
    fn left(&self, opened: Instant, now: Instant) -> Duration {
        self.config
            .window
            .saturating_sub(now.duration_since(opened))
    }
}

impl Verdict {
    /// A verdict whose window ends `left` from now.
    pub fn new(allowed: bool, limit: u32, remaining: u32, left: Duration) -> Self {
        Verdict {
            allowed,
            limit,
            remaining,
            reset_secs: left.as_secs() + u64::from(left.subsec_nanos() > 0),
            left,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn fixed_windows_per_key() {
        let l = Limiter::new(RateLimit {
            live_limit: 3,
            test_limit: 2,
            window: Duration::from_secs(60),
            ..RateLimit::default()
        });
        let v: Vec<bool> = (0..3).map(|_| l.check("sk_test_a").allowed).collect();
        assert_eq!(v, vec![true, true, false]);
        // Another key has its own window; live keys their own limit.
        let v: Vec<u32> = (0..4).map(|_| l.check("sk_live_b").remaining).collect();
        assert_eq!(v, vec![2, 1, 0, 0]);
        tokio::time::advance(Duration::from_millis(59_500)).await;
        let v = l.check("sk_test_a");
        assert!(!v.allowed);
        assert_eq!(v.reset_secs, 1);
        tokio::time::advance(Duration::from_millis(500)).await;
        let v = l.check("sk_test_a");
        assert!(v.allowed);
        assert_eq!((v.remaining, v.reset_secs), (1, 60));
    }

    #[tokio::test(start_paused = true)]
    async fn peeking_counts_nothing() {
        let l = Limiter::new(RateLimit {
            live_limit: 3,
            test_limit: 2,
            window: Duration::from_secs(60),
            ..RateLimit::default()
        });
        // No window yet: a fresh one, and peeking does not open it.
        let v = l.peek("sk_live_a");
        assert_eq!(
            (v.allowed, v.limit, v.remaining, v.reset_secs),
            (true, 3, 3, 60)
        );
        tokio::time::advance(Duration::from_secs(5)).await;
        assert_eq!(l.check("sk_live_a").remaining, 2);
        tokio::time::advance(Duration::from_millis(10_500)).await;
        let v = l.peek("sk_live_a");
        assert_eq!((v.remaining, v.reset_secs), (2, 50));
        assert_eq!(l.check("sk_live_a").remaining, 1);
        assert_eq!(l.check("sk_live_a").remaining, 0);
        let v = l.peek("sk_live_a");
        assert_eq!((v.allowed, v.remaining), (false, 0));
    }

    #[test]
    fn every_reset_format() {
        // 2025-12-06T05:46:40.250Z; the window ends 41.5 s later.
        let now = DateTime::from_timestamp_millis(1_765_000_000_250).unwrap();
        let left = Duration::from_millis(41_500);
        let sent: Vec<String> = ResetFormat::ALL
            .iter()
            .map(|f| f.header(left, now))
            .collect();
        assert_eq!(
            sent,
            [
                "42",
                "1765000042",
                "1765000041750",
                "Sat, 06 Dec 2025 05:47:22 GMT",
                "soon"
            ]
        );
        for f in ResetFormat::ALL {
            assert_eq!(f.to_string().parse::<ResetFormat>(), Ok(f));
        }
        assert!("hours".parse::<ResetFormat>().is_err());
    }
}
