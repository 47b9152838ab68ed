//! One function per command. Each writes through an [`Emitter`], so tests run
//! them in-process with a `Vec<u8>` and read the messages back.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::task::JoinSet;

use crate::accounting::Accounting;
use crate::api_url;
use crate::catalog;
use crate::cli::Command;
use crate::client::{Client, HttpSettings};
use crate::config::{self, Config};
use crate::drift::DriftLog;
use crate::emit::Emitter;
use crate::error::Error;
use crate::page::Fields;
use crate::progress::Terminal;
use crate::protocol::SyncMode;
use crate::ratelimit::{LIVE_REQUESTS_PER_MINUTE, RateLimiter, Source, TEST_REQUESTS_PER_MINUTE};
use crate::read::{self, ReadOptions};
use crate::retry::RetryPolicy;
use crate::sink::{Sink, Tee};
use crate::slice::Tuning;
use crate::state;
use crate::stop::Signals;
use crate::streams::{STREAMS, StreamDef};

/// The connector specification, compiled in.
pub const SPEC: &str = include_str!("spec.json");

/// Requests in flight at once by default. The rate limiter, not this pool,
/// sets the pace; 8 keeps Paystack's 600 requests a minute busy with up to
/// ~800 ms of latency per request, while holding at most 8 pages in memory.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// Everything about a run that is not the user's config: where Paystack is,
/// timeouts, retries, sizes. Production values come from [`Settings::from_env`];
/// tests build their own.
#[derive(Debug, Clone)]
pub struct Settings {
    pub http: HttpSettings,
    pub tuning: Tuning,
    pub concurrency: usize,
    /// Overrides the request-rate cap (`Some(None)`: no pacing at all).
    pub requests_per_minute: Option<Option<u32>>,
    /// A fixed "now" (tests); `None` uses the clock.
    pub now: Option<DateTime<Utc>>,
    /// A display of `read`'s progress for people at a terminal.
    pub progress: Option<Arc<Terminal>>,
    /// Whether `read` catches SIGINT and SIGTERM to stop cleanly (the
    /// binary; not library callers or in-process tests).
    pub catch_signals: bool,
}

impl Settings {
    /// Defaults, with `PAYSTACK_API_URL` and the `SOURCE_PAYSTACK_*` tuning
    /// variables applied (see the README).
    ///
    /// # Errors
    /// A [`Error::Config`] for a variable that is set but not a number, or a
    /// `PAYSTACK_API_URL` that [`api_url::base_url`] refuses.
    pub fn from_env() -> Result<Self, Error> {
        let mut s = Settings::default();
        s.http.base_url = api_url::base_url(
            std::env::var(api_url::VARIABLE).ok().as_deref(),
            std::env::var(api_url::ALLOW_HTTP).ok().as_deref(),
        )?;
        let num = |name: &str| -> Result<Option<u64>, Error> {
            match std::env::var(name) {
                Ok(v) => v.trim().parse().map(Some).map_err(|_| {
                    Error::config(format!(
                        "The environment variable {name} must be a whole number."
                    ))
                }),
                Err(_) => Ok(None),
            }
        };
        if let Some(n) = num("SOURCE_PAYSTACK_MAX_ATTEMPTS")? {
            s.http.retry.max_attempts = n.max(1) as u32;
        }
        if let Some(ms) = num("SOURCE_PAYSTACK_BACKOFF_MS")? {
            s.http.retry.base_delay = Duration::from_millis(ms);
            s.http.retry.max_delay = Duration::from_millis(ms.saturating_mul(32));
            s.http.retry.max_server_wait = Duration::from_millis(ms.saturating_mul(32));
        }
        let positive = |name: &str, default: u64| -> Result<Option<u64>, Error> {
            match num(name)? {
                Some(0) => Err(Error::config(format!(
                    "The environment variable {name} is 0, but it must be 1 or more (the \
                     default is {default}). Set it to a whole number of 1 or more, or unset it."
                ))),
                n => Ok(n),
            }
        };
        let defaults = Settings::default();
        if let Some(ms) = positive(
            "SOURCE_PAYSTACK_TIMEOUT_MS",
            defaults.http.request_timeout.as_millis() as u64,
        )? {
            s.http.request_timeout = Duration::from_millis(ms);
        }
        if let Some(n) = positive("SOURCE_PAYSTACK_CONCURRENCY", DEFAULT_CONCURRENCY as u64)? {
            s.concurrency = n.min(256) as usize;
        }
        if let Some(n) = positive(
            "SOURCE_PAYSTACK_PAGE_SIZE",
            u64::from(defaults.tuning.per_page),
        )? {
            s.tuning.per_page = n.min(10_000) as u32;
        }
        if let Some(n) = positive(
            "SOURCE_PAYSTACK_SLICE_PAGES",
            u64::from(defaults.tuning.max_pages_per_slice),
        )? {
            s.tuning.max_pages_per_slice = n.min(100_000) as u32;
        }
        s.now = parse_now(std::env::var("SOURCE_PAYSTACK_NOW").ok().as_deref())?;
        Ok(s)
    }

