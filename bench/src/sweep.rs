//! Scenario 11: what the refresh sweep costs. A month of daily syncs of
//! `transactions` on a simulated clock, each day synced twice against the
//! same fake, once with `refresh_window_days: 30` and once without: the
//! difference in requests is what the sweep adds.
//!
//! - One fake holds 1,000,000 transactions (`--sweep-records`) created
//!   evenly from 2022-11-01 to 2025-11-01: three years of history.
//! - Both chains of syncs start from a state as after a full sync (the
//!   cursor at the newest record), so the history is never read in full.
//! - Sync k runs at 2025-11-01T02:00Z plus k − 1 days
//!   (`SOURCE_PAYSTACK_NOW`), 35 of them (`--sweep-syncs`). Before it, the
//!   transactions created since the previous sync are inserted, evenly
//!   spread, at the history's rate (about 913 a day). Each sync resumes from
//!   the last STATE of the previous sync of its chain.
//! - Config: the live key, `lookback_window_days: 0`, `requests_per_minute:
//!   100000000` so pacing does not bind; the fake adds no latency and does
//!   not limit the rate.
//! - Per sync: requests = requests the fake answered 200; extra = with −
//!   without. Every sync must exit 0, end COMPLETE without an ERROR trace,
//!   emit no record twice, and emit exactly the records of its window and of
//!   the ranges its accounting line says it swept.
//! - The budget is the history's pages over the horizon: ceil(history
//!   records / 200) / 30, 200 being the connector's page size (`perPage`).
//!   The sweep plans 1/(N − gap) of the history per sync, 1/29 for a daily
//!   sync (3.4% over the budget), so ceil(history / 200) / 29 pages is what
//!   to expect, and more for the slicing: a swept range of 1/29 of a
//!   million records is about 173 pages, so its first page (which only
//!   tells how many pages it holds) is discarded and the range is read in
//!   slices of at most 25 pages, each ending on a partial page: up to one
//!   request per slice more (8 slices: about 5%).
//! - The time the extra requests take at the live key's 600 a minute:
//!   extra / 600 minutes. And one pair of syncs measured at that pace: a
//!   fresh fake limiting the live key to 600 per 60 s window (no latency),
//!   the connector on its defaults (no `requests_per_minute`), the second
//!   day's sync (from the full sync's state) run without and with the sweep:
//!   the difference in wall time is what the sweep adds to a sync.
//!
//! Steady syncs are all but the first, which reads the two hours since the
//! full sync and starts the sweep from a state without one. Targets: the
//! median steady sync's extra requests within 110% of its budget, and every
//! sync complete. The figures also say whether each sync's extra requests
//! are the requests its accounting line gives the sweep.

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use fake_paystack::{Options, ResetFormat};
use serde::Serialize;
use serde_json::{Value, json};

use crate::report::{grid, thousands};
use crate::run::{self, Fake, LIVE_KEY, LIVE_LIMIT, Launch, Measured, Spec, ts};

/// The scenario's number in `--only`.
pub const SCENARIO: u8 = 11;
const STREAM: &str = "transactions";
const HISTORY_START: &str = "2022-11-01T00:00:00Z";
const HISTORY_END: &str = "2025-11-01T00:00:00Z";
const FIRST_SYNC: &str = "2025-11-01T02:00:00Z";
/// `refresh_window_days` of the sweeping chain.
pub const HORIZON_DAYS: u64 = 30;
/// The connector's page size (`perPage`).
pub const PER_PAGE: u64 = 200;
/// Target: the median steady sync's extra requests, at most this share of
/// its budget.
pub const MAX_MEDIAN_BUDGET_SHARE: f64 = 1.10;
/// `requests_per_minute` of the unpaced syncs: pacing does not bind.
const UNPACED_RPM: u64 = 100_000_000;

/// How big a run of the scenario is.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    /// Transactions in the three years of history.
    pub records: u64,
    /// Daily syncs per chain.
    pub syncs: u32,
}

