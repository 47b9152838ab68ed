//! The Paystack HTTP client: authentication, timeouts, the retry loop, and
//! the key probe. A request is a path and its query pairs; the answer's body
//! is decoded by [`crate::page`].

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{self, HeaderMap, HeaderValue};

use crate::config::SecretKey;
use crate::error::Error;
use crate::error::Retry;
use crate::page::{DecodeError, Fields, Page, api_message, decode_page, is_error_envelope};
use crate::rate_headers::RateHeaders;
use crate::ratelimit::{Pace, RateLimiter};
use crate::retry::{Attempts, Decision, RetryPolicy};

/// The connector's `User-Agent`.
pub const USER_AGENT: &str = concat!(
    "source-paystack/",
    env!("CARGO_PKG_VERSION"),
    " (Airbyte source connector; rust)"
);

/// HTTP settings that are not part of the user's config.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Base URL without a trailing slash, e.g. `https://api.paystack.co`.
    pub base_url: String,
    pub connect_timeout: Duration,
    /// Whole-request timeout, body included.
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
}

/// Query of one list request. Field names are Paystack's parameter names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    /// Offset paging: the page number. Cursor paging: `None`.
    pub page: Option<u32>,
    pub per_page: u32,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Cursor paging: the `meta.next` of the previous page.
    pub next: Option<String>,
}

impl ListQuery {
    /// Page `page` of an offset-paged list, without a time filter.
    pub fn page(page: u32, per_page: u32) -> Self {
        ListQuery {
            page: Some(page),
            per_page,
            from: None,
            to: None,
            next: None,
        }
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = vec![("perPage", self.per_page.to_string())];
        if let Some(page) = self.page {
            q.push(("page", page.to_string()));
        }
        if let Some(next) = &self.next {
            q.push(("next", next.clone()));
        }
        if let Some(from) = self.from {
            q.push(("from", crate::state::format_cursor(from)));
        }
        if let Some(to) = self.to {
            q.push(("to", crate::state::format_cursor(to)));
        }
        q
    }
}

/// Something worth telling the reader while a request runs.
#[derive(Debug, Clone, Copy)]
pub enum Notice {
    /// An attempt failed and the request is sent again (`rate_limited`:
    /// the answer was a 429).
    Retrying { rate_limited: bool },
    /// Paystack answered 429; the request waits until `resume_at_ms`.
    RateLimited { resume_at_ms: i64 },
    /// Requests queue at the rate limiter's pace: the limit sets the speed
    /// of the read ([`RateLimiter::acquire`]; once for each pace).
    Paced(Pace),
}

/// The Paystack client. Cheap to share behind an `Arc`.
pub struct Client {
    http: reqwest::Client,
    settings: HttpSettings,
    limiter: Arc<RateLimiter>,
}