    fn now(&self) -> DateTime<Utc> {
        self.now.unwrap_or_else(Utc::now)
    }

    fn client(&self, config: &Config, retry: Option<RetryPolicy>) -> Result<Client, Error> {
        let key_limit = if config.secret_key.is_live() {
            LIVE_REQUESTS_PER_MINUTE
        } else {
            TEST_REQUESTS_PER_MINUTE
        };
        let limiter = match (self.requests_per_minute, config.requests_per_minute) {
            (Some(over), _) => RateLimiter::new(over),
            (None, Some(rpm)) if rpm >= key_limit => {
                RateLimiter::from_source(Some(rpm), Source::ConfigAboveKey { key_limit })
            }
            (None, Some(rpm)) => RateLimiter::from_source(Some(rpm), Source::Config),
            (None, None) if config.secret_key.is_live() => {
                RateLimiter::from_source(Some(key_limit), Source::LiveKey)
            }
            (None, None) => RateLimiter::from_source(Some(key_limit), Source::TestKey),
        };
        let mut http = self.http.clone();
        if let Some(r) = retry {
            http.retry = r;
        }
        Client::new(&config.secret_key, http, Arc::new(limiter))
    }
}

/// The value of `SOURCE_PAYSTACK_NOW`, the sync's "now" for tests and
/// simulations: unset or blank is the clock (`None`).
///
/// # Errors
/// A [`Error::Config`] naming the variable when it is not an RFC 3339
/// date-time.
pub fn parse_now(value: Option<&str>) -> Result<Option<DateTime<Utc>>, Error> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => DateTime::parse_from_rfc3339(text)
            .map(|d| Some(d.with_timezone(&Utc)))
            .map_err(|_| {
                Error::config(format!(
                    "The environment variable SOURCE_PAYSTACK_NOW is {text:?}, but it must be an \
                     RFC 3339 date-time such as 2024-01-01T00:00:00Z. Fix it, or unset it to use \
                     the clock."
                ))
            }),
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            http: HttpSettings {
                base_url: api_url::PAYSTACK.to_owned(),
                connect_timeout: Duration::from_secs(10),
                request_timeout: Duration::from_secs(60),
                retry: RetryPolicy::default(),
            },
            tuning: Tuning::default(),
            concurrency: DEFAULT_CONCURRENCY,
            requests_per_minute: None,
            now: None,
            progress: None,
            catch_signals: false,
        }
    }
}

/// Runs one command and returns the process exit code. Every failure has
/// been reported on `out` by then.
pub async fn run<W: Write>(command: &Command, settings: &Settings, out: &mut Emitter<W>) -> i32 {
    out.set_request_note(api_url::elsewhere_note(&settings.http.base_url));
    let result = match command {
        Command::Spec => spec(out),
        Command::Check { config } => check(config, settings, out).await,
        Command::Discover { config } => discover(config, settings, out),
        Command::Catalog { streams, mode } => configured_catalog(streams.as_deref(), mode, out),
        Command::Read {
            config,
            catalog,
            state,
        } => read_command(config, catalog, state.as_deref(), settings, out).await,
    };
    let code = match result {
        Ok(code) => code,
        Err(e) if e.is_broken_pipe() => return 0,
        Err(e) => {
            tracing::error!(error = %e, "Failed.");
            if out.error(&e, None).is_err() {
                return 1;
            }
            1
        }
    };
    match out.flush() {
        Err(e) if !e.is_broken_pipe() => 1,
        _ => code,
    }
}

