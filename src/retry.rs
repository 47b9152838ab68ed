//! How long to wait before another attempt: one pure function,
//! [`RetryPolicy::decide`], tested without a network. *Whether* an error is
//! worth another attempt, and from which budget, is decided by
//! [`Error::meaning`] (the one place that gives answers their meaning); this
//! module only counts attempts and computes delays:
//!
//! - Two budgets, counted apart ([`Attempts`]): 5xx and network failures
//!   have [`RetryPolicy::max_attempts`], 429s
//!   [`RetryPolicy::max_rate_limited_attempts`]. A request answered 502, 502,
//!   429, 429, 500, 500 has used 4 of the first and 2 of the second.
//! - A rate limit waits as long as the server says (`Retry-After`, else
//!   Paystack's `x-ratelimit-reset` when no request of the window is left;
//!   see [`crate::rate_headers`]), else backs off. Rate limits have their
//!   own, larger attempt budget: waiting is the cure, and a normal sync must
//!   never run out of retries because of them.
//! - Everything else worth retrying backs off exponentially, capped, with
//!   jitter.

use std::time::Duration;

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
    /// Cap on one wait asked for by the server (already capped when read:
    /// [`crate::rate_headers::MAX_RETRY_AFTER`]).
    pub max_server_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            max_rate_limited_attempts: 30,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            max_server_wait: crate::rate_headers::MAX_RETRY_AFTER,
        }
    }
}

/// The failed attempts of one request, counted in their budgets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attempts {
    /// Failed with a 5xx, a network failure or an unreadable answer.
    pub failed: u32,
    /// Refused with a 429.
    pub rate_limited: u32,
}

impl Attempts {
    /// Counts a failed attempt in its budget (a final error in none).
    pub fn count(&mut self, error: &Error) {
        match error.retry() {
            Retry::No => {}
            Retry::Yes => self.failed += 1,
            Retry::RateLimited => self.rate_limited += 1,
        }
    }
}