/// One sync, as the fake and the connector's output saw it.
#[derive(Debug, Clone, Serialize)]
pub struct Sync {
    /// Requests the fake answered 200.
    pub requests: u64,
    /// Requests answered anything else.
    pub not_200: u64,
    pub records: u64,
    /// The records created in the sync's window and in the ranges it swept.
    pub expected: u64,
    pub duplicates: u64,
    pub seconds: f64,
    pub peak_rss_mib: f64,
    pub exit: String,
    /// The sweep's part of the accounting line (`swept A..B (n records, m
    /// requests); every record re-read within N days`).
    pub swept: Option<String>,
    /// The requests the accounting line says the sweep took.
    pub swept_requests: Option<u64>,
    /// Exit 0, COMPLETE, no ERROR, no duplicate, exactly the expected
    /// records.
    pub complete: bool,
    pub log: PathBuf,
}

/// One simulated day: its sync without and with the sweep.
#[derive(Debug, Clone, Serialize)]
pub struct Day {
    pub day: u32,
    pub now: String,
    /// Records created before the sync's window (the history to sweep).
    pub history_records: u64,
    /// Records inserted since the previous sync.
    pub new_records: u64,
    pub without: Sync,
    pub with: Sync,
    /// `with.requests - without.requests`.
    pub extra_requests: i64,
    /// ceil(history_records / PER_PAGE) / HORIZON_DAYS.
    pub budget: f64,
    /// ceil(history_records / PER_PAGE) / (HORIZON_DAYS - 1): the sweep's
    /// own share for a daily sync.
    pub planned: f64,
}

/// Least, median and largest of some figures.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Spread {
    pub min: f64,
    pub median: f64,
    pub max: f64,
}

impl Spread {
    fn of(values: impl IntoIterator<Item = f64>) -> Spread {
        let mut v: Vec<f64> = values.into_iter().collect();
        v.sort_by(f64::total_cmp);
        let median = match v.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => v[n / 2],
            n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
        };
        Spread {
            min: v.first().copied().unwrap_or(f64::NAN),
            median,
            max: v.last().copied().unwrap_or(f64::NAN),
        }
    }
}

impl std::fmt::Display for Spread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = f.precision().unwrap_or(1);
        write!(
            f,
            "min {:.p$} / median {:.p$} / max {:.p$}",
            self.min, self.median, self.max
        )
    }
}

/// The pair of syncs at the live key's pace.
#[derive(Debug, Clone, Serialize)]
pub struct Paced {
    pub without: Sync,
    pub with: Sync,
    pub extra_requests: i64,
    /// Wall time the sweep added.
    pub extra_seconds: f64,
    /// extra_requests at 600 a minute.
    pub extra_seconds_at_limit: f64,
}

/// The scenario's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub records: u64,
    pub history: String,
    pub first_sync: String,
    pub horizon_days: u64,
    pub per_page: u64,
    pub days: Vec<Day>,
    /// Over the steady syncs (all but the first).
    pub steady_extra_requests: Spread,
    pub steady_budget: Spread,
    pub steady_planned: Spread,
    /// extra / budget.
    pub steady_budget_share: Spread,
    /// extra / 600 a minute, in seconds.
    pub steady_extra_seconds_at_600: Spread,
    pub paced: Paced,
    pub all_complete: bool,
    /// The median steady sync's extra within MAX_MEDIAN_BUDGET_SHARE of its
    /// budget.
    pub within_budget: bool,
    /// Every sync's extra requests (counted by the fake) are the requests
    /// its accounting line says the sweep took.
    pub accounting_agrees: bool,
    /// Wall time of the whole scenario.
    pub seconds: f64,
}

impl Results {
    /// The scenario's targets are met.
    pub fn pass(&self) -> bool {
        self.all_complete && self.within_budget && self.paced_complete()
    }

    fn paced_complete(&self) -> bool {
        self.paced.without.complete && self.paced.with.complete
    }
}

/// The spec of the scenario's runs: paced at the live key's limit by the
/// connector's defaults against a limiting fake, or unpaced.
fn spec(size: Size, variant: &str, paced: bool) -> Spec {
    Spec {
        scenario: SCENARIO,
        variant: variant.into(),
        concurrent: true,
        records: size.records,
        latency_ms: 0,
        rate_limited: paced,
        reset_format: ResetFormat::Seconds,
        key: LIVE_KEY,
        config_requests_per_minute: (!paced).then_some(UNPACED_RPM),
        injected_429_rate: 0.0,
    }
}

