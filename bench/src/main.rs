//! The benchmark of `source-paystack` against the fake Paystack.
//!
//! Run it with `scripts/bench.sh` (which builds the release binaries first);
//! `scripts/bench.sh --help` lists the flags. It is a command, not a test:
//! it runs every scenario in turn and prints one table at the end.
//!
//! # Scenarios
//! 1. **Throughput**: no added latency, all eight streams, 1,000,000 records
//!    in total (125,000 a stream), live key with `"requests_per_minute":
//!    100000000` in the config so the connector's pacing does not bind, and
//!    no rate limiting in the fake. Run again with 100,000 records to show
//!    that peak memory stays flat when the record count grows tenfold.
//!    Targets: at least 100,000 records/s, under 50 MiB peak RSS, and peak
//!    RSS at 1M at most 1.5 times that at 100k.
//! 2. **Live key**: 100 ms latency per request, the fake limiting the live key
//!    to 600 requests per 60-second window, the connector on its defaults (no
//!    `requests_per_minute`: it paces itself at Paystack's documented 600 a
//!    minute). 160,000 records, 20,000 a stream: each stream's first page
//!    shows 101 pages, more than a slice may hold, so the connector discards
//!    it and splits the window into 4 slices of 25 or 26 pages: 832
//!    requests in all (8 × 104), about 84 s at the allowed rate, so the run
//!    spans two rate-limit windows.
//! 3. **Test key**: the same with the test key and 100 requests a minute.
//!    27,200 records: 8 × 17 pages = 136 requests, about 81 s.
//!
//!    Targets for 2 and 3: at least 90% of the allowed request rate over the
//!    run, exit status 0 and no record lost.
//! 4. **429s, live key**: scenario 2 with 5% of the requests refused by a
//!    transient 429 (drawn at random, seeded): the fake's `429-window` fault,
//!    which announces the key's real limit in `x-ratelimit-limit` and its
//!    window's real `x-ratelimit-remaining` and `-reset` (the window still
//!    has room), and uses no quota. 176,000 records: 920 requests answered
//!    200 (the split slices of 22,000 records a stream) and about 48
//!    refused, about 97 s at the allowed rate. The connector must climb back
//!    to the allowed pace after each slow-down. Target: as for 2 and 3; the
//!    429s do not count as requests, though they take their slots in the
//!    connector's pace, so 95% is the most there is.
//! 5. **429s, test key**: the same with the test key, 100 a minute, 30,400
//!    records (8 × 19 pages: 152 requests answered 200, about 8 refused,
//!    about 96 s): 429s that announce the test key's 100 a minute.
//! 6. to 10. **Each form of `x-ratelimit-reset`**: seconds left (6), a Unix
//!    time in seconds (7) or milliseconds (8), an HTTP date (9), junk (10).
//!    Scenario 3 otherwise: the test key, 100 ms latency, the fake allowing
//!    100 requests per 60-second window, the rate the connector keeps to for
//!    a test key. The window's 100th answer says `x-ratelimit-remaining: 0`,
//!    and the connector waits for the reset it read (a reset misread as an
//!    hour away would stall it for the 60 s cap). 22,400 records, 8 × 14
//!    pages: 112 requests, about 67 s, so each run crosses a window's end.
//!    Targets as for 2 and 3.
//!
//! 11. **The refresh sweep's cost** ([`sweep`]): 35 daily syncs of
//!     `transactions` on a simulated clock (`SOURCE_PAYSTACK_NOW`), against
//!     one fake holding 1,000,000 transactions created evenly over the three
//!     years before the first sync, plus each day's new ones (about 913),
//!     each sync run with `refresh_window_days: 30` and without, from a
//!     state as after a full sync (lookback 0, pacing off). Figures: the
//!     extra requests per sync (with − without) against the budget
//!     ceil(history / 200) / 30 and the sweep's own 1/29, the time they add
//!     at 600 requests a minute, and one pair of syncs measured at the live
//!     key's 600 a minute. Targets: the median steady sync's extra within
//!     110% of its budget; every sync exits 0 and emits exactly the records
//!     of its window and swept ranges, none twice.
//!
//! Scenarios 1 to 10 run twice: *concurrent* (the connector's defaults, 8
//! requests in flight) and *sequential* (`SOURCE_PAYSTACK_CONCURRENCY=1`).
//! The targets apply to the concurrent runs; the sequential figures are shown
//! for comparison (`cmp:` in the table). Scenario 11 runs on the defaults.
//!
//! # How one run is measured
//! - A fresh fake Paystack is started in this process with
//!   [`fake_paystack::FakePaystack::spawn`]: its own thread and a
//!   single-threaded runtime, so it uses one core at most. Records are spread
//!   evenly over the eight streams, created evenly from 2024-01-01 to the
//!   start of today (UTC), so they fill the sync window evenly.
//!   A fresh fake per run means its counters and its rate-limit windows
//!   (which open at a key's first request) start with the run.
//! - The harness writes a config (`sk_live_fakepaystack000` or
//!   `sk_test_fakepaystack000`, `start_date` 2024-01-01T00:00:00Z) and the
//!   catalog of the eight streams (from `sample_files/configured_catalog.json`) to
//!   `target/bench-runs/`, then starts `target/release/source-paystack read`
//!   with `PAYSTACK_API_URL` pointing at the fake. Inherited
//!   `SOURCE_PAYSTACK_*` and `RUST_LOG` variables are removed so the
//!   connector runs on its defaults. Its stderr goes to a log file there.
//! - A reader thread consumes the connector's stdout through a pipe as it
//!   arrives (as Airbyte would): it counts lines, bytes, RECORD messages per
//!   stream, STATE messages, ERROR traces and final stream statuses, and
//!   checks every record's id against the fake's ground truth
//!   ([`fake_paystack::FakePaystack::all_ids`]): each id exactly once.
//!   Records are not parsed into JSON trees; see [`check`].
//! - **Seconds**: wall time from spawning the connector until `wait4`
//!   returns (process start-up and shutdown included).
//! - **Peak RSS**: `ru_maxrss` from `wait4` on the connector: the kernel's
//!   exact high-water mark of its resident set, not a sample. Linux folds
//!   into a process's `ru_maxrss` the peak RSS of the image it replaced at
//!   `exec`, so a child spawned straight from the harness would report at
//!   least the harness's own peak (which holds the ground truth of every
//!   record id). The connector is therefore started through a trampoline,
//!   this binary run as `bench __measure`, which forks it from a 1 MiB image
//!   and reports its `wait4` figures ([`sys::trampoline`]). A sampler reading
//!   `VmHWM` from `/proc/PID/status` every 20 ms cross-checks the figure.
//! - **Requests**: from the fake's counters: requests answered 200
//!   (`requests`, used for requests/s) and answered 429 (`429s`, reported
//!   separately).
//! - **records/s** = records received ÷ seconds; **requests/s** = requests
//!   answered 200 ÷ seconds; **MB/s** = stdout bytes ÷ 10^6 ÷ seconds;
//!   **% of allowed** = requests/s ÷ (limit ÷ 60).
//! - **CPU**: the connector's user and system time (`wait4`), the fake
//!   thread's (`/proc/self/task/TID/stat`), the reader thread's
//!   (`CLOCK_THREAD_CPUTIME_ID`) and the machine's busy share (`/proc/stat`),
//!   printed per run under the table. The fake, the connector and this
//!   harness share the machine's cores.
//!
//! Scenario 11 measures each sync the same way (its own table, under the
//! main one), with the fake's counters zeroed before each sync.
//!
//! The results also go to `target/bench-results.json`. The exit status is 0
//! when every target is met, 1 when one is not, 2 when the harness failed.