fn spec<W: Write>(out: &mut Emitter<W>) -> Result<i32, Error> {
    let spec =
        serde_json::from_str(SPEC).map_err(|e| Error::Internal(format!("spec.json: {e}")))?;
    out.spec(spec)?;
    Ok(0)
}

fn discover<W: Write>(
    config: &std::path::Path,
    settings: &Settings,
    out: &mut Emitter<W>,
) -> Result<i32, Error> {
    config::load(config, settings.now())?;
    out.catalog(STREAMS)?;
    Ok(0)
}

/// `catalog`: a configured catalog of the chosen streams, in `mode`.
fn configured_catalog<W: Write>(
    streams: Option<&str>,
    mode: &str,
    out: &mut Emitter<W>,
) -> Result<i32, Error> {
    let mode = match mode {
        "full_refresh" => SyncMode::FullRefresh,
        _ => SyncMode::Incremental,
    };
    out.configured_catalog(&catalog::choose(streams, mode)?)?;
    Ok(0)
}

/// `check`: always exactly one CONNECTION_STATUS and exit code 0.
async fn check<W: Write>(
    config: &std::path::Path,
    settings: &Settings,
    out: &mut Emitter<W>,
) -> Result<i32, Error> {
    let note = api_url::elsewhere_note(&settings.http.base_url).unwrap_or_default();
    let outcome = connection_check(config, settings).await.map_err(|e| {
        tracing::error!(error = %e, "Check failed.");
        if e.from_request() {
            format!("{e}{note}")
        } else {
            e.to_string()
        }
    });
    out.connection_status(outcome)?;
    Ok(0)
}

/// Validates the config, then asks every endpoint for one record. Succeeds
/// when at least one endpoint answers; the note names the streams this
/// business cannot read (an endpoint that refuses while others answer: a
/// feature not enabled, which `read` skips) and those that failed otherwise.
/// Every endpoint refusing is a rejected key.
async fn connection_check(
    config: &std::path::Path,
    settings: &Settings,
) -> Result<Option<String>, Error> {
    let config = config::load(config, settings.now())?;
    let retry = RetryPolicy {
        max_attempts: settings.http.retry.max_attempts.min(3),
        max_rate_limited_attempts: settings.http.retry.max_rate_limited_attempts.min(3),
        ..settings.http.retry.clone()
    };
    // A couple of dozen requests: sent at once rather than paced (Paystack's
    // limit is per minute); an exhausted window still pauses them.
    let client = Arc::new(Client::new(
        &config.secret_key,
        HttpSettings {
            retry,
            ..settings.http.clone()
        },
        Arc::new(RateLimiter::new(None)),
    )?);
    // Child streams are read through their parent's endpoint.
    let listed: Vec<&'static StreamDef> = STREAMS.iter().filter(|d| d.parent.is_none()).collect();
    let mut tasks = JoinSet::new();
    for (i, def) in listed.iter().copied().enumerate() {
        let client = Arc::clone(&client);
        tasks.spawn(async move {
            let query = crate::paging::first_query(def.paging, 1);
            (
                i,
                client
                    .list(def.path, Fields::default(), query.pairs(), &|_| {})
                    .await,
            )
        });
    }
    let mut results: Vec<Option<Error>> = (0..listed.len()).map(|_| None).collect();
    while let Some(joined) = tasks.join_next().await {
        let (i, result) = joined.map_err(|e| Error::Internal(format!("check task: {e}")))?;
        results[i] = result.err();
    }
    let failed = results.iter().filter(|r| r.is_some()).count();
    if failed == listed.len() {
        // Nothing readable. Every endpoint refusing is the key; otherwise
        // the first failure says why (the network, most likely).
        let all_refused = results.iter().flatten().all(|e| e.refusal().is_some());
        let first = results.into_iter().flatten().next().expect("all failed");
        return Err(if all_refused {
            first.key_rejected()
        } else {
            first
        });
    }
    let ignored = config
        .ignored_note()
        .map(|n| format!(" {n}"))
        .unwrap_or_default();
    if failed == 0 {
        return Ok(Some(format!(
            "All {} streams can be read.{ignored}",
            STREAMS.len()
        )));
    }
    let (mut closed, mut broken) = (Vec::new(), Vec::new());
    for (def, error) in listed.iter().zip(results) {
        let Some(error) = error else { continue };
        let names = std::iter::once(def.name)
            .chain(
                STREAMS
                    .iter()
                    .filter(|c| c.parent.is_some_and(|p| p.stream == def.name))
                    .map(|c| c.name),
            )
            .collect::<Vec<_>>()
            .join(", ");
        match error.refusal() {
            Some(answer) => closed.push(format!("{names} ({answer}; {})", def.feature())),
            None => broken.push(format!("{names}: {error}")),
        }
    }
    let mut note = String::from("Connected.");
    if !closed.is_empty() {
        note.push_str(&format!(
            " Not available to this Paystack business, so read skips them (no records, state \
             unchanged): {}.",
            closed.join(" | ")
        ));
    }
    if !broken.is_empty() {
        note.push_str(&format!(
            " Could not be read now (read would fail them; run check again later): {}",
            broken.join(" | ")
        ));
        note.push_str(&api_url::elsewhere_note(&settings.http.base_url).unwrap_or_default());
    }
    note.push_str(&ignored);
    Ok(Some(note))
}