/// A fake with the history for `spec`, and the state of a full sync of it.
fn start_fake(spec: &Spec) -> Result<(Fake, String), String> {
    let fake = run::spawn_fake(Options {
        records: [(STREAM, spec.records)].into(),
        start: ts(HISTORY_START),
        end: ts(HISTORY_END),
        ..run::fake_options(spec)
    })?;
    let newest = (fake.server.all_ids(STREAM).last())
        .and_then(|&id| fake.server.created_at(STREAM, id))
        .ok_or("the fake holds no transactions")?;
    let state = json!([{"type": "STREAM", "stream": {
        "stream_descriptor": {"name": STREAM},
        "stream_state": {"createdAt": newest.to_rfc3339_opts(SecondsFormat::Millis, true)},
    }}]);
    Ok((fake, state.to_string()))
}

/// Inserts the transactions created in `[from, to)`, evenly spread, at the
/// rate of `records` in the history; returns how many.
fn insert_between(fake: &Fake, records: u64, from: DateTime<Utc>, to: DateTime<Utc>) -> u64 {
    let history = (ts(HISTORY_END) - ts(HISTORY_START)).num_seconds();
    let span = (to - from).num_seconds();
    let n = (u128::from(records) * span.max(0) as u128 / history as u128) as i64;
    for i in 0..n {
        let at = from + TimeDelta::seconds(span * (2 * i + 1) / (2 * n));
        fake.server.insert_at(STREAM, at, 1);
    }
    n as u64
}

/// The sweep's part of a stream's accounting line in a connector log.
fn swept_part(log: &str) -> Option<&str> {
    let line = log.lines().find(|l| l.contains("Stream complete"))?;
    let rest = &line[line.find("; swept ")? + 2..];
    let end = rest.find(" days").map_or(rest.len(), |e| e + " days".len());
    Some(&rest[..end])
}

/// The ranges a sweep part names (`swept A..B and C..D (…)`).
fn swept_ranges(part: &str) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let ranges = (part.strip_prefix("swept ")).and_then(|r| r.split(" (").next());
    ranges
        .into_iter()
        .flat_map(|r| r.split(" and "))
        .filter_map(|r| {
            let (a, b) = r.split_once("..")?;
            Some((a.parse().ok()?, b.parse().ok()?))
        })
        .collect()
}

/// The requests a sweep part counts (`(n records, m requests)`).
fn swept_requests(part: &str) -> Option<u64> {
    let (_, counts) = part.split_once(" (")?;
    let (_, requests) = counts.split_once(" records, ")?;
    requests.split_once(" requests)")?.0.parse().ok()
}

/// The cursor of the state to resume from.
fn cursor_of(state: &str) -> Result<DateTime<Utc>, String> {
    let v: Value = serde_json::from_str(state).map_err(|e| format!("state: {e}"))?;
    v[0]["stream"]["stream_state"]["createdAt"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("state without a cursor: {state}"))
}

/// One chain of syncs, each resuming from the previous one's state.
struct Chain {
    spec: Spec,
    config: Value,
    state: String,
    name: &'static str,
}

impl Chain {
    fn new(spec: Spec, refresh_days: Option<u64>, state: &str, name: &'static str) -> Chain {
        let mut config = run::config(&spec, HISTORY_START);
        if let Some(days) = refresh_days {
            config["refresh_window_days"] = days.into();
        }
        Chain {
            spec,
            config,
            state: state.to_owned(),
            name,
        }
    }

