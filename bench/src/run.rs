//! One benchmark run: a fresh fake Paystack, one `source-paystack read` as a
//! child process, and everything measured about it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use fake_paystack::{
    ENDPOINTS, FakePaystack, Fault, Options, RandomFaults, RateLimit, ResetFormat,
};
use serde::Serialize;

use crate::check::{Checker, Outcome};
use crate::sys::{self, CpuTotals};

/// The secret keys the fake accepts by default.
pub const LIVE_KEY: &str = "sk_live_fakepaystack000";
pub const TEST_KEY: &str = "sk_test_fakepaystack000";

/// The fake's rate-limit window, as at Paystack.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Paystack's limits per window: live and test keys.
pub const LIVE_LIMIT: u32 = 600;
pub const TEST_LIMIT: u32 = 100;

/// The benchmark's streams, Airbyte's eight, each with records in every scenario.
pub const STREAMS: [&str; 8] = [
    "customers",
    "disputes",
    "invoices",
    "refunds",
    "settlements",
    "subscriptions",
    "transactions",
    "transfers",
];

/// The sample catalog shipped in `sample_files/`; the harness keeps its
/// entries for the streams a run reads (the sample lists every stream of the
/// connector, each incremental where it can be).
const SAMPLE_CATALOG: &str = include_str!("../../sample_files/configured_catalog.json");

/// The configured catalog of `names` (e.g. [`STREAMS`]), as JSON text.
///
/// # Errors
/// The sample catalog is not JSON or lacks one of the streams.
pub fn catalog(names: &[&str]) -> Result<String, String> {
    let mut v: serde_json::Value =
        serde_json::from_str(SAMPLE_CATALOG).map_err(|e| format!("sample catalog: {e}"))?;
    let streams = v["streams"]
        .as_array_mut()
        .ok_or("sample catalog: no streams")?;
    streams.retain(|s| {
        s["stream"]["name"]
            .as_str()
            .is_some_and(|n| names.contains(&n))
    });
    for &name in names {
        if !streams.iter().any(|s| s["stream"]["name"] == name) {
            return Err(format!("sample catalog: no stream {name}"));
        }
    }
    Ok(v.to_string())
}

/// What one run is.
#[derive(Debug, Clone, Serialize)]
pub struct Spec {
    /// 1 to 11: the scenario (see the crate docs).
    pub scenario: u8,
    /// A short name for the table, e.g. `1M records`.
    pub variant: String,
    /// false: `SOURCE_PAYSTACK_CONCURRENCY=1`.
    pub concurrent: bool,
    /// Records in all, spread evenly over the eight streams.
    pub records: u64,
    pub latency_ms: u64,
    /// The fake limits each key to its limit per 60-second window.
    pub rate_limited: bool,
    /// How the fake's `x-ratelimit-reset` says when its window ends.
    #[serde(serialize_with = "as_text")]
    pub reset_format: ResetFormat,
    pub key: &'static str,
    /// `requests_per_minute` in the config; `None` leaves it out (defaults).
    pub config_requests_per_minute: Option<u64>,
    /// Share of requests the fake refuses with a transient 429 (its
    /// `429-window` fault: the key's limit and its window's real
    /// remaining/reset), drawn at random; 0: none.
    pub injected_429_rate: f64,
}

impl Spec {
    pub fn mode(&self) -> &'static str {
        if self.concurrent {
            "concurrent"
        } else {
            "sequential"
        }
    }

    /// The fake's limit for this run's key, per minute, if it limits.
    pub fn allowed_per_minute(&self) -> Option<u32> {
        self.rate_limited.then(|| {
            if self.key.starts_with("sk_live_") {
                LIVE_LIMIT
            } else {
                TEST_LIMIT
            }
        })
    }

    /// A file-name stem, e.g. `s1-1000000-concurrent`.
    fn slug(&self) -> String {
        format!("s{}-{}-{}", self.scenario, self.records, self.mode())
    }
}

fn as_text<S: serde::Serializer>(f: &ResetFormat, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(f)
}