async fn read_command<W: Write>(
    config_path: &std::path::Path,
    catalog_path: &std::path::Path,
    state_path: Option<&std::path::Path>,
    settings: &Settings,
    out: &mut Emitter<W>,
) -> Result<i32, Error> {
    let sync_started = settings.now();
    let config = config::load(config_path, sync_started)?;
    let selected = catalog::load(catalog_path)?;
    let input = match state_path {
        Some(p) => state::load(p)?.for_streams(&selected)?,
        None => state::InputState::default(),
    };
    if let Some(notice) = input.lookback_notice(&selected, &config) {
        tracing::info!("{notice}");
    }
    let client = Arc::new(settings.client(&config, None)?);
    let opts = ReadOptions {
        tuning: settings.tuning,
        concurrency: settings.concurrency,
        sync_started,
    };
    let signals = if settings.catch_signals {
        match Signals::install() {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!(error = %e, "Cannot catch SIGINT and SIGTERM; they end the read at once.");
                None
            }
        }
    } else {
        None
    };
    // The Airbyte writer first, then the drift counts and the accounting
    // (their lines come when a stream's last message is out), then the
    // terminal display for a person watching.
    let mut drift = DriftLog::default();
    let mut accounting = Accounting::default();
    let mut checked = Tee(&mut drift, &mut accounting);
    let mut output = Tee(out, &mut checked);
    let mut terminal = settings.progress.as_deref();
    let mut all;
    let sink: &mut dyn Sink = match &mut terminal {
        Some(terminal) => {
            all = Tee(&mut output, terminal);
            &mut all
        }
        None => &mut output,
    };
    let summary = read::read(client, &config, &selected, &input, opts, signals, sink).await?;
    if let Some(stop) = summary.stopped {
        return Ok(stop.exit_code());
    }
    tracing::info!(
        records = summary.records,
        failed_streams = summary.failed.len(),
        skipped_streams = summary.skipped.len(),
        "Read finished."
    );
    let failed = !summary.failed.is_empty() || summary.rejected_key.is_some();
    Ok(i32::from(failed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_paystack_now_is_an_rfc_3339_date_time_or_the_clock() {
        assert_eq!(parse_now(None).unwrap(), None);
        assert_eq!(parse_now(Some("  ")).unwrap(), None);
        let expected = "2024-03-01T10:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            parse_now(Some("2024-03-01T10:00:00Z")).unwrap(),
            Some(expected)
        );
        assert_eq!(
            parse_now(Some("2024-03-01T11:00:00+01:00")).unwrap(),
            Some(expected)
        );
        for bad in ["2024-03-01", "yesterday", "2024-13-01T00:00:00Z"] {
            let e = parse_now(Some(bad)).unwrap_err();
            assert!(e.to_string().contains("SOURCE_PAYSTACK_NOW"), "{e}");
        }
    }
}
