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

use serde::Serialize;

/// Airbyte's classification of a failure, carried by `TRACE` `ERROR` messages.
// The protocol's names: config_error, system_error, transient_error.
#[allow(clippy::enum_variant_names)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureType {
    /// The user must change something (config, catalog, state, the key).
    ConfigError,
    /// A bug or an API behaviour the connector does not understand.
    SystemError,
    /// Worth retrying later: network trouble, rate limits, Paystack outages.
    TransientError,
}

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

    /// A list delivered fewer records than Paystack announced for it, on a
    /// first read and again on a second one (see `crate::completeness`).
    #[error("{}", incomplete(list, *announced, *delivered, *outside, *first))]
    Incomplete {
        /// The query: `GET /transaction?from=…&to=…`.
        list: String,
        /// `meta.total` of the second read's first page.
        announced: u64,
        /// Different records the second read delivered.
        delivered: u64,
        /// Of those, outside the slice (counted, not emitted).
        outside: u64,
        /// The first read: `meta.total` and the records delivered.
        first: (u64, u64),
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

fn incomplete(
    list: &str,
    announced: u64,
    delivered: u64,
    outside: u64,
    (first_announced, first_delivered): (u64, u64),
) -> String {
    let overlap = if outside > 0 {
        format!(
            "; {outside} of the {delivered} are in the one-second overlap before the slice, \
             counted but not emitted"
        )
    } else {
        String::new()
    };
    format!(
        "Paystack announced {announced} records for {list} (meta.total), but its pages delivered \
         {delivered}, and {first_delivered} of {first_announced} when the list was read the \
         first time{overlap}. A record may be missing, so the stream stops here and its state \
         stays before this list; the next sync reads it again. Run the sync again: it resumes \
         from the last state. If the shortfall persists, Paystack is skipping or miscounting \
         records of this query: send the query and these counts to Paystack support."
    )
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

impl FailureType {
    /// The failure type of a run that failed for these reasons: a config
    /// error when every one is, transient when none is a system error,
    /// else a system error.
    pub fn of_all(types: impl IntoIterator<Item = FailureType>) -> FailureType {
        let (mut all_config, mut any_system) = (true, false);
        for t in types {
            all_config &= t == FailureType::ConfigError;
            any_system |= t == FailureType::SystemError;
        }
        if all_config {
            FailureType::ConfigError
        } else if any_system {
            FailureType::SystemError
        } else {
            FailureType::TransientError
        }
    }
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

    /// What this error means: whether another attempt can help, and the
    /// Airbyte failure type when it ends a stream. This is the only place
    /// where errors are classified.
    ///
    /// - 429: retried from the rate-limit budget; transient.
    /// - 5xx, no complete answer: retried; transient.
    /// - 408, a body that is not Paystack's envelope, `"status": false`:
    ///   retried; a system error when it persists.
    /// - 401, 403, 404, bad input: final; the user must act (config).
    /// - Any other status, a paging loop, a list that delivered fewer
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
            Error::Http { .. } => (Retry::No, SystemError),
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