/// Everything measured in one run.
#[derive(Debug, Clone, Serialize)]
pub struct Measured {
    pub spec: Spec,
    /// From spawning the connector to `wait4` returning.
    pub seconds: f64,
    pub exit_code: Option<i32>,
    pub exit_signal: Option<i32>,
    /// `ru_maxrss` of the connector, KiB.
    pub peak_rss_kib: u64,
    /// Largest `VmHWM` seen by sampling `/proc/PID/status` every 20 ms
    /// (a cross-check of `peak_rss_kib`; may miss the last moments).
    pub sampled_hwm_kib: u64,
    pub output: Outcome,
    /// API requests the fake received, answered 200, and answered 429.
    pub requests: u64,
    pub requests_ok: u64,
    pub requests_429: u64,
    /// The 429s the fake sent because the key was over its limit (the
    /// rest were injected).
    pub requests_429_over_limit: u64,
    pub requests_other: u64,
    /// Records the fake put in pages (more than `records` when pages are
    /// fetched and discarded, e.g. before a dense slice is split).
    pub records_served: u64,
    pub records_per_s: f64,
    /// Answered requests (not 429s) per second over the run.
    pub requests_per_s: f64,
    /// Connector stdout, 10^6 bytes per second.
    pub mb_per_s: f64,
    /// `requests_per_s` ÷ (limit / 60), when the fake limits the rate.
    pub allowed_share: Option<f64>,
    /// CPU seconds: connector (user, system), the fake's thread, the
    /// harness's stdout reader thread.
    pub cpu_connector_user: f64,
    pub cpu_connector_sys: f64,
    pub cpu_fake: f64,
    pub cpu_harness_reader: f64,
    /// Share of the machine's cores busy during the run (all processes).
    pub machine_busy: f64,
    /// CPU seconds the machine spent busy during the run outside the
    /// connector and this harness (other processes, kernel threads): a
    /// measure of interference.
    pub cpu_others: f64,
    pub stderr_log: PathBuf,
}

impl Measured {
    pub fn exit_text(&self) -> String {
        match (self.exit_code, self.exit_signal) {
            (Some(c), _) => c.to_string(),
            (None, Some(s)) => format!("signal {s}"),
            _ => "?".into(),
        }
    }

    pub fn peak_rss_mib(&self) -> f64 {
        self.peak_rss_kib as f64 / 1024.0
    }

    /// Exit 0, every record exactly once, every stream COMPLETE.
    pub fn complete(&self) -> bool {
        self.exit_code == Some(0) && self.output.all_once()
    }
}

/// A timestamp written in the harness.
pub fn ts(s: &str) -> DateTime<Utc> {
    s.parse().expect("a valid timestamp")
}

/// The creation time of the oldest record, and the config's `start_date`.
pub const DATA_START: &str = "2024-01-01T00:00:00Z";

/// Records are created evenly from [`DATA_START`] up to the start of today
/// (UTC), so they fill the connector's whole window (`start_date` .. now)
/// evenly, and the connector's time slices, hence its request counts, do not
/// depend on the day the benchmark runs.
pub fn data_end() -> DateTime<Utc> {
    let now = Utc::now().timestamp();
    DateTime::from_timestamp(now - now.rem_euclid(86_400), 0).expect("a valid time")
}

/// The fake's latency, rate limiting and injected 429s for `spec`, and no
/// records yet (the caller says which, and when they were created).
pub fn fake_options(spec: &Spec) -> Options {
    Options {
        latency: Duration::from_millis(spec.latency_ms),
        rate_limit: spec.rate_limited.then_some(RateLimit {
            live_limit: LIVE_LIMIT,
            test_limit: TEST_LIMIT,
            window: WINDOW,
            reset_format: spec.reset_format,
        }),
        random_faults: (spec.injected_429_rate > 0.0).then(|| RandomFaults {
            rate: spec.injected_429_rate,
            kinds: vec![Fault::RateLimitedInWindow],
            seed: 1,
        }),
        ..Options::default()
    }
}

/// A running fake, and its thread's id (for its CPU time) when found.
pub struct Fake {
    pub server: FakePaystack,
    pub tid: Option<u32>,
}

