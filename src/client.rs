//! The Paystack HTTP client: authentication, timeouts, the retry loop, and
//! the key probe. A request is a path and its query pairs; the answer's body
//! is decoded by [`crate::page`].

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
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

    /// The allowed request rate, and where it comes from (`None`: unpaced).
    pub fn pace(&self) -> Option<Pace> {
        self.limiter.pace()
    }

    /// Fetches one page of a list endpoint: `GET path` with the `query`
    /// pairs, sent as they are, its records read as `fields` says; retrying
    /// as [`RetryPolicy`] says. `notify` hears about every retry and the
    /// waits worth reporting (rate limits).
    ///
    /// # Errors
    /// The last failure once retries are exhausted, or at once for a final
    /// one (401, 403, other 4xx).
    pub async fn list(
        &self,
        path: &str,
        fields: Fields<'_>,
        query: &[(&'static str, String)],
        notify: &(dyn Fn(Notice) + Send + Sync),
    ) -> Result<Page, Error> {
        let url = format!("{}{}", self.settings.base_url, path);
        // The retry log names the page asked for, when the query has one.
        let page = query
            .iter()
            .find(|(name, _)| *name == "page")
            .map(|(_, value)| tracing::field::display(value));
        // Failed attempts, in their budgets; and every attempt sent.
        let mut attempts = Attempts::default();
        let mut sent = 0;
        loop {
            if let Some(pace) = self.limiter.acquire().await {
                notify(Notice::Paced(pace));
            }
            sent += 1;
            let error = match self.attempt(&url, path, query, fields, sent).await {
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
                            resume_at_ms: crate::time::now_millis() + delay.as_millis() as i64,
                        });
                    }
                    tracing::warn!(
                        path,
                        page,
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
        let first_record = [("perPage", "1".to_owned()), ("page", "1".to_owned())];
        self.list(path, Fields::default(), &first_record, &|_| {})
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
    use wiremock::matchers::{method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    /// Fetches `query` from a list whose first answer is a 500 and whose
    /// second is a page, which answers only that query.
    async fn fetch_after_a_500(query: &[(&'static str, String)]) {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/customer"))
            .respond_with(ResponseTemplate::new(500))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        let mut answer = Mock::given(method("GET")).and(path("/customer"));
        for (name, value) in query {
            answer = answer.and(query_param(*name, value.as_str()));
        }
        answer
            .respond_with(
                ResponseTemplate::new(200).set_body_string(r#"{"status":true,"data":[]}"#),
            )
            .mount(&server)
            .await;
        let settings = HttpSettings {
            base_url: server.uri(),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(5),
            retry: RetryPolicy {
                base_delay: Duration::from_millis(1),
                max_delay: Duration::from_millis(1),
                ..RetryPolicy::default()
            },
        };
        let key = SecretKey::new("sk_test_clienttests00");
        let client = Client::new(&key, settings, Arc::new(RateLimiter::new(None))).unwrap();
        let page = client
            .list("/customer", Fields::default(), query, &|_| {})
            .await
            .unwrap();
        assert!(page.records.is_empty());
    }

    /// The retry's log line for `query`.
    fn retry_log(query: &[(&'static str, String)]) -> String {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let logged = crate::testing::warnings(|| runtime.block_on(fetch_after_a_500(query)));
        assert_eq!(logged.len(), 1, "{logged:#?}");
        logged[0].clone()
    }

    /// The query is sent as given, and a retry's log line names the page
    /// asked for when the query has a `page`, and no page when it has none.
    #[test]
    fn a_retry_names_the_page_of_the_query_when_it_has_one() {
        let offset = [("perPage", "2".to_owned()), ("page", "3".to_owned())];
        let log = retry_log(&offset);
        assert!(log.starts_with("WARN Paystack answered HTTP 500"), "{log}");
        assert!(log.contains("Sending it again in"), "{log}");
        assert!(
            log.contains(r#"path="/customer" page=3 delay_ms="#),
            "{log}"
        );
        let cursor = [("perPage", "2".to_owned()), ("next", "c2".to_owned())];
        let log = retry_log(&cursor);
        assert!(log.contains(r#"path="/customer" delay_ms="#), "{log}");
        assert!(!log.contains("page="), "{log}");
    }
}
