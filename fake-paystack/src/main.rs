//! The `fake-paystack` command: runs the fake Paystack API until SIGINT or
//! SIGTERM. It prints exactly one line to stdout,
//! `fake-paystack listening on http://HOST:PORT`, and logs to stderr.
//! See the crate README for every flag.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::net::IpAddr;
use std::process::ExitCode;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::{Parser, ValueEnum};
use fake_paystack::endpoints::top_level;
use fake_paystack::{
    Behaviour, BoundPrecision, ENDPOINTS, FakePaystack, FaultRule, MAX_CHILDREN_PER_PARENT,
    Options, RandomFaults, RateLimit, ResetFormat, TieOrder, TimeFormat, Unavailable,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OnOff {
    On,
    Off,
}

/// A fake Paystack API (list endpoints) for tests, demos and benchmarks.
#[derive(Debug, Parser)]
#[command(name = "fake-paystack", version)]
struct Cli {
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to bind (0: a free port; the line on stdout tells which).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Generated records per top-level stream (child streams are derived
    /// from their parents).
    #[arg(long, default_value_t = 1000, conflicts_with = "total")]
    records: u64,
    /// Generated records in all, spread evenly over the top-level streams.
    #[arg(long)]
    total: Option<u64>,
    /// Records of one top-level stream, e.g. `customers=100` (repeatable;
    /// overrides --records/--total for that stream).
    #[arg(long = "stream-records", value_name = "STREAM=N", value_parser = parse_stream_records)]
    stream_records: Vec<(&'static str, u64)>,
    /// Average children per parent of a child endpoint (settlement
    /// transactions, bulk charge items): each parent has 0 to twice this.
    #[arg(long, default_value_t = 4)]
    children_per_parent: u64,
    /// Creation time of the oldest generated record (date or date-time, UTC).
    #[arg(long, value_parser = parse_time, default_value = "2024-01-01T00:00:00Z")]
    start: DateTime<Utc>,
    /// Generated records are created before this.
    #[arg(long, value_parser = parse_time, default_value = "2026-01-01T00:00:00Z")]
    end: DateTime<Utc>,
    /// Seed of the generated values and the random faults.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// An accepted secret key (repeatable). Default: sk_test_fakepaystack000
    /// and sk_live_fakepaystack000.
    #[arg(long = "key", value_name = "KEY")]
    keys: Vec<String>,
    /// Delay added to every API request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// A random extra delay of up to this many milliseconds per request.
    #[arg(long, default_value_t = 0)]
    jitter_ms: u64,
    /// Paystack-style rate limiting per key.
    #[arg(long, value_enum, default_value = "off")]
    rate_limit: OnOff,
    /// Requests per window for sk_live_ keys.
    #[arg(long, default_value_t = 600)]
    live_limit: u32,
    /// Requests per window for other (test) keys.
    #[arg(long, default_value_t = 100)]
    test_limit: u32,
    /// Rate-limit window length in seconds (fractions allowed).
    #[arg(long, default_value_t = 60.0)]
    window_secs: f64,
    /// How x-ratelimit-reset says when the window ends: seconds (left,
    /// rounded up), unix (Unix seconds), unix-ms (Unix milliseconds),
    /// http-date, or junk (not a time). Also on the 429 faults.
    #[arg(long, default_value = "seconds", value_parser = parse_reset_format)]
    reset_format: ResetFormat,
    /// Probability (0..=1) that a request gets a random fault.
    #[arg(long, default_value_t = 0.0)]
    fault_rate: f64,
    /// Comma-separated kinds of random faults, or `all`. Kinds: 500, 502,
    /// 503, 504, 400, 401, 403, 404, 429[:RESET[:RETRY_AFTER]], 429-window, drop,
    /// truncate, html, html502, slow[:MS], false[:MESSAGE], no-meta,
    /// per-page-string, lose-record, no-total, total:+N|-N.
    #[arg(long, default_value = "500,502,503,504,429,drop,truncate,html502")]
    fault_kinds: String,
    /// A scripted fault (repeatable): `N=KIND` (the Nth request),
    /// `N+C=KIND` (C requests from the Nth), `PATH#N=KIND` (the Nth request
    /// to PATH), `PATH=KIND` (every request to PATH).
    #[arg(long = "fault", value_name = "WHEN=KIND")]
    faults: Vec<FaultRule>,
    /// An endpoint the business lacks (repeatable): `PATH=STATUS[:MESSAGE]`,
    /// e.g. `/dedicated_account=404:"Feature unavailable"`, or a feature's
    /// endpoints at once: `terminal=403`, `dedicated_accounts=404`,
    /// `commerce=400`. Answered after authentication and rate limiting.
    #[arg(long = "unavailable", value_name = "PATH=STATUS[:MESSAGE]", value_parser = parse_unavailable)]
    unavailable: Vec<Vec<Unavailable>>,
    /// `from` excludes records created exactly at `from`.
    #[arg(long)]
    from_exclusive: bool,
    /// `to` excludes records created exactly at `to`.
    #[arg(long)]
    to_exclusive: bool,
    /// Largest page served (a larger perPage is clamped).
    #[arg(long)]
    max_per_page: Option<u32>,
    /// With --max-per-page: meta.pageCount from the perPage asked for.
    #[arg(long)]
    page_count_from_requested: bool,
    /// Send meta.perPage as a string.
    #[arg(long)]
    per_page_as_string: bool,
    /// Leave meta out of list responses.
    #[arg(long)]
    omit_meta: bool,
    /// How record date-times are written: millis (2024-01-01T00:00:00.000Z),
    /// seconds (2024-01-01T00:00:00Z) or offset (2024-01-01T01:00:00+01:00).
    #[arg(long, value_name = "FORMAT", default_value = "millis")]
    time_format: TimeFormat,
    /// Order of records created in the same second: id-desc, id-asc,
    /// shuffled (by a hash of the seed and the id) or per-page (drawn anew
    /// for each offset page).
    #[arg(long, value_name = "ORDER", default_value = "id-desc")]
    ties: TieOrder,
    /// How the fraction of a second of from/to is read: millis, truncated or
    /// rounded.
    #[arg(long, value_name = "PRECISION", default_value = "millis")]
    bound_precision: BoundPrecision,
    /// Cursor lists send an absent meta.next/meta.previous as the string "null".
    #[arg(long)]
    null_cursor_as_string: bool,
    /// Every Nth list request inserts one record created now.
    #[arg(long)]
    grow_every: Option<u32>,
    /// With --grow-every: the record is created inside the from/to the
    /// request asks for (its newest second), so the list grows while read.
    #[arg(long)]
    grow_in_range: bool,
    /// Runtime threads (1: a single-threaded runtime, one core).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Log filter for stderr (RUST_LOG wins when set), e.g. `debug`.
    #[arg(long, default_value = "info")]
    log: String,
}

fn parse_stream_records(s: &str) -> Result<(&'static str, u64), String> {
    let (name, n) = s
        .split_once('=')
        .ok_or_else(|| format!("expected STREAM=N, got {s:?}"))?;
    let endpoint = ENDPOINTS
        .iter()
        .find(|e| e.stream == name.trim())
        .ok_or_else(|| {
            format!(
                "unknown stream {name:?}; streams: {}",
                top_level().map(|e| e.stream).collect::<Vec<_>>().join(", ")
            )
        })?;
    if let Some(p) = endpoint.parent {
        return Err(format!(
            "{} is derived from its parent ({}); use --children-per-parent",
            endpoint.stream, p.stream
        ));
    }
    let n = n
        .trim()
        .parse()
        .map_err(|_| format!("bad record count in {s:?}"))?;
    Ok((endpoint.stream, n))
}

fn parse_unavailable(s: &str) -> Result<Vec<Unavailable>, String> {
    fake_paystack::availability::parse(s)
}

fn parse_reset_format(s: &str) -> Result<ResetFormat, String> {
    s.parse()
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    fake_paystack::time::parse_datetime(s).ok_or_else(|| format!("not a date or date-time: {s:?}"))
}

impl Cli {
    fn options(&self) -> Result<Options, String> {
        let mut records = BTreeMap::new();
        match self.total {
            Some(total) => {
                let n = top_level().count() as u64;
                for (i, e) in top_level().enumerate() {
                    records.insert(e.stream, total / n + u64::from((i as u64) < total % n));
                }
            }
            None => {
                for e in top_level() {
                    records.insert(e.stream, self.records);
                }
            }
        }
        for (stream, n) in &self.stream_records {
            records.insert(*stream, *n);
        }
        let random_faults = if self.fault_rate > 0.0 {
            Some(RandomFaults {
                rate: self.fault_rate,
                kinds: fake_paystack::faults::parse_kinds(&self.fault_kinds)?,
                seed: self.seed,
            })
        } else {
            None
        };
        if self.children_per_parent > MAX_CHILDREN_PER_PARENT {
            return Err(format!(
                "--children-per-parent must be at most {MAX_CHILDREN_PER_PARENT}"
            ));
        }
        if !(self.window_secs > 0.0 && self.window_secs.is_finite()) {
            return Err("--window-secs must be positive".into());
        }
        let defaults = Options::default();
        Ok(Options {
            host: self.host,
            port: self.port,
            keys: if self.keys.is_empty() {
                defaults.keys
            } else {
                self.keys.clone()
            },
            records,
            default_records: 0,
            children_per_parent: self.children_per_parent,
            start: self.start,
            end: self.end,
            seed: self.seed,
            behaviour: Behaviour {
                from_inclusive: !self.from_exclusive,
                to_inclusive: !self.to_exclusive,
                max_per_page: self.max_per_page,
                page_count_from_requested: self.page_count_from_requested,
                per_page_as_string: self.per_page_as_string,
                omit_meta: self.omit_meta,
                time_format: self.time_format,
                ties: self.ties,
                bound_precision: self.bound_precision,
                null_cursor_as_string: self.null_cursor_as_string,
            },
            latency: Duration::from_millis(self.latency_ms),
            latency_jitter: Duration::from_millis(self.jitter_ms),
            rate_limit: (self.rate_limit == OnOff::On).then(|| RateLimit {
                live_limit: self.live_limit,
                test_limit: self.test_limit,
                window: Duration::from_secs_f64(self.window_secs),
                reset_format: self.reset_format,
            }),
            faults: self.faults.clone(),
            random_faults,
            grow_every: self.grow_every,
            unavailable: self.unavailable.concat(),
            grow_in_range: self.grow_in_range,
            log_requests: false,
        })
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(&cli.log))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let options = match cli.options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("fake-paystack: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = if cli.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(cli.threads)
            .enable_all()
            .build()
    };
    let runtime = match runtime {
        Ok(r) => r,
        Err(e) => {
            eprintln!("fake-paystack: cannot start a runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let server = match FakePaystack::start(options).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        };
        let mut out = std::io::stdout().lock();
        let printed =
            writeln!(out, "fake-paystack listening on {}", server.uri()).and_then(|()| out.flush());
        drop(out);
        if let Err(e) = printed {
            eprintln!("fake-paystack: cannot write to stdout: {e}");
        }
        wait_for_signal().await;
        tracing::info!("signal received; stopping");
        server.shutdown().await;
        ExitCode::SUCCESS
    })
}
