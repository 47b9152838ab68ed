//! How long to wait before another attempt: one pure function,
//! [`RetryPolicy::decide`], tested without a network. *Whether* an error is
//! worth another attempt, and from which budget, is decided by
//! [`Error::meaning`] (the one place that gives answers their meaning); this
//! module only counts attempts and computes delays:
//!
//! - A rate limit waits as long as the server says (`Retry-After`, else
//!   Paystack's `x-ratelimit-reset` when no request of the window is left),
//!   else backs off. Rate limits have their
//!   own, larger attempt budget: waiting is the cure, and a normal sync must
//!   never run out of retries because of them.
//! - Everything else worth retrying backs off exponentially, capped, with
//!   jitter.

use std::time::Duration;

use reqwest::header::HeaderMap;

use crate::error::{Error, Retry};

/// The verdict on a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Try again after this long.
    Retry(Duration),
    /// Give up: the error is final or the attempts are used up.
    Stop,
}

/// Retry limits and delays.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts, counting the first, for 5xx and network failures.
    pub max_attempts: u32,
    /// Attempts, counting the first, for 429 answers.
    pub max_rate_limited_attempts: u32,
    /// First backoff delay; doubles with each attempt.
    pub base_delay: Duration,
    /// Cap on one backoff delay.
    pub max_delay: Duration,
    /// Cap on one wait asked for by the server.
    pub max_server_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            max_rate_limited_attempts: 30,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            max_server_wait: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// Decides what to do after attempt number `attempt` (1 for the first try)
    /// failed with `error`. `jitter` is a random number in `[0, 1)`.
    pub fn decide(&self, error: &Error, attempt: u32, jitter: f64) -> Decision {
        let budget = match error.retry() {
            Retry::No => return Decision::Stop,
            Retry::Yes => self.max_attempts,
            Retry::RateLimited => self.max_rate_limited_attempts,
        };
        if attempt >= budget {
            return Decision::Stop;
        }
        let jitter = jitter.clamp(0.0, 1.0);
        let delay = match error.server_wait() {
            Some(wait) => {
                let wait = wait.min(self.max_server_wait);
                // A little spread so concurrent requests do not all fire at
                // the same instant when the window reopens.
                wait + Duration::from_secs_f64((wait.as_secs_f64() * 0.1).min(1.0) * jitter)
            }
            None => {
                let exp = self
                    .base_delay
                    .saturating_mul(1u32 << (attempt - 1).min(20))
                    .min(self.max_delay);
                // "Equal jitter": at least half the delay, at most all of it.
                exp / 2 + Duration::from_secs_f64(exp.as_secs_f64() / 2.0 * jitter)
            }
        };
        Decision::Retry(delay)
    }
}

/// The wait a response asks for: `Retry-After` (seconds or an HTTP date),
/// else `x-ratelimit-reset` (seconds until Paystack's window ends; a value that
/// looks like an epoch timestamp is read as one) unless `x-ratelimit-remaining`
/// says the window still has room: then the reset is no reason to wait.
pub fn server_wait(headers: &HeaderMap, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(v) = header("retry-after") {
        if let Ok(secs) = v.parse::<f64>() {
            return seconds(secs);
        }
        if let Ok(at) = chrono::DateTime::parse_from_rfc2822(v) {
            let ms = (at.with_timezone(&chrono::Utc) - now).num_milliseconds();
            return Some(Duration::from_millis(ms.max(0) as u64));
        }
    }
    if header("x-ratelimit-remaining")
        .and_then(|v| v.parse::<f64>().ok())
        .is_some_and(|r| r >= 1.0)
    {
        return None;
    }
    let reset = header("x-ratelimit-reset")?.parse::<f64>().ok()?;
    if reset > 1.0e9 {
        // An absolute epoch time rather than a count of seconds.
        let ms = (reset * 1000.0) as i64 - now.timestamp_millis();
        return Some(Duration::from_millis(ms.max(0) as u64));
    }
    seconds(reset)
}

