//! The final table, the targets and their verdicts, and the JSON results.

use serde::Serialize;

use crate::run::Measured;
use crate::sys::Machine;

/// Scenario 1: records per second, at least.
pub const MIN_RECORDS_PER_S: f64 = 100_000.0;
/// Scenario 1: peak RSS, under (MiB).
pub const MAX_RSS_MIB: f64 = 50.0;
/// Scenario 1: peak RSS at the large count ÷ at a tenth of it, at most.
pub const MAX_RSS_GROWTH: f64 = 1.5;
/// Scenarios 2 to 5: share of the allowed request rate, at least.
pub const MIN_ALLOWED_SHARE: f64 = 0.90;

/// One verdict on one figure.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub run: usize,
    pub what: String,
    pub target: String,
    pub value: String,
    pub pass: bool,
    /// Sequential runs: shown for comparison, not a requirement.
    pub comparison_only: bool,
}

/// The results file.
#[derive(Debug, Serialize)]
pub struct Results<'a> {
    pub machine: &'a Machine,
    pub quick: bool,
    pub started_at: String,
    pub runs: &'a [Measured],
    pub verdicts: &'a [Verdict],
    /// Scenario 11, when it ran.
    pub sweep: Option<&'a crate::sweep::Results>,
    pub all_targets_met: bool,
}

/// `1234567.8` as `1,234,568`.
pub fn thousands(x: f64) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    let n = x.round() as i128;
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn mark(pass: bool, comparison: bool) -> &'static str {
    match (comparison, pass) {
        (false, true) => "PASS",
        (false, false) => "FAIL",
        (true, true) => "cmp: pass",
        (true, false) => "cmp: fail",
    }
}

/// Judges every targeted figure. The 1M-record run of scenario 1 is compared
/// with the run of the same mode at a tenth of the records for flat memory.
pub fn verdicts(runs: &[Measured]) -> Vec<Verdict> {
    let mut out = Vec::new();
    for (i, m) in runs.iter().enumerate() {
        let cmp = !m.spec.concurrent;
        let mut push = |what: &str, target: String, value: String, pass: bool| {
            out.push(Verdict {
                run: i,
                what: what.into(),
                target,
                value,
                pass,
                comparison_only: cmp,
            });
        };
        match m.spec.scenario {
            1 if is_large(m, runs) => {
                push(
                    "records/s",
                    format!(">= {}", thousands(MIN_RECORDS_PER_S)),
                    thousands(m.records_per_s),
                    m.records_per_s >= MIN_RECORDS_PER_S,
                );
                push(
                    "peak RSS",
                    format!("< {MAX_RSS_MIB} MiB"),
                    format!("{:.1} MiB", m.peak_rss_mib()),
                    m.peak_rss_mib() < MAX_RSS_MIB,
                );
                if let Some(small) = tenth_of(m, runs) {
                    let ratio = m.peak_rss_kib as f64 / small.peak_rss_kib.max(1) as f64;
                    push(
                        "flat memory",
                        format!("<= x{MAX_RSS_GROWTH}"),
                        format!("x{ratio:.2}"),
                        ratio <= MAX_RSS_GROWTH,
                    );
                }
                push(
                    "complete",
                    "exit 0, all once".into(),
                    m.output.summary(),
                    m.complete(),
                );
            }
            2..=10 => {
                let share = m.allowed_share.unwrap_or(0.0);
                push(
                    "allowed rate",
                    format!(">= {:.0}%", MIN_ALLOWED_SHARE * 100.0),
                    format!("{:.1}%", share * 100.0),
                    share >= MIN_ALLOWED_SHARE,
                );
                push(
                    "complete",
                    "exit 0, all once".into(),
                    m.output.summary(),
                    m.complete(),
                );
            }
            _ => {}
        }
    }
    out
}

/// The scenario-1 run of the same mode with a tenth of `m`'s records.
fn tenth_of<'a>(m: &Measured, runs: &'a [Measured]) -> Option<&'a Measured> {
    runs.iter().find(|r| {
        r.spec.scenario == 1
            && r.spec.concurrent == m.spec.concurrent
            && r.spec.records * 10 == m.spec.records
    })
}

/// The main scenario-1 run (not the smaller memory-check run).
fn is_large(m: &Measured, runs: &[Measured]) -> bool {
    !runs.iter().any(|r| {
        r.spec.scenario == 1
            && r.spec.concurrent == m.spec.concurrent
            && r.spec.records == m.spec.records * 10
    })
}