/// Starts a fake with `options` on its own thread.
///
/// # Errors
/// The fake cannot start.
pub fn spawn_fake(options: Options) -> Result<Fake, String> {
    let before: Vec<u32> = sys::threads_named("fake-paystack");
    let server = FakePaystack::spawn(options).map_err(|e| e.to_string())?;
    // The thread names itself once it runs: look for it for a moment.
    let mut tid = None;
    for _ in 0..1000 {
        tid = sys::threads_named("fake-paystack")
            .into_iter()
            .find(|t| !before.contains(t));
        if tid.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    Ok(Fake { server, tid })
}

/// The config of `spec`: its key, `start_date`, no lookback, and its
/// `requests_per_minute` if it has one.
pub fn config(spec: &Spec, start_date: &str) -> serde_json::Value {
    let mut config = serde_json::json!({
        "secret_key": spec.key,
        "start_date": start_date,
        "lookback_window_days": 0,
    });
    if let Some(rpm) = spec.config_requests_per_minute {
        config["requests_per_minute"] = rpm.into();
    }
    config
}

/// One connector process to run against a running fake.
pub struct Launch<'a> {
    pub spec: &'a Spec,
    /// Names this run's files in the work directory.
    pub slug: String,
    pub config: &'a serde_json::Value,
    /// The configured catalog, as JSON text.
    pub catalog: &'a str,
    /// The state to resume from (`--state`), as JSON text.
    pub state: Option<&'a str>,
    /// The sync's clock (`SOURCE_PAYSTACK_NOW`); `None`: the real one.
    pub now: Option<DateTime<Utc>>,
    /// Each stream's name and the ids to check its records against,
    /// ascending.
    pub truth: Vec<(String, Vec<u64>)>,
}

/// Runs `spec` with the connector binary `connector` against a fresh fake,
/// writing the config, catalog and connector log under `work`.
///
/// # Errors
/// The fake cannot start, the files cannot be written, or the connector
/// cannot be started or waited for.
pub fn run(spec: &Spec, connector: &Path, work: &Path) -> Result<Measured, String> {
    let per_stream = spec.records / STREAMS.len() as u64;
    let mut records = std::collections::BTreeMap::new();
    for name in STREAMS {
        let e = ENDPOINTS
            .iter()
            .find(|e| e.stream == name)
            .ok_or_else(|| format!("the fake has no stream {name}"))?;
        records.insert(e.stream, per_stream);
    }
    // A fresh fake for every run: its rate-limit windows (per key) and its
    // counters then start at zero with the run.
    let fake = spawn_fake(Options {
        records,
        start: ts(DATA_START),
        end: data_end(),
        ..fake_options(spec)
    })?;
    let truth = STREAMS
        .iter()
        .map(|s| ((*s).to_owned(), fake.server.all_ids(s)))
        .collect();
    let launch = Launch {
        spec,
        slug: spec.slug(),
        config: &config(spec, DATA_START),
        catalog: &catalog(&STREAMS)?,
        state: None,
        now: None,
        truth,
    };
    measure(&fake, launch, connector, work)
}

