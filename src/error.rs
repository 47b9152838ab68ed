//! The connector's one error type, and the one place that says what an answer
//! from Paystack means: [`Error::from_status`] turns a status into an error,
//! and [`Error::meaning`] says, for every error, whether another attempt can
//! help (and from which budget) and which Airbyte `failure_type` it has when
//! it ends a stream. [`crate::retry`] only computes how long to wait.
//!
//! Every message here is written for the person running the sync: it says what
//! went wrong and what to do about it. None of them ever contains the secret key
//! (the key lives in [`crate::config::SecretKey`], which cannot be formatted).

use std::time::Duration;

use crate::protocol::FailureType;

/// Everything that can go wrong in the connector.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input from the user: config, catalog, state or command line.
    #[error("{0}")]
    Config(String),

    /// Paystack refused the key (HTTP 401).
    #[error(
        "Paystack rejected the secret key: HTTP {status} ({message}) for {path}. The key is \
         wrong, revoked or rolled: copy the current secret key (sk_live_... or sk_test_...) \
         from the Paystack Dashboard, Settings > API Keys & Webhooks, into the secret_key field."
    )]
    Auth {
        status: u16,
        path: String,
        message: String,
    },

    /// One endpoint is closed to this key (403, 404, or a 401 while the key
    /// works elsewhere): a feature the business does not have.
    #[error(
        "Paystack refused {path} with HTTP {status} ({message}), although the key is valid: \
         this stream's feature is probably not enabled for your Paystack business. Enable it \
         with Paystack, or deselect the stream."
    )]
    Unavailable {
        status: u16,
        path: String,
        message: String,
    },

    /// HTTP 400 with Paystack's error envelope (`{"status": false,
    /// "message": …}`): Paystack's answer to a query it will not serve (an
    /// invalid cursor or date), and perhaps to a feature the business lacks
    /// (see `crate::read`).
    #[error("Paystack refused the request to {path} with HTTP 400 ({message}).")]
    BadRequest { path: String, message: String },

    /// Any other non-success HTTP status, after retries where they apply.
    #[error("Paystack answered HTTP {status} to {path} ({message}){}.", attempts_note(*attempts))]
    Http {
        status: u16,
        path: String,
        message: String,
        attempts: u32,
        /// The wait the answer asked for (`Retry-After`, `x-ratelimit-reset`).
        server_wait: Option<Duration>,
    },

    /// The request never got a complete answer: connect failure, timeout,
    /// dropped connection. Only after retries.
    #[error("Could not get an answer from Paystack for {path}: {detail}{}.", attempts_note(*attempts))]
    Transport {
        path: String,
        detail: String,
        attempts: u32,
    },

    /// A response arrived but is not the JSON envelope Paystack documents.
    #[error("Paystack's answer to {path} could not be read: {detail}{}.", attempts_note(*attempts))]
    Decode {
        path: String,
        detail: String,
        attempts: u32,
    },

    /// HTTP 200 whose body says `"status": false`.
    #[error("Paystack refused the request to {path}: {message}{}.", attempts_note(*attempts))]
    Api {
        path: String,
        message: String,
        attempts: u32,
    },

    /// Pagination went wrong in a way that could lose or repeat records
    /// forever (a page that does not advance, a runaway page count).
    #[error("Stopped reading {path} to avoid an endless or lossy loop: {detail}")]
    Pagination { path: String, detail: String },

    /// Two reads of a list delivered, between them, fewer records than
    /// Paystack announced for it (see `crate::completeness`).
    #[error("{}", incomplete(stream, list, shortfall))]
    Incomplete {
        /// The stream that read the list.
        stream: &'static str,
        /// The query: `GET /transaction?from=…`.
        list: String,
        shortfall: Shortfall,
    },

    /// A bug: something that should not happen did.
    #[error("Internal error: {0}. Please report it with the log of this run.")]
    Internal(String),

    /// Writing to stdout failed.
    #[error("Could not write to standard output: {0}")]
    Io(#[from] std::io::Error),
}

fn attempts_note(attempts: u32) -> String {
    if attempts > 1 {
        format!(
            " (gave up after {attempts} attempts; if this persists, check https://status.paystack.com and retry later)"
        )
    } else {
        String::new()
    }
}

