//! The connector's one error type, and the one place where an error becomes an
//! Airbyte `failure_type`.
//!
//! Every message here is written for the person running the sync: it says what
//! went wrong and what to do about it. None of them ever contains the secret key
//! (the key lives in [`crate::config::SecretKey`], which cannot be formatted).

use serde::Serialize;

/// Airbyte's classification of a failure, carried by `TRACE` `ERROR` messages.
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

impl Error {
    /// The Airbyte failure type of this error. This is the only place where
    /// errors are classified.
    pub fn failure_type(&self) -> FailureType {
        match self {
            Error::Config(_) => FailureType::ConfigError,
            Error::Auth { .. } | Error::Unavailable { .. } => FailureType::ConfigError,
            Error::Http { status, .. } if *status == 429 || *status >= 500 => {
                FailureType::TransientError
            }
            Error::Http { .. } => FailureType::SystemError,
            Error::Transport { .. } => FailureType::TransientError,
            Error::Decode { .. } | Error::Api { .. } | Error::Pagination { .. } => {
                FailureType::SystemError
            }
            Error::Internal(_) | Error::Io(_) => FailureType::SystemError,
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