fn cell(verdicts: &[Verdict], run: usize, what: &str) -> String {
    verdicts
        .iter()
        .find(|v| v.run == run && v.what == what)
        .map_or_else(
            || "-".into(),
            |v| format!("{} {}", v.target, mark(v.pass, v.comparison_only)),
        )
}

/// The one results table.
pub fn table(runs: &[Measured], verdicts: &[Verdict]) -> String {
    let header = [
        "scenario",
        "mode",
        "records",
        "seconds",
        "records/s",
        "target",
        "requests",
        "429s",
        "requests/s",
        "% of allowed",
        "target",
        "MB/s",
        "peak RSS",
        "target",
        "10x records",
        "target",
        "exit",
        "records check",
        "target: exit 0, all once",
    ];
    let right = [
        false, false, true, true, true, false, true, true, true, true, false, true, true, false,
        true, false, true, false, false,
    ];
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (i, m) in runs.iter().enumerate() {
        let flat = verdicts
            .iter()
            .find(|v| v.run == i && v.what == "flat memory")
            .map_or_else(|| "-".into(), |v| v.value.clone());
        rows.push(vec![
            format!("{} {}", m.spec.scenario, m.spec.variant),
            m.spec.mode().into(),
            thousands(m.output.records as f64),
            format!("{:.2}", m.seconds),
            thousands(m.records_per_s),
            cell(verdicts, i, "records/s"),
            thousands(m.requests_ok as f64),
            thousands(m.requests_429 as f64),
            format!("{:.2}", m.requests_per_s),
            m.allowed_share
                .map_or_else(|| "-".into(), |s| format!("{:.1}%", s * 100.0)),
            cell(verdicts, i, "allowed rate"),
            format!("{:.1}", m.mb_per_s),
            format!("{:.1} MiB", m.peak_rss_mib()),
            cell(verdicts, i, "peak RSS"),
            flat,
            cell(verdicts, i, "flat memory"),
            m.exit_text(),
            m.output.summary(),
            verdicts
                .iter()
                .find(|v| v.run == i && v.what == "complete")
                .map_or_else(|| "-".into(), |v| mark(v.pass, v.comparison_only).into()),
        ]);
    }
    grid(&header, &right, rows)
}

/// A Markdown table: `header`, then `rows`, each column as wide as its
/// widest cell, right-aligned where `right` says so.
pub fn grid(header: &[&str], right: &[bool], rows: Vec<Vec<String>>) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain([header[c].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<String>| {
        let mut s = String::from("|");
        for (c, text) in cells.iter().enumerate() {
            let pad = widths[c] - text.chars().count();
            if right[c] {
                s.push_str(&format!(" {}{} |", " ".repeat(pad), text));
            } else {
                s.push_str(&format!(" {}{} |", text, " ".repeat(pad)));
            }
        }
        s
    };
    let mut out = line(header.iter().map(|h| (*h).to_owned()).collect());
    out.push('\n');
    out.push('|');
    for (c, w) in widths.iter().enumerate() {
        let dashes = "-".repeat(*w);
        if right[c] {
            out.push_str(&format!("-{dashes}:|"));
        } else {
            out.push_str(&format!("-{dashes}-|"));
        }
    }
    out.push('\n');
    for r in rows {
        out.push_str(&line(r));
        out.push('\n');
    }
    out
}

/// Where each run's CPU went: one line per run.
pub fn cpu_lines(runs: &[Measured]) -> String {
    let mut out = String::new();
    for m in runs {
        let s = m.seconds.max(1e-9);
        out.push_str(&format!(
            "  {} {:<16} {:<10}  connector {:.2} cores ({:.1} s user + {:.1} s sys), fake {:.2}, \
             harness reader {:.2}, others {:.2}; machine {:.0}% busy of {} cores; fake served {} \
             records in pages for {} delivered\n",
            m.spec.scenario,
            m.spec.variant,
            m.spec.mode(),
            (m.cpu_connector_user + m.cpu_connector_sys) / s,
            m.cpu_connector_user,
            m.cpu_connector_sys,
            m.cpu_fake / s,
            m.cpu_harness_reader / s,
            m.cpu_others / s,
            m.machine_busy * 100.0,
            std::thread::available_parallelism().map_or(0, usize::from),
            thousands(m.records_served as f64),
            thousands(m.output.records as f64),
        ));
    }
    out
}