/// Runs the connector once as `launch` says against `fake`, whose counters
/// are zeroed first so that they count this run's requests.
///
/// # Errors
/// The files cannot be written, or the connector cannot be started or
/// waited for.
pub fn measure(
    fake: &Fake,
    launch: Launch<'_>,
    connector: &Path,
    work: &Path,
) -> Result<Measured, String> {
    let spec = launch.spec;
    std::fs::create_dir_all(work).map_err(|e| format!("{}: {e}", work.display()))?;
    let slug = &launch.slug;
    let config_path = work.join(format!("{slug}.config.json"));
    let catalog_path = work.join(format!("{slug}.catalog.json"));
    let state_path = work.join(format!("{slug}.state.json"));
    let log_path = work.join(format!("{slug}.stderr.log"));
    let write =
        |p: &Path, text: &str| std::fs::write(p, text).map_err(|e| format!("{}: {e}", p.display()));
    write(&config_path, &launch.config.to_string())?;
    write(&catalog_path, launch.catalog)?;
    if let Some(state) = launch.state {
        write(&state_path, state)?;
    }
    let log =
        std::fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;

    let result_path = work.join(format!("{slug}.rusage"));
    let _ = std::fs::remove_file(&result_path);
    let me = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    // Through the trampoline: see `sys::trampoline` for why.
    let mut cmd = Command::new(me);
    cmd.arg(sys::TRAMPOLINE)
        .arg(&result_path)
        .arg(connector)
        .arg("read")
        .arg("--config")
        .arg(&config_path)
        .arg("--catalog")
        .arg(&catalog_path)
        .env("PAYSTACK_API_URL", fake.server.uri())
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log));
    // The connector's defaults, whatever the caller's environment says.
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("SOURCE_PAYSTACK_") {
            cmd.env_remove(k);
        }
    }
    if !spec.concurrent {
        cmd.env("SOURCE_PAYSTACK_CONCURRENCY", "1");
    }
    if launch.state.is_some() {
        cmd.arg("--state").arg(&state_path);
    }
    if let Some(now) = launch.now {
        cmd.env("SOURCE_PAYSTACK_NOW", now.to_rfc3339());
    }

    fake.server.reset_stats();
    let fake_cpu_before = fake.tid.and_then(sys::task_cpu);
    let machine_before = CpuTotals::now();
    let harness_before = sys::process_cpu();
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", connector.display()))?;
    let pid = child.id();
    let stdout = child.stdout.take().expect("stdout is piped");
    let checker = Checker::new(launch.truth);
    let reader = std::thread::Builder::new()
        .name("bench-reader".into())
        .spawn(move || {
            let outcome = checker.consume(stdout);
            (outcome, sys::thread_cpu())
        })
        .map_err(|e| e.to_string())?;
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut hwm = 0;
            let mut connector = None;
            while !stop.load(Ordering::Relaxed) {
                if connector.is_none() {
                    connector = sys::first_child(pid);
                }
                if let Some((h, _)) = connector.and_then(sys::vm_hwm_rss) {
                    hwm = hwm.max(h);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            hwm
        })
    };

    let trampoline = sys::wait4(pid).map_err(|e| format!("wait4: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let machine_after = CpuTotals::now();
    let harness_cpu = sys::process_cpu().saturating_sub(harness_before);
    let machine_busy = machine_after.busy_since(&machine_before);
    let machine_busy_seconds = machine_after.busy_seconds_since(&machine_before);
    let fake_cpu = match (fake.tid.and_then(sys::task_cpu), fake_cpu_before) {
        (Some(after), Some(before)) => after.saturating_sub(before).as_secs_f64(),
        _ => f64::NAN,
    };
    stop.store(true, Ordering::Relaxed);
    let sampled_hwm_kib = sampler.join().unwrap_or(0);
    let (output, reader_cpu) = reader.join().map_err(|_| "the reader thread panicked")?;
    let output = output.map_err(|e| format!("reading the connector's stdout: {e}"))?;
    // Reaped already; dropping `Child` neither waits nor kills.
    drop(child);
    if trampoline.code != Some(0) {
        return Err(format!(
            "the measuring trampoline failed ({trampoline:?}); see {}",
            log_path.display()
        ));
    }
    let (reaped, _connector_pid) = sys::read_trampoline_result(&result_path)?;

    let stats = fake.server.stats();
    let status = |code: u16| stats.by_status.get(&code).copied().unwrap_or(0);
    let requests_ok = status(200);
    let requests_429 = status(429);
    let requests_per_s = requests_ok as f64 / seconds;
    Ok(Measured {
        seconds,
        exit_code: reaped.code,
        exit_signal: reaped.signal,
        peak_rss_kib: reaped.max_rss_kib,
        sampled_hwm_kib,
        requests: stats.requests,
        requests_ok,
        requests_429,
        requests_429_over_limit: stats.rate_limited_by_limit,
        requests_other: stats.requests - requests_ok - requests_429,
        records_served: stats.records_served,
        records_per_s: output.records as f64 / seconds,
        requests_per_s,
        mb_per_s: output.bytes as f64 / 1e6 / seconds,
        allowed_share: spec
            .allowed_per_minute()
            .map(|limit| requests_per_s / (f64::from(limit) / 60.0)),
        cpu_connector_user: reaped.user.as_secs_f64(),
        cpu_connector_sys: reaped.system.as_secs_f64(),
        cpu_fake: fake_cpu,
        cpu_harness_reader: reader_cpu.as_secs_f64(),
        machine_busy,
        cpu_others: (machine_busy_seconds
            - harness_cpu.as_secs_f64()
            - reaped.user.as_secs_f64()
            - reaped.system.as_secs_f64())
        .max(0.0),
        output,
        stderr_log: log_path,
        spec: spec.clone(),
    })
}