impl RetryPolicy {
    /// Decides what to do after an attempt failed with `error`, `attempts`
    /// counting it and the failures before it. `jitter` is a random number
    /// in `[0, 1)`.
    pub fn decide(&self, error: &Error, attempts: Attempts, jitter: f64) -> Decision {
        let (used, budget) = match error.retry() {
            Retry::No => return Decision::Stop,
            Retry::Yes => (attempts.failed, self.max_attempts),
            Retry::RateLimited => (attempts.rate_limited, self.max_rate_limited_attempts),
        };
        if used >= budget {
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
                    .saturating_mul(1u32 << used.saturating_sub(1).min(20))
                    .min(self.max_delay);
                // "Equal jitter": at least half the delay, at most all of it.
                exp / 2 + Duration::from_secs_f64(exp.as_secs_f64() / 2.0 * jitter)
            }
        };
        Decision::Retry(delay)
    }

    /// For the log: which budget `error` draws from and how much of it
    /// `attempts` used, e.g. `attempt 2 of 30 for rate limits`.
    pub fn budget_note(&self, error: &Error, attempts: Attempts) -> String {
        match error.retry() {
            Retry::RateLimited => format!(
                "attempt {} of {} for rate limits",
                attempts.rate_limited, self.max_rate_limited_attempts
            ),
            _ => format!(
                "attempt {} of {} for server and network failures",
                attempts.failed, self.max_attempts
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// `p`'s decision after `f`, the `attempt`th failure of its budget.
    fn decide(p: &RetryPolicy, f: &Error, attempt: u32, jitter: f64) -> Decision {
        let mut attempts = Attempts::default();
        for _ in 0..attempt {
            attempts.count(f);
        }
        p.decide(f, attempts, jitter)
    }

    /// How long `p` waits after attempt `attempt` failed with `f`, if it
    /// retries.
    fn waits(p: &RetryPolicy, f: &Error, attempt: u32, jitter: f64) -> Option<Duration> {
        match decide(p, f, attempt, jitter) {
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
            assert_eq!(decide(&policy(), &status(s), 1, 0.5), Decision::Stop, "{s}");
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
            assert_eq!(decide(&p, f, 4, 0.5), Decision::Stop, "attempts are capped");
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
        assert!(matches!(decide(&p, told, 9, 0.0), Decision::Retry(_)));
        assert_eq!(decide(&p, told, 10, 0.0), Decision::Stop);
        let huge = &answer(429, Some(Duration::from_secs(3600)));
        assert_eq!(waits(&p, huge, 1, 0.0), ms(60_000));
        assert_eq!(
            waits(&p, &status(429), 1, 1.0),
            ms(100),
            "no header: plain backoff"
        );
    }

    /// A request answered `sequence`, one after another: what `p` decides
    /// after each failure, and the attempts counted in each budget.
    fn run(p: &RetryPolicy, sequence: &[u16]) -> (Vec<bool>, Attempts) {
        let mut attempts = Attempts::default();
        let mut retried = vec![];
        for s in sequence {
            let error = status(*s);
            attempts.count(&error);
            retried.push(matches!(
                p.decide(&error, attempts, 0.5),
                Decision::Retry(_)
            ));
        }
        (retried, attempts)
    }

    /// 429s and 5xx draw from their own budgets, whatever the order.
    #[test]
    fn mixed_failures_use_their_own_budgets() {
        let p = RetryPolicy::default();
        // Six failures: one shared budget would end it "after 6 attempts".
        let (retried, attempts) = run(&p, &[502, 502, 429, 429, 500, 500]);
        assert_eq!(retried, [true; 6]);
        assert_eq!(
            attempts,
            Attempts {
                failed: 4,
                rate_limited: 2
            }
        );
        // Five 5xx, with 429s between them: the sixth 5xx is the last.
        let (retried, _) = run(&p, &[500, 429, 502, 429, 503, 429, 504, 429, 500, 429, 502]);
        assert_eq!(
            retried,
            [
                true, true, true, true, true, true, true, true, true, true, false
            ]
        );
        // 29 429s with 5 5xx among them still retry; the 30th 429 stops.
        let mut mixed: Vec<u16> = (0..29)
            .map(|i| if i % 6 == 5 { 503 } else { 429 })
            .collect();
        let (retried, attempts) = run(&p, &mixed);
        assert!(retried.iter().all(|r| *r), "{attempts:?}");
        assert_eq!(attempts.failed, 4);
        mixed.extend([429; 5]);
        let (retried, attempts) = run(&p, &mixed);
        assert_eq!(attempts.rate_limited, 30);
        assert_eq!(retried.last(), Some(&false), "the 30th 429 is the last");
        assert!(retried[..retried.len() - 1].iter().all(|r| *r));
        // The backoff of one budget does not grow with the other's failures.
        let small = policy();
        let mut attempts = Attempts {
            failed: 0,
            rate_limited: 9,
        };
        attempts.count(&status(500));
        assert_eq!(
            small.decide(&status(500), attempts, 1.0),
            Decision::Retry(Duration::from_millis(100))
        );
        // A final error stops at once and counts in neither budget.
        let mut attempts = Attempts::default();
        attempts.count(&status(404));
        assert_eq!(attempts, Attempts::default());
        assert_eq!(small.decide(&status(404), attempts, 0.5), Decision::Stop);
    }

    #[test]
    fn the_budget_note_names_the_budget() {
        let p = RetryPolicy::default();
        let attempts = Attempts {
            failed: 2,
            rate_limited: 3,
        };
        assert_eq!(
            p.budget_note(&status(429), attempts),
            "attempt 3 of 30 for rate limits"
        );
        assert_eq!(
            p.budget_note(&status(502), attempts),
            "attempt 2 of 6 for server and network failures"
        );
    }
}