impl Client {
    /// Builds a client for `key`.
    ///
    /// # Errors
    /// Fails when the TLS stack cannot be set up or the key cannot be a
    /// header value (validation makes the latter impossible).
    pub fn new(
        key: &SecretKey,
        settings: HttpSettings,
        limiter: Arc<RateLimiter>,
    ) -> Result<Self, Error> {
        let mut auth =
            HeaderValue::from_str(&format!("Bearer {}", key.expose())).map_err(|_| {
                Error::config("secret_key contains characters that cannot be sent in a header.")
            })?;
        auth.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, auth);
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .default_headers(headers)
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.request_timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| Error::Transport {
                path: String::new(),
                detail: format!("could not set up the HTTP client: {e}"),
                attempts: 1,
            })?;
        Ok(Client {
            http,
            settings,
            limiter,
        })
    }

    /// Fetches one page of a list endpoint, retrying as [`RetryPolicy`] says.
    /// `notify` hears about every retry and the waits worth reporting (rate
    /// limits).
    ///
    /// # Errors
    /// The last failure once retries are exhausted, or at once for a final
    /// one (401, 403, other 4xx).
    pub async fn list(
        &self,
        path: &str,
        fields: Fields<'_>,
        query: &ListQuery,
        notify: &(dyn Fn(Notice) + Send + Sync),
    ) -> Result<Page, Error> {
        let url = format!("{}{}", self.settings.base_url, path);
        let pairs = query.pairs();
        // Failed attempts, in their budgets; and every attempt sent.
        let mut attempts = Attempts::default();
        let mut sent = 0;
        loop {
            if let Some(pace) = self.limiter.acquire().await {
                notify(Notice::Paced(pace));
            }
            sent += 1;
            let error = match self.attempt(&url, path, &pairs, fields, sent).await {
                Ok(page) => {
                    self.limiter.succeeded();
                    return Ok(page);
                }
                Err(error) => error,
            };
            attempts.count(&error);
            let policy = &self.settings.retry;
            match policy.decide(&error, attempts, fastrand::f64()) {
                Decision::Stop => return Err(error.after_attempts(sent)),
                Decision::Retry(delay) => {
                    let rate_limited = error.retry() == Retry::RateLimited;
                    notify(Notice::Retrying { rate_limited });
                    if rate_limited {
                        // A 429 that names no wait (the window has room) is
                        // transient: only this request backs off.
                        self.limiter
                            .rate_limited(error.server_wait().map(|_| delay));
                        notify(Notice::RateLimited {
                            resume_at_ms: crate::emit::now_millis() + delay.as_millis() as i64,
                        });
                    }
                    tracing::warn!(
                        path,
                        page = query.page,
                        delay_ms = delay.as_millis() as u64,
                        "{error} Sending it again in {} ({}).",
                        crate::rate_headers::human(delay),
                        policy.budget_note(&error, attempts)
                    );
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    /// Whether the key works: one record of an endpoint every business can
    /// list, `/transaction`, or `/customer` when `/transaction` is among the
    /// `refused` paths (its answer would say nothing about the key).
    ///
    /// # Errors
    /// The probe's failure: a refusal (see [`Error::refusal`]) when Paystack
    /// refuses this endpoint too, anything else when it could not tell.
    pub async fn probe_key(&self, refused: &[&str]) -> Result<(), Error> {
        let path = ["/transaction", "/customer"]
            .into_iter()
            .find(|p| !refused.contains(p))
            .unwrap_or("/transaction");
        self.list(path, Fields::default(), &ListQuery::page(1, 1), &|_| {})
            .await
            .map(drop)
    }

    async fn attempt(
        &self,
        url: &str,
        path: &str,
        query: &[(&'static str, String)],
        fields: Fields<'_>,
        attempt: u32,
    ) -> Result<Page, Error> {
        let transport = |e: reqwest::Error| {
            let detail = if e.is_timeout() {
                format!(
                    "no answer within {} s",
                    self.settings.request_timeout.as_secs_f64()
                )
            } else if e.is_connect() {
                format!("could not connect ({})", error_chain(&e))
            } else {
                format!("the connection failed ({})", error_chain(&e))
            };
            Error::Transport {
                path: path.to_owned(),
                detail,
                attempts: 1,
            }
        };
        tracing::debug!(path, ?query, attempt, "GET");
        let response = self
            .http
            .get(url)
            .query(query)
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        let rate = RateHeaders::read(response.headers(), Utc::now());
        self.limiter.observe(&rate);
        if !status.is_success() {
            let wait = rate.server_wait();
            let body = response.bytes().await.unwrap_or_default();
            let message = api_message(&body, status);
            return Err(Error::from_answer(
                status.as_u16(),
                wait,
                path,
                message,
                1,
                is_error_envelope(&body),
            ));
        }
        let body = response.bytes().await.map_err(transport)?.to_vec();
        decode_page(body, fields).map_err(|d| match d {
            DecodeError::Refused(message) => Error::Api {
                path: path.to_owned(),
                message,
                attempts: 1,
            },
            DecodeError::Malformed(detail) => Error::Decode {
                path: path.to_owned(),
                detail,
                attempts: 1,
            },
        })
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::parse_cursor_str;

    #[test]
    fn query_uses_paystack_parameter_names() {
        let q = ListQuery {
            page: Some(2),
            per_page: 200,
            from: parse_cursor_str("2024-01-01T00:00:00Z"),
            to: None,
            next: None,
        };
        assert_eq!(
            q.pairs(),
            vec![
                ("perPage", "200".to_string()),
                ("page", "2".to_string()),
                ("from", "2024-01-01T00:00:00.000Z".to_string())
            ]
        );
    }
}