mod check;
mod report;
mod run;
mod sweep;
mod sys;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};

use crate::report::thousands;
use crate::run::{LIVE_KEY, Measured, Spec, TEST_KEY};
use fake_paystack::ResetFormat;

/// Benchmarks source-paystack against the fake Paystack and prints one table
/// of records/s, requests/s, MB/s and peak RSS against the targets.
#[derive(Debug, Parser)]
#[command(name = "bench")]
struct Cli {
    /// Short runs for a smoke check. Their figures are not measurements:
    /// scenarios 2 to 10 then end well within one rate-limit window.
    #[arg(long)]
    quick: bool,
    /// Run only these scenarios (e.g. `--only 1` or `--only 2,3`).
    #[arg(long, value_delimiter = ',', value_parser = clap::value_parser!(u8).range(1..=11))]
    only: Vec<u8>,
    /// Which connector modes to run.
    #[arg(long, value_enum, default_value_t = Modes::Both)]
    modes: Modes,
    /// Records in all for scenario 1 (the memory check runs a tenth of it).
    #[arg(long)]
    records_1: Option<u64>,
    /// Records in all for scenario 2.
    #[arg(long)]
    records_2: Option<u64>,
    /// Records in all for scenario 3.
    #[arg(long)]
    records_3: Option<u64>,
    /// Records in all for scenario 4.
    #[arg(long)]
    records_4: Option<u64>,
    /// Records in all for scenario 5.
    #[arg(long)]
    records_5: Option<u64>,
    /// Records in all for each of scenarios 6 to 10.
    #[arg(long)]
    records_reset: Option<u64>,
    /// Transactions in the history of scenario 11.
    #[arg(long)]
    sweep_records: Option<u64>,
    /// Daily syncs of scenario 11, with the sweep and without.
    #[arg(long)]
    sweep_syncs: Option<u32>,
    /// The connector binary (default: `source-paystack` next to this binary).
    #[arg(long)]
    connector: Option<PathBuf>,
    /// Where to write the results as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Before each run, wait up to this many seconds for the machine to be
    /// idle (under 10% busy over a second), so that another build or test
    /// does not disturb the figures. 0: do not wait.
    #[arg(long, default_value_t = 0, value_name = "SECONDS")]
    wait_idle: u64,
}