/// The counts of a list that two reads delivered short of its
/// `meta.total` (see `crate::completeness`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortfall {
    /// `meta.total` of the second read's first page.
    pub announced: u64,
    /// Different records the two reads delivered between them.
    pub delivered: u64,
    /// Of those, outside the slice (counted, not emitted).
    pub outside: u64,
    /// The first read: `meta.total` and the records it delivered.
    pub first: (u64, u64),
    /// The records the second read delivered.
    pub second: u64,
}

impl Shortfall {
    /// What Paystack announced for `list` and what its reads delivered.
    pub fn describe(&self, list: &str) -> String {
        let Shortfall {
            announced,
            delivered,
            outside,
            first: (first_announced, first_delivered),
            second,
        } = *self;
        let overlap = if outside > 0 {
            format!(
                "; {outside} of the {delivered} are in the one-second overlap before the slice, \
                 counted but not emitted"
            )
        } else {
            String::new()
        };
        format!(
            "Paystack announced {announced} records for {list} (meta.total), but two reads \
             delivered {delivered} different ones between them (the first {first_delivered} of \
             {first_announced}, the second {second}){overlap}."
        )
    }
}

fn incomplete(stream: &str, list: &str, shortfall: &Shortfall) -> String {
    format!(
        "{} A record may be missing, so the stream stops here and its state stays before this \
         list; the next sync reads it again. Run the sync again: it resumes from the last state. \
         If the shortfall persists, Paystack is skipping or miscounting records of this query: \
         send the query and these counts to Paystack support. To sync meanwhile, trusting what \
         Paystack delivers for this stream, set \"completeness\": {{\"{stream}\": \"warn\"}} in \
         the config.",
        shortfall.describe(list)
    )
}

/// Paystack's answer to a request it refused (see [`Error::refusal`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal<'a> {
    pub status: u16,
    pub path: &'a str,
    pub message: &'a str,
}

impl std::fmt::Display for Refusal<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "GET {} answered HTTP {} ({})",
            self.path, self.status, self.message
        )
    }
}

/// Whether another attempt can help, and from which attempt budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Final: retrying cannot help.
    No,
    /// Worth another attempt, within the normal budget.
    Yes,
    /// A rate limit: waiting is the cure, from the larger budget.
    RateLimited,
}

impl Error {
    /// A non-success HTTP answer as an error: 401 is the key (until it is
    /// known to work elsewhere, see [`Error::unavailable`]), 403 and 404 an
    /// endpoint closed to this key, anything else [`Error::Http`].
    pub fn from_status(
        status: u16,
        server_wait: Option<Duration>,
        path: &str,
        message: String,
        attempts: u32,
    ) -> Self {
        let path = path.to_owned();
        match status {
            401 => Error::Auth {
                status,
                path,
                message,
            },
            403 | 404 => Error::Unavailable {
                status,
                path,
                message,
            },
            _ => Error::Http {
                status,
                path,
                message,
                attempts,
                server_wait,
            },
        }
    }

    /// An error answer as an error: like [`Error::from_status`], except that
    /// a 400 in Paystack's error envelope (`envelope`) is
    /// [`Error::BadRequest`], so that it can be told from a proxy's 400.
    pub fn from_answer(
        status: u16,
        server_wait: Option<Duration>,
        path: &str,
        message: String,
        attempts: u32,
        envelope: bool,
    ) -> Self {
        if status == 400 && envelope {
            return Error::BadRequest {
                path: path.to_owned(),
                message,
            };
        }
        Error::from_status(status, server_wait, path, message, attempts)
    }