    /// Runs the chain's sync at `now` and moves its state on.
    fn sync(
        &mut self,
        fake: &Fake,
        catalog: &str,
        now: DateTime<Utc>,
        slug: &str,
        connector: &Path,
        work: &Path,
    ) -> Result<Sync, String> {
        let cursor = cursor_of(&self.state)?;
        let launch = Launch {
            spec: &self.spec,
            slug: format!("s{SCENARIO}-{slug}-{}", self.name),
            config: &self.config,
            catalog,
            state: Some(&self.state),
            now: Some(now),
            truth: vec![(STREAM.to_owned(), fake.server.all_ids(STREAM))],
        };
        let m = run::measure(fake, launch, connector, work)?;
        let log = std::fs::read_to_string(&m.stderr_log)
            .map_err(|e| format!("{}: {e}", m.stderr_log.display()))?;
        let swept = swept_part(&log).map(str::to_owned);
        let ranges = swept.as_deref().map(swept_ranges).unwrap_or_default();
        let expected = std::iter::once((cursor, now))
            .chain(ranges)
            .map(|(a, b)| fake.server.ids(STREAM, a, b).len() as u64)
            .sum();
        if let Some(state) = m.output.last_states.get(STREAM) {
            self.state = json!([state]).to_string();
        }
        Ok(Sync::of(&m, expected, swept))
    }
}

impl Sync {
    fn of(m: &Measured, expected: u64, swept: Option<String>) -> Sync {
        let o = &m.output;
        let complete = m.exit_code == Some(0)
            && o.duplicates == 0
            && o.unexpected == 0
            && o.garbage == 0
            && o.error_traces.is_empty()
            && o.records == expected
            && o.final_status.get(STREAM).is_some_and(|s| s == "COMPLETE");
        Sync {
            requests: m.requests_ok,
            not_200: m.requests - m.requests_ok,
            records: o.records,
            expected,
            duplicates: o.duplicates,
            seconds: m.seconds,
            peak_rss_mib: m.peak_rss_mib(),
            exit: m.exit_text(),
            swept_requests: swept.as_deref().and_then(swept_requests),
            swept,
            complete,
            log: m.stderr_log.clone(),
        }
    }

    /// The check for the table.
    fn check(&self) -> String {
        if self.complete {
            return "ok".into();
        }
        format!(
            "FAIL: exit {}, {} of {} records, {} dup; see {}",
            self.exit,
            self.records,
            self.expected,
            self.duplicates,
            self.log.display()
        )
    }
}

/// The checks of a day's two syncs: `ok`, or what failed.
fn pair_check(without: &Sync, with: &Sync) -> String {
    match (without.complete, with.complete) {
        (true, true) => "ok".into(),
        (false, _) => format!("without: {}", without.check()),
        (_, false) => format!("with: {}", with.check()),
    }
}

fn extra(without: &Sync, with: &Sync) -> i64 {
    with.requests as i64 - without.requests as i64
}