impl Cli {
    /// Whether `--only` leaves `scenario` in.
    fn wants(&self, scenario: u8) -> bool {
        self.only.is_empty() || self.only.contains(&scenario)
    }

    /// The size of scenario 11.
    fn sweep_size(&self) -> sweep::Size {
        let (records, syncs) = if self.quick {
            (100_000, 8)
        } else {
            (1_000_000, 35)
        };
        sweep::Size {
            records: self.sweep_records.unwrap_or(records),
            syncs: self.sweep_syncs.unwrap_or(syncs),
        }
    }
}

/// Waits until the machine is under 10% busy over one second, for at most
/// `max`; returns the last busy share seen.
fn wait_idle(max: std::time::Duration) -> f64 {
    let deadline = std::time::Instant::now() + max;
    let mut said = false;
    loop {
        let before = sys::CpuTotals::now();
        std::thread::sleep(std::time::Duration::from_secs(1));
        let busy = sys::CpuTotals::now().busy_since(&before);
        if busy < 0.10 || std::time::Instant::now() >= deadline {
            return busy;
        }
        if !said {
            said = true;
            println!(
                "      the machine is {:.0}% busy; waiting for it to be idle...",
                busy * 100.0
            );
        }
    }
}

/// Scenarios 4 and 5: the share of requests refused by a transient 429.
const INJECTED_429_RATE: f64 = 0.05;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Modes {
    Both,
    Concurrent,
    Sequential,
}

/// The workspace root (this crate's parent directory).
fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map_or(manifest.clone(), PathBuf::from)
}

fn specs(cli: &Cli) -> Vec<Spec> {
    let (r1, r2, r3, r4, r5) = if cli.quick {
        (100_000, 24_000, 4_000, 24_000, 4_000)
    } else {
        (1_000_000, 160_000, 27_200, 176_000, 30_400)
    };
    let r1 = cli.records_1.unwrap_or(r1);
    let r2 = cli.records_2.unwrap_or(r2);
    let r3 = cli.records_3.unwrap_or(r3);
    let r4 = cli.records_4.unwrap_or(r4);
    let r5 = cli.records_5.unwrap_or(r5);
    let r_reset = cli
        .records_reset
        .unwrap_or(if cli.quick { 4_000 } else { 22_400 });
    let modes: &[bool] = match cli.modes {
        Modes::Both => &[true, false],
        Modes::Concurrent => &[true],
        Modes::Sequential => &[false],
    };
    let mut out = Vec::new();
    for &concurrent in modes {
        if cli.wants(1) {
            // The smaller run first: it also warms the page cache.
            for records in [r1 / 10, r1] {
                out.push(Spec {
                    scenario: 1,
                    variant: format!("no latency, {} rec", thousands(records as f64)),
                    concurrent,
                    records,
                    latency_ms: 0,
                    rate_limited: false,
                    reset_format: ResetFormat::Seconds,
                    key: LIVE_KEY,
                    config_requests_per_minute: Some(100_000_000),
                    injected_429_rate: 0.0,
                });
            }
        }
    }
    // Scenarios 2 to 5 read Paystack's reset as seconds left; 6 to 10 each
    // read one form of x-ratelimit-reset.
    let paced = [
        (2, r2, LIVE_KEY, 600, 0.0, None),
        (3, r3, TEST_KEY, 100, 0.0, None),
        (4, r4, LIVE_KEY, 600, INJECTED_429_RATE, None),
        (5, r5, TEST_KEY, 100, INJECTED_429_RATE, None),
    ]
    .into_iter()
    .chain(
        (6..)
            .zip(ResetFormat::ALL)
            .map(|(n, f)| (n, r_reset, TEST_KEY, 100, 0.0, Some(f))),
    );
    for (scenario, records, key, limit, injected_429_rate, reset) in paced {
        if !cli.wants(scenario) {
            continue;
        }
        for &concurrent in modes {
            out.push(Spec {
                scenario,
                variant: format!(
                    "100 ms, {} {limit}/min,{}{} {} rec",
                    if key == LIVE_KEY { "live" } else { "test" },
                    if injected_429_rate > 0.0 {
                        format!(" {:.0}% 429s,", injected_429_rate * 100.0)
                    } else {
                        String::new()
                    },
                    reset.map_or(String::new(), |f| format!(" reset {f},")),
                    thousands(records as f64)
                ),
                concurrent,
                records,
                latency_ms: 100,
                rate_limited: true,
                reset_format: reset.unwrap_or(ResetFormat::Seconds),
                key,
                config_requests_per_minute: None,
                injected_429_rate,
            });
        }
    }
    out
}