    /// What this error means: whether another attempt can help, and the
    /// Airbyte failure type when it ends a stream. This is the only place
    /// where errors are classified.
    ///
    /// - 429: retried from the rate-limit budget; transient.
    /// - 5xx, no complete answer: retried; transient.
    /// - 408, a body that is not Paystack's envelope, `"status": false`:
    ///   retried; a system error when it persists.
    /// - 401, 403, 404, bad input: final; the user must act (config).
    /// - Any other status (400 included), a paging loop, a list that delivered fewer
    ///   records than announced, a bug, a closed stdout: final; a system
    ///   error.
    pub fn meaning(&self) -> (Retry, FailureType) {
        use FailureType::{ConfigError, SystemError, TransientError};
        match self {
            Error::Config(_) | Error::Auth { .. } | Error::Unavailable { .. } => {
                (Retry::No, ConfigError)
            }
            Error::Http { status: 429, .. } => (Retry::RateLimited, TransientError),
            Error::Http { status, .. } if *status >= 500 => (Retry::Yes, TransientError),
            Error::Http { status: 408, .. } => (Retry::Yes, SystemError),
            Error::Http { .. } | Error::BadRequest { .. } => (Retry::No, SystemError),
            Error::Transport { .. } => (Retry::Yes, TransientError),
            Error::Decode { .. } | Error::Api { .. } => (Retry::Yes, SystemError),
            Error::Pagination { .. }
            | Error::Incomplete { .. }
            | Error::Internal(_)
            | Error::Io(_) => (Retry::No, SystemError),
        }
    }

    /// The Airbyte failure type of this error (see [`Error::meaning`]).
    pub fn failure_type(&self) -> FailureType {
        self.meaning().1
    }

    /// Whether another attempt can help (see [`Error::meaning`]).
    pub fn retry(&self) -> Retry {
        self.meaning().0
    }

    /// The same error, as the last of `n` attempts at its request (its
    /// message then says the connector gave up after them).
    pub fn after_attempts(mut self, n: u32) -> Self {
        match &mut self {
            Error::Http { attempts, .. }
            | Error::Transport { attempts, .. }
            | Error::Decode { attempts, .. }
            | Error::Api { attempts, .. } => *attempts = n,
            _ => {}
        }
        self
    }

    /// The wait the server asked for, if it did.
    pub fn server_wait(&self) -> Option<Duration> {
        match self {
            Error::Http { server_wait, .. } => *server_wait,
            _ => None,
        }
    }

    /// True when stdout was closed by the reader: the run should end quietly.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// True when the error comes from a request or its answer (not from
    /// the user's files, a bug or stdout): its message is worth the
    /// address the request went to.
    pub fn from_request(&self) -> bool {
        !matches!(self, Error::Config(_) | Error::Internal(_) | Error::Io(_))
    }

    /// True when the key itself was refused, so no other stream can succeed.
    pub fn is_bad_key(&self) -> bool {
        matches!(self, Error::Auth { .. })
    }

    /// A refused key turned into "this endpoint is not available", once
    /// the key is known to work elsewhere.
    pub fn unavailable(self) -> Self {
        match self {
            Error::Auth {
                status,
                path,
                message,
            } => Error::Unavailable {
                status,
                path,
                message,
            },
            other => other,
        }
    }