fn seconds(secs: f64) -> Option<Duration> {
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(86_400.0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            max_rate_limited_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            max_server_wait: Duration::from_secs(60),
        }
    }

    fn answer(status: u16, server_wait: Option<Duration>) -> Error {
        Error::from_status(status, server_wait, "/customer", "m".into(), 1)
    }

    fn status(status: u16) -> Error {
        answer(status, None)
    }

    /// How long `p` waits after attempt `attempt` failed with `f`, if it
    /// retries.
    fn waits(p: &RetryPolicy, f: &Error, attempt: u32, jitter: f64) -> Option<Duration> {
        match p.decide(f, attempt, jitter) {
            Decision::Retry(d) => Some(d),
            Decision::Stop => None,
        }
    }

    fn ms(n: u64) -> Option<Duration> {
        Some(Duration::from_millis(n))
    }

    #[test]
    fn client_errors_are_never_retried() {
        for s in [400, 401, 403, 404, 422] {
            assert_eq!(policy().decide(&status(s), 1, 0.5), Decision::Stop, "{s}");
        }
    }

    #[test]
    fn server_errors_and_network_failures_back_off_exponentially_with_a_cap() {
        let p = policy();
        let (path, detail, attempts) = (String::from("/x"), String::from("d"), 1);
        for f in [
            status(500),
            status(502),
            status(503),
            status(504),
            status(408),
            Error::Transport {
                path: path.clone(),
                detail: detail.clone(),
                attempts,
            },
            Error::Decode {
                path: path.clone(),
                detail,
                attempts,
            },
            Error::Api {
                path,
                message: "status false".into(),
                attempts,
            },
        ] {
            let f = &f;
            // jitter 1.0 gives the full delay, 0.0 half of it.
            assert_eq!(waits(&p, f, 1, 1.0), ms(100));
            assert_eq!(waits(&p, f, 2, 1.0), ms(200));
            assert_eq!(waits(&p, f, 3, 0.0), ms(200));
            assert_eq!(p.decide(f, 4, 0.5), Decision::Stop, "attempts are capped");
        }
        let many = RetryPolicy {
            max_attempts: 50,
            ..p
        };
        assert_eq!(
            waits(&many, &status(500), 30, 1.0),
            ms(1000),
            "one delay is capped"
        );
    }

    #[test]
    fn rate_limits_wait_as_told_and_have_their_own_budget() {
        let p = policy();
        let told = &answer(429, Some(Duration::from_secs(7)));
        assert_eq!(waits(&p, told, 1, 0.0), ms(7_000));
        // Jitter adds at most a tenth of the wait, at most a second.
        assert_eq!(waits(&p, told, 1, 1.0), ms(7700));
        assert!(matches!(p.decide(told, 9, 0.0), Decision::Retry(_)));
        assert_eq!(p.decide(told, 10, 0.0), Decision::Stop);
        let huge = &answer(429, Some(Duration::from_secs(3600)));
        assert_eq!(waits(&p, huge, 1, 0.0), ms(60_000));
        assert_eq!(
            waits(&p, &status(429), 1, 1.0),
            ms(100),
            "no header: plain backoff"
        );
    }

    #[test]
    fn server_wait_reads_retry_after_then_paystack_reset() {
        let now = chrono::Utc::now();
        let mut h = HeaderMap::new();
        assert_eq!(server_wait(&h, now), None);
        h.insert("x-ratelimit-reset", HeaderValue::from_static("12"));
        assert_eq!(server_wait(&h, now), Some(Duration::from_secs(12)));
        h.insert("retry-after", HeaderValue::from_static("3"));
        assert_eq!(server_wait(&h, now), Some(Duration::from_secs(3)));
        let later = (now + chrono::Duration::seconds(30)).to_rfc2822();
        h.insert("retry-after", HeaderValue::from_str(&later).unwrap());
        let w = server_wait(&h, now).unwrap();
        assert!(
            w <= Duration::from_secs(30) && w >= Duration::from_secs(29),
            "{w:?}"
        );
        let mut epoch = HeaderMap::new();
        let at = now.timestamp() + 20;
        epoch.insert(
            "x-ratelimit-reset",
            HeaderValue::from_str(&at.to_string()).unwrap(),
        );
        let w = server_wait(&epoch, now).unwrap();
        assert!(
            w <= Duration::from_secs(20) && w >= Duration::from_secs(19),
            "{w:?}"
        );
        let mut junk = HeaderMap::new();
        junk.insert("x-ratelimit-reset", HeaderValue::from_static("soon"));
        assert_eq!(server_wait(&junk, now), None);
    }

    #[test]
    fn a_window_with_room_left_is_no_reason_to_wait_for_its_reset() {
        let now = chrono::Utc::now();
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-reset", HeaderValue::from_static("45"));
        h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        assert_eq!(server_wait(&h, now), Some(Duration::from_secs(45)));
        h.insert("x-ratelimit-remaining", HeaderValue::from_static("412"));
        assert_eq!(server_wait(&h, now), None);
        // Retry-After still counts.
        h.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(server_wait(&h, now), Some(Duration::from_secs(2)));
    }
}