fn header(machine: &sys::Machine) -> String {
    format!(
        "machine: {} cores ({}), {:.1} GiB, Linux {}\ncommit:  {}{}\nrustc:   {}",
        machine.cores,
        machine.cpu_model,
        machine.memory_gib,
        machine.kernel,
        machine.commit,
        if machine.dirty.is_empty() {
            String::new()
        } else {
            format!(" + uncommitted changes in {}", machine.dirty.join(", "))
        },
        machine.rustc
    )
}

fn notes(runs: &[Measured], quick: bool) -> Vec<String> {
    let mut notes = Vec::new();
    if quick {
        notes.push(
            "QUICK RUN: the runs are too short for the measurement (scenarios 2 to 10 last well \
             under one rate-limit window); the figures and verdicts are a smoke check \
             only."
                .into(),
        );
    }
    for m in runs {
        let name = format!("{} {} {}", m.spec.scenario, m.spec.variant, m.spec.mode());
        if m.requests_429 > 0 {
            notes.push(format!(
                "{name}: the fake answered {} requests with 429 ({} injected, {} over the key's \
                 limit; the connector retried them; {} RATE_LIMITED status traces).",
                m.requests_429,
                m.requests_429 - m.requests_429_over_limit,
                m.requests_429_over_limit,
                m.output.rate_limited_traces
            ));
        }
        if m.requests_other > 0 {
            notes.push(format!(
                "{name}: {} requests got a status other than 200 or 429.",
                m.requests_other
            ));
        }
        for e in m.output.error_traces.iter().take(3) {
            notes.push(format!("{name}: ERROR trace: {e}"));
        }
        if m.sampled_hwm_kib > m.peak_rss_kib + 1024 {
            notes.push(format!(
                "{name}: sampled VmHWM {} KiB exceeds ru_maxrss {} KiB (unexpected).",
                m.sampled_hwm_kib, m.peak_rss_kib
            ));
        }
        let others = m.cpu_others / m.seconds.max(1e-9);
        if others > 0.15 {
            notes.push(format!(
                "{name}: other processes used {others:.2} cores during the run (another build or \
                 test on the machine?): its figures are disturbed; run the benchmark again on an \
                 idle machine."
            ));
        } else if m.machine_busy > 0.9 {
            notes.push(format!(
                "{name}: the machine was {:.0}% busy: CPU-bound; the connector, the fake and the \
                 harness share the cores (see the CPU lines).",
                m.machine_busy * 100.0
            ));
        }
        if m.exit_code != Some(0) {
            notes.push(format!(
                "{name}: the connector exited with {}; see {}.",
                m.exit_text(),
                m.stderr_log.display()
            ));
        }
    }
    notes
}

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == sys::TRAMPOLINE) {
        return sys::trampoline(&args[2..]);
    }
    let cli = Cli::parse();
    let root = root();
    let connector = cli.connector.clone().unwrap_or_else(|| {
        std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(|d| d.join("source-paystack")))
            .unwrap_or_else(|| root.join("target/release/source-paystack"))
    });
    if !connector.is_file() {
        eprintln!(
            "bench: no connector binary at {}; run scripts/bench.sh, which builds it.",
            connector.display()
        );
        return ExitCode::from(2);
    }
    let machine = sys::Machine::detect(&root);
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    println!("source-paystack benchmark, {started_at}");
    println!("{}", header(&machine));
    println!("connector: {}", connector.display());
    if cli.quick {
        println!("QUICK RUN (smoke check, not a measurement)");
    }
    let specs = specs(&cli);
    let work = root.join("target/bench-runs");
    let mut runs = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        println!(
            "[{}/{}] scenario {} {} ({}) ...",
            i + 1,
            specs.len(),
            spec.scenario,
            spec.variant,
            spec.mode()
        );
        if cli.wait_idle > 0 {
            let busy = wait_idle(std::time::Duration::from_secs(cli.wait_idle));
            if busy >= 0.10 {
                println!(
                    "      still {:.0}% busy after {} s; running anyway",
                    busy * 100.0,
                    cli.wait_idle
                );
            }
        }
        match run::run(spec, &connector, &work) {
            Ok(m) => {
                println!(
                    "      {:.2} s, {} records ({}), {} requests + {} 429s, {:.0} records/s, \
                     {:.2} requests/s, {:.1} MB/s, peak RSS {:.1} MiB, exit {}",
                    m.seconds,
                    thousands(m.output.records as f64),
                    m.output.summary(),
                    m.requests_ok,
                    m.requests_429,
                    m.records_per_s,
                    m.requests_per_s,
                    m.mb_per_s,
                    m.peak_rss_mib(),
                    m.exit_text()
                );
                runs.push(m);
            }
            Err(e) => {
                eprintln!("bench: run failed: {e}");
                return ExitCode::from(2);
            }
        }
    }

    let sweep = if cli.wants(sweep::SCENARIO) {
        let size = cli.sweep_size();
        println!(
            "[scenario {}] the refresh sweep's cost: {} daily syncs of transactions, with and \
             without refresh_window_days: {}, {} records of history ...",
            sweep::SCENARIO,
            size.syncs,
            sweep::HORIZON_DAYS,
            thousands(size.records as f64)
        );
        match sweep::run(size, &connector, &work) {
            Ok(r) => Some(r),
            Err(e) => {
                eprintln!("bench: scenario {} failed: {e}", sweep::SCENARIO);
                return ExitCode::from(2);
            }
        }
    } else {
        None
    };

    let verdicts = report::verdicts(&runs);
    let all_met = verdicts.iter().all(|v| v.pass || v.comparison_only)
        && sweep.as_ref().is_none_or(sweep::Results::pass);
    println!();
    println!("== Results ==");
    println!("{}", header(&machine));
    if cli.quick {
        println!("QUICK RUN: figures are a smoke check, not a measurement.");
    }
    if !runs.is_empty() {
        println!();
        print!("{}", report::table(&runs, &verdicts));
        println!();
        println!(
            "records/s = records received / seconds; requests = requests the fake answered 200 \
             (429s apart); requests/s = those / seconds; MB/s = connector stdout, 10^6 bytes / s; \
             % of allowed = requests/s / (limit / 60); peak RSS = ru_maxrss of the connector \
             (wait4); 10x records = peak RSS at 1M / at 100k records. Targets apply to the \
             concurrent runs (connector defaults); \"cmp:\" marks a sequential run \
             (SOURCE_PAYSTACK_CONCURRENCY=1), judged for comparison only."
        );
        println!();
        println!("CPU per run (cores = CPU seconds / wall seconds):");
        print!("{}", report::cpu_lines(&runs));
    }
    if let Some(r) = &sweep {
        println!();
        println!(
            "Scenario {}: the refresh sweep's cost (requests = requests the fake answered 200; \
             extra = with the sweep - without):",
            sweep::SCENARIO
        );
        print!("{}", sweep::summary(r));
    }
    let notes = notes(&runs, cli.quick);
    if !notes.is_empty() {
        println!();
        println!("Notes:");
        for n in &notes {
            println!("  - {n}");
        }
    }
    println!();
    println!(
        "{}",
        if all_met {
            "All targets met."
        } else {
            "Some targets NOT met (FAIL above)."
        }
    );
    let json_path = cli
        .json
        .clone()
        .unwrap_or_else(|| root.join("target/bench-results.json"));
    let results = report::Results {
        machine: &machine,
        quick: cli.quick,
        started_at,
        runs: &runs,
        verdicts: &verdicts,
        sweep: sweep.as_ref(),
        all_targets_met: all_met,
    };
    match serde_json::to_string_pretty(&results) {
        Ok(text) => match std::fs::write(&json_path, text) {
            Ok(()) => println!("Results written to {}", json_path.display()),
            Err(e) => eprintln!("bench: {}: {e}", json_path.display()),
        },
        Err(e) => eprintln!("bench: results as JSON: {e}"),
    }
    if all_met {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