    /// Paystack refused the request outright: HTTP 401, 403 or 404, or a
    /// 400 in its error envelope. On the first request of a stream, while
    /// the key works elsewhere, this is how an endpoint answers a business
    /// that lacks its feature (see `crate::read`).
    pub fn refusal(&self) -> Option<Refusal<'_>> {
        match self {
            Error::Auth {
                status,
                path,
                message,
            }
            | Error::Unavailable {
                status,
                path,
                message,
            } => Some(Refusal {
                status: *status,
                path,
                message,
            }),
            Error::BadRequest { path, message } => Some(Refusal {
                status: 400,
                path,
                message,
            }),
            _ => None,
        }
    }

    /// A refusal turned into "Paystack rejected the secret key", once no
    /// endpoint is known to accept the key.
    pub fn key_rejected(self) -> Self {
        match self.refusal() {
            Some(r) => Error::Auth {
                status: r.status,
                path: r.path.to_owned(),
                message: r.message.to_owned(),
            },
            None => self,
        }
    }

    /// Shorthand for a [`Error::Config`].
    pub fn config(message: impl Into<String>) -> Self {
        Error::Config(message.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16) -> Error {
        Error::Http {
            status,
            path: "/customer".into(),
            message: "x".into(),
            attempts: 3,
            server_wait: None,
        }
    }

    #[test]
    fn failure_types_follow_the_airbyte_mapping() {
        assert_eq!(Error::config("x").failure_type(), FailureType::ConfigError);
        let e = Error::Auth {
            status: 401,
            path: "/customer".into(),
            message: "Invalid key".into(),
        };
        assert_eq!(e.failure_type(), FailureType::ConfigError);
        let u = e.unavailable();
        assert!(matches!(u, Error::Unavailable { status: 401, .. }));
        assert_eq!(u.failure_type(), FailureType::ConfigError);
        assert!(u.to_string().contains("not enabled"), "{u}");
        for status in [429, 500, 502, 503, 504] {
            assert_eq!(http(status).failure_type(), FailureType::TransientError);
        }
        assert_eq!(http(400).failure_type(), FailureType::SystemError);
        assert_eq!(http(404).failure_type(), FailureType::SystemError);
        assert_eq!(http(408).failure_type(), FailureType::SystemError);
        let answer = |status| Error::from_status(status, None, "/x", "m".into(), 1);
        assert!(matches!(answer(401), Error::Auth { .. }));
        for status in [403, 404] {
            assert!(matches!(answer(status), Error::Unavailable { .. }));
            assert_eq!(answer(status).failure_type(), FailureType::ConfigError);
        }
        assert!(matches!(answer(429), Error::Http { status: 429, .. }));
        let t = Error::Transport {
            path: "/x".into(),
            detail: "timed out".into(),
            attempts: 5,
        };
        assert_eq!(t.failure_type(), FailureType::TransientError);
        let d = Error::Decode {
            path: "/x".into(),
            detail: "eof".into(),
            attempts: 5,
        };
        assert_eq!(d.failure_type(), FailureType::SystemError);
    }

    /// 401, 403, 404 and Paystack's own 400 are refusals; a 400 without
    /// the envelope, a 5xx or a 200 with `status: false` are not. A refusal
    /// becomes the rejected key when no endpoint accepts the key.
    #[test]
    fn refusals_are_told_apart_and_can_become_the_rejected_key() {
        let answer = |status, envelope| {
            Error::from_answer(status, None, "/terminal", "No".into(), 1, envelope)
        };
        for status in [400, 401, 403, 404] {
            let e = answer(status, true);
            let r = e.refusal().unwrap_or_else(|| panic!("{status}: {e:?}"));
            assert_eq!((r.status, r.path, r.message), (status, "/terminal", "No"));
            assert_eq!(
                r.to_string(),
                format!("GET /terminal answered HTTP {status} (No)")
            );
            let key = e.key_rejected();
            assert!(key.is_bad_key(), "{status}");
            assert!(key.to_string().contains("secret_key field"), "{key}");
        }
        let bare = answer(400, false);
        assert!(matches!(bare, Error::Http { status: 400, .. }), "{bare:?}");
        assert!(bare.refusal().is_none());
        assert!(answer(500, true).refusal().is_none());
        let bad = answer(400, true);
        assert_eq!(bad.meaning(), (Retry::No, FailureType::SystemError));
        assert_eq!(
            bad.to_string(),
            "Paystack refused the request to /terminal with HTTP 400 (No)."
        );
        let api = Error::Api {
            path: "/x".into(),
            message: "m".into(),
            attempts: 1,
        };
        assert!(api.refusal().is_none());
        assert!(!api.key_rejected().is_bad_key());
    }

    #[test]
    fn a_run_fails_with_the_most_telling_type() {
        use FailureType::*;
        assert_eq!(FailureType::of_all([ConfigError, ConfigError]), ConfigError);
        assert_eq!(
            FailureType::of_all([ConfigError, TransientError]),
            TransientError
        );
        assert_eq!(
            FailureType::of_all([TransientError, SystemError]),
            SystemError
        );
        assert_eq!(FailureType::of_all([ConfigError, SystemError]), SystemError);
    }

    #[test]
    fn a_401_message_says_what_to_do() {
        let e = Error::Auth {
            status: 401,
            path: "/transaction".into(),
            message: "Invalid key".into(),
        };
        let text = e.to_string();
        assert!(text.contains("HTTP 401"), "{text}");
        assert!(text.contains("secret key"), "{text}");
        assert!(text.contains("API Keys & Webhooks"), "{text}");
        assert!(e.is_bad_key());
    }

    #[test]
    fn broken_pipe_is_recognised() {
        let e = Error::Io(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert!(e.is_broken_pipe());
        assert!(!Error::config("x").is_broken_pipe());
    }
}
