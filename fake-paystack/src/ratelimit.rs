//! Paystack-style rate limiting: per key, fixed windows.
//!
//! A key's window opens at its first request and lasts
//! [`RateLimit::window`]; a request after it ends opens a new one. Within a
//! window a key may make `limit` requests (live keys `sk_live_…` and test
//! keys get separate limits); the next ones get 429 until the window ends.
//! A 429 does not consume quota.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

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
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit {
            live_limit: 600,
            test_limit: 100,
            window: Duration::from_secs(60),
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
        let reset_secs = self.reset_secs(entry.0, now);
        if entry.1 >= limit {
            return Verdict {
                allowed: false,
                limit,
                remaining: 0,
                reset_secs,
            };
        }
        entry.1 += 1;
        Verdict {
            allowed: true,
            limit,
            remaining: limit - entry.1,
            reset_secs,
        }
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
        Verdict {
            allowed: used < limit,
            limit,
            remaining: limit.saturating_sub(used),
            reset_secs: self.reset_secs(opened, now),
        }
    }

    /// Whole seconds until the window opened at `opened` ends, rounded up.
    fn reset_secs(&self, opened: Instant, now: Instant) -> u64 {
        let left = self
            .config
            .window
            .saturating_sub(now.duration_since(opened));
        left.as_secs() + u64::from(left.subsec_nanos() > 0)
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
}