/// Runs the scenario with the connector binary `connector`, writing its
/// files under `work`, and says how each day went on stdout.
///
/// # Errors
/// A fake cannot start, or a connector run cannot be made (a run that fails
/// is a figure, not an error).
pub fn run(size: Size, connector: &Path, work: &Path) -> Result<Results, String> {
    let started = Instant::now();
    let catalog = run::catalog(&[STREAM])?;
    let unpaced = spec(size, "daily", false);
    let (fake, full_sync) = start_fake(&unpaced)?;
    let mut without = Chain::new(unpaced.clone(), None, &full_sync, "without");
    let mut with = Chain::new(unpaced, Some(HORIZON_DAYS), &full_sync, "with");
    let mut days = Vec::new();
    let mut previous = ts(HISTORY_END);
    for day in 1..=size.syncs {
        let now = ts(FIRST_SYNC) + TimeDelta::days(i64::from(day) - 1);
        let history_records =
            (fake
                .server
                .ids(STREAM, ts(HISTORY_START), cursor_of(&without.state)?))
            .len() as u64;
        let new_records = insert_between(&fake, size.records, previous, now);
        previous = now;
        let slug = format!("day{day:02}");
        let a = without.sync(&fake, &catalog, now, &slug, connector, work)?;
        let b = with.sync(&fake, &catalog, now, &slug, connector, work)?;
        let pages = history_records.div_ceil(PER_PAGE) as f64;
        let d = Day {
            day,
            now: now.to_rfc3339_opts(SecondsFormat::Secs, true),
            history_records,
            new_records,
            extra_requests: extra(&a, &b),
            budget: pages / HORIZON_DAYS as f64,
            planned: pages / (HORIZON_DAYS - 1) as f64,
            without: a,
            with: b,
        };
        println!(
            "      day {day:>2} {}: {} requests without, {} with: {:+} (budget {:.1}); {}; checks: {}",
            d.now,
            d.without.requests,
            d.with.requests,
            d.extra_requests,
            d.budget,
            d.with.swept.as_deref().unwrap_or("no sweep in the log"),
            pair_check(&d.without, &d.with)
        );
        days.push(d);
    }
    drop(fake);

    println!("      a pair of syncs paced at {LIVE_LIMIT}/min ...");
    let paced = spec(size, "paced", true);
    let (fake, full_sync) = start_fake(&paced)?;
    // The second day's sync, resuming from the full sync: a day's new
    // records in its window, as on a steady day.
    let now = ts(FIRST_SYNC) + TimeDelta::days(1);
    insert_between(&fake, size.records, ts(HISTORY_END), now);
    let mut without = Chain::new(paced.clone(), None, &full_sync, "without");
    let mut with = Chain::new(paced, Some(HORIZON_DAYS), &full_sync, "with");
    let a = without.sync(&fake, &catalog, now, "paced", connector, work)?;
    let b = with.sync(&fake, &catalog, now, "paced", connector, work)?;
    let paced = Paced {
        extra_requests: extra(&a, &b),
        extra_seconds: b.seconds - a.seconds,
        extra_seconds_at_limit: extra(&a, &b) as f64 * 60.0 / f64::from(LIVE_LIMIT),
        without: a,
        with: b,
    };

    let steady: Vec<&Day> = days.iter().skip(1).collect();
    let over = |f: &dyn Fn(&Day) -> f64| Spread::of(steady.iter().map(|d| f(d)));
    let share = over(&|d| d.extra_requests as f64 / d.budget);
    Ok(Results {
        records: size.records,
        history: format!("{HISTORY_START}..{HISTORY_END}"),
        first_sync: FIRST_SYNC.into(),
        horizon_days: HORIZON_DAYS,
        per_page: PER_PAGE,
        steady_extra_requests: over(&|d| d.extra_requests as f64),
        steady_budget: over(&|d| d.budget),
        steady_planned: over(&|d| d.planned),
        steady_budget_share: share,
        steady_extra_seconds_at_600: over(&|d| {
            d.extra_requests as f64 * 60.0 / f64::from(LIVE_LIMIT)
        }),
        all_complete: days.iter().all(|d| d.without.complete && d.with.complete),
        within_budget: share.median <= MAX_MEDIAN_BUDGET_SHARE,
        accounting_agrees: (days.iter())
            .all(|d| u64::try_from(d.extra_requests).ok() == d.with.swept_requests),
        days,
        paced,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The scenario's table and summary, for stdout.
pub fn summary(r: &Results) -> String {
    let header = [
        "day",
        "sync at",
        "history records",
        "new",
        "requests without",
        "with",
        "extra",
        "budget (pages/30)",
        "planned (pages/29)",
        "extra / budget",
        "swept (connector's accounting line)",
        "check",
    ];
    let right = [
        true, false, true, true, true, true, true, true, true, true, false, false,
    ];
    let rows = (r.days.iter())
        .map(|d| {
            vec![
                d.day.to_string(),
                d.now.clone(),
                thousands(d.history_records as f64),
                thousands(d.new_records as f64),
                d.without.requests.to_string(),
                d.with.requests.to_string(),
                format!("{:+}", d.extra_requests),
                format!("{:.1}", d.budget),
                format!("{:.1}", d.planned),
                format!("{:.1}%", 100.0 * d.extra_requests as f64 / d.budget),
                d.with.swept.clone().unwrap_or_else(|| "-".into()),
                pair_check(&d.without, &d.with),
            ]
        })
        .collect();
    let p = &r.paced;
    let mark = |pass: bool| if pass { "PASS" } else { "FAIL" };
    format!(
        "{table}\n\
         {records} transactions created {history}, syncs daily from {first}, horizon {n} days, \
         {per_page} records a page, lookback 0. Steady syncs (days 2 to {last}):\n\
         \x20 extra requests per sync: {extra}\n\
         \x20 budget, ceil(history / {per_page}) / {n}: {budget}\n\
         \x20 the sweep's own share, ceil(history / {per_page}) / {n1}: {planned}\n\
         \x20 extra / budget: {share_min:.1}% / {share_median:.1}% / {share_max:.1}% \
         (target: median <= {target:.0}%: {within})\n\
         \x20 extra requests = the sweep's requests in the connector's accounting line, every \
         sync: {agrees}\n\
         \x20 time added at {limit} requests a minute (extra / {limit} minutes), seconds: {added:.1}\n\
         \x20 every sync exit 0, COMPLETE, no duplicate, exactly its window's and swept ranges' \
         records: {complete}\n\
         Paced at {limit}/min (the fake limiting the live key, connector defaults), day 2: \
         {pa} requests in {pas:.2} s without, {pb} in {pbs:.2} s with: {pe:+} requests, \
         {pt:+.2} s (at {limit}/min: {pl:.2} s); checks: {pc}\n\
         Scenario {SCENARIO} took {seconds:.0} s.\n",
        table = grid(&header, &right, rows),
        records = thousands(r.records as f64),
        history = r.history,
        first = r.first_sync,
        n = r.horizon_days,
        n1 = r.horizon_days - 1,
        per_page = r.per_page,
        last = r.days.len(),
        extra = r.steady_extra_requests,
        budget = r.steady_budget,
        planned = r.steady_planned,
        share_min = r.steady_budget_share.min * 100.0,
        share_median = r.steady_budget_share.median * 100.0,
        share_max = r.steady_budget_share.max * 100.0,
        target = MAX_MEDIAN_BUDGET_SHARE * 100.0,
        agrees = if r.accounting_agrees { "yes" } else { "NO" },
        within = mark(r.within_budget),
        limit = LIVE_LIMIT,
        added = r.steady_extra_seconds_at_600,
        complete = mark(r.all_complete),
        pa = p.without.requests,
        pas = p.without.seconds,
        pb = p.with.requests,
        pbs = p.with.seconds,
        pe = p.extra_requests,
        pt = p.extra_seconds,
        pl = p.extra_seconds_at_limit,
        pc = pair_check(&p.without, &p.with),
        seconds = r.seconds,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_swept_ranges_from_the_accounting_line() {
        let log = "2026-12-06T15:00:00Z INFO Reading stream.\n\
            2026-12-06T15:00:01Z INFO Stream complete: 10 records, 1 pages, 1 requests; swept \
            2022-11-01T00:00:00Z..2022-12-08T20:00:00Z and 2025-10-01T00:00:00Z..2025-10-31T00:00:00Z \
            (1230 records, 13 requests); every record re-read within 30 days. stream=\"transactions\"\n";
        let part = swept_part(log).unwrap();
        assert_eq!(
            part,
            "swept 2022-11-01T00:00:00Z..2022-12-08T20:00:00Z and \
             2025-10-01T00:00:00Z..2025-10-31T00:00:00Z (1230 records, 13 requests); every \
             record re-read within 30 days"
        );
        assert_eq!(
            swept_ranges(part),
            vec![
                (ts("2022-11-01T00:00:00Z"), ts("2022-12-08T20:00:00Z")),
                (ts("2025-10-01T00:00:00Z"), ts("2025-10-31T00:00:00Z"))
            ]
        );
        assert_eq!(swept_requests(part), Some(13));
        assert!(
            swept_ranges("swept nothing due this sync; every record re-read within 30 days")
                .is_empty()
        );
        assert_eq!(swept_part("INFO Stream complete: 1 records."), None);
    }

    #[test]
    fn spreads_take_the_middle_of_an_even_count() {
        let s = Spread::of([4.0, 1.0, 3.0, 2.0]);
        assert_eq!((s.min, s.median, s.max), (1.0, 2.5, 4.0));
        assert_eq!(Spread::of([5.0, 1.0, 3.0]).median, 3.0);
    }
}
