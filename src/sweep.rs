//! The refresh sweep: a rolling re-read of a stream's history older than its
//! lookback, so that every record is read again within a horizon of N days
//! (`refresh_window_days`, `stream_refresh_days`). Pure arithmetic, no I/O.
//!
//! Paystack's lists filter only on creation time, so an incremental sync
//! sees a change to a record only while the record is inside the window
//! (`crate::window`). The history before the window, `[start_date,
//! window.from)`, is read in *passes*: each pass walks it from `start_date`
//! to its end, a part per sync, and the next pass starts where it ends.
//!
//! # How much a sync sweeps
//! A pass takes `N - gap`, where `gap` is the time since the previous sync
//! (a day when the state has no sweep yet; at most N): so a record read in
//! one sync of a pass is read again, in the next pass, by the sync before
//! N runs out, whatever the cadence. A pass that started at S is due to
//! have reached the fraction `(now - S) / (N - gap)` of the history; a sync
//! sweeps from the saved position to that point, and nothing when the
//! position is already past it (hourly syncs sweep a little each, a missed
//! week makes the next sync sweep more). When the due point is past the end
//! of the history, the sync sweeps to the end, and the next pass begins:
//! it counts as started a pass after the last one (or later, so that it
//! never overlaps what this sync swept) and sweeps its own due part from
//! `start_date`. So a sync reads the history once at most, in one or two
//! ranges.
//!
//! On a steady cadence each sync sweeps `gap / (N - gap)` of the history
//! (a daily sync with N = 30: 1/29), a little more while the history grows.
//!
//! # The state
//! The position, the pass's start and the sync's start are kept in the
//! stream's state beside the cursor (`"sweep": {"position", "pass_started",
//! "synced"}`); the cursor is not touched by the sweep. The position moves
//! only over swept ranges that were read to their end, in order, and each
//! swept range carries the pass it belongs to, so a sync that stops midway
//! saves how far it got.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Map, Value};

use crate::numbers::count;
use crate::time::{format_cursor, parse_cursor};
use crate::window::Range;

/// The sweep's place, as saved in the stream's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sweep {
    /// Records created before this were swept in the current pass.
    pub position: DateTime<Utc>,
    /// When the current pass started (it is due to end N days later).
    pub pass_started: DateTime<Utc>,
    /// When the sync that saved this started.
    pub synced: DateTime<Utc>,
}

impl Sweep {
    /// The key in the stream's state.
    pub const KEY: &'static str = "sweep";

    /// Reads a saved sweep.
    ///
    /// # Errors
    /// What is wrong with it, to be said in a WARN (the sweep then starts a
    /// new pass; the cursor is unaffected).
    pub fn from_json(value: &Value) -> Result<Sweep, String> {
        let time = |key: &str| {
            value
                .get(key)
                .and_then(parse_cursor)
                .ok_or_else(|| format!("{key} is missing or not a date-time"))
        };
        Ok(Sweep {
            position: time("position")?,
            pass_started: time("pass_started")?,
            synced: time("synced")?,
        })
    }

    /// The sweep as saved in the stream's state.
    pub fn to_json(self) -> Value {
        let mut map = Map::new();
        for (key, at) in [
            ("position", self.position),
            ("pass_started", self.pass_started),
            ("synced", self.synced),
        ] {
            map.insert(key.to_owned(), Value::String(format_cursor(at)));
        }
        Value::Object(map)
    }
}

/// One range a sync sweeps, and the pass it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    pub range: Range,
    pub pass_started: DateTime<Utc>,
}

/// What a sync sweeps, and the sweep to save before any of it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// In order: the rest of the current pass, then the next one's start.
    pub parts: Vec<Part>,
    /// The sweep saved until the first part is read.
    pub at_start: Sweep,
    /// N, in days.
    pub horizon_days: u64,
    /// The history `[start_date, end)` (empty at first: the window holds
    /// everything).
    pub history: Range,
}

/// The gap assumed when the state has no sweep yet (the usual daily sync).
const FIRST_GAP: TimeDelta = TimeDelta::days(1);

/// What a sync started at `now` sweeps of the history `[start_date, end)`
/// (`end` is the window's `from`), from the `saved` sweep, so that every
/// record is read again within `horizon_days` (see the module docs).
pub fn plan(
    saved: Option<Sweep>,
    start_date: DateTime<Utc>,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
    horizon_days: u64,
) -> Plan {
    let horizon = i64::try_from(horizon_days)
        .ok()
        .and_then(TimeDelta::try_days)
        .unwrap_or(TimeDelta::MAX);
    let end = end.max(start_date);
    let history = (start_date, end);
    let (position, pass_started, gap) = match saved {
        Some(s) => (
            s.position.clamp(start_date, end),
            s.pass_started.min(now),
            (now - s.synced).clamp(TimeDelta::zero(), horizon),
        ),
        // A first sweep: a pass that started one usual gap ago.
        None => {
            let gap = FIRST_GAP.min(horizon);
            (start_date, now - gap, gap)
        }
    };
    let at_start = Sweep {
        position,
        pass_started,
        synced: now,
    };
    let mut plan = Plan {
        parts: Vec::new(),
        at_start,
        horizon_days,
        history,
    };
    let length = end - start_date;
    if length <= TimeDelta::zero() {
        return plan;
    }
    // A pass takes N less the gap, so that a record read early in one sync
    // is read again by the sync before N runs out.
    let pass = (horizon - gap).max(TimeDelta::seconds(1));
    let due = |started: DateTime<Utc>| due_point(start_date, length, now - started, pass);
    let target = due(pass_started);
    if target < end {
        if target > position {
            plan.parts.push(Part {
                range: (position, target),
                pass_started,
            });
        }
        return plan;
    }
    // The pass ends in this sync; the next one starts a pass after it, and
    // sweeps its due part, but not past `position` (a sync reads the
    // history once at most): then it counts as started when it would have
    // reached that point now.
    if position < end {
        plan.parts.push(Part {
            range: (position, end),
            pass_started,
        });
    }
    let (next_target, next_started) = match due(pass_started + pass) {
        due if due <= position => (due, pass_started + pass),
        _ => (position, now - scale(pass, position - start_date, length)),
    };
    if next_target > start_date {
        plan.parts.push(Part {
            range: (start_date, next_target),
            pass_started: next_started,
        });
    }
    plan
}

/// `start + length x elapsed / horizon`, on a whole second, within
/// `[start, start + length]`.
fn due_point(
    start: DateTime<Utc>,
    length: TimeDelta,
    elapsed: TimeDelta,
    horizon: TimeDelta,
) -> DateTime<Utc> {
    let elapsed = elapsed.clamp(TimeDelta::zero(), horizon * 2);
    start + scale(length, elapsed, horizon).min(length)
}

/// `d x num / den`, in whole seconds (rounded down).
fn scale(d: TimeDelta, num: TimeDelta, den: TimeDelta) -> TimeDelta {
    let den = i128::from(den.num_seconds().max(1));
    let secs = i128::from(d.num_seconds()) * i128::from(num.num_seconds()) / den;
    TimeDelta::try_seconds(i64::try_from(secs).unwrap_or(i64::MAX)).unwrap_or(TimeDelta::MAX)
}

/// What a stream's sweep did in one sync, for the accounting line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub parts: Vec<Range>,
    pub records: u64,
    pub pages: u64,
    pub horizon_days: u64,
    /// The history was empty: the window held everything.
    pub nothing_older: bool,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let day = |at: DateTime<Utc>| at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        if self.parts.is_empty() {
            let why = if self.nothing_older {
                "nothing older than the lookback yet"
            } else {
                "nothing due this sync"
            };
            write!(f, "swept {why}")?;
        } else {
            let ranges: Vec<String> = (self.parts.iter())
                .map(|(a, b)| format!("{}..{}", day(*a), day(*b)))
                .collect();
            write!(
                f,
                "swept {} ({}, {})",
                ranges.join(" and "),
                count(self.records, "record"),
                count(self.pages, "request")
            )?;
        }
        write!(
            f,
            "; every record re-read within {} days",
            self.horizon_days
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::t;

    const START: &str = "2024-01-01T00:00:00Z";

    fn days(n: i64) -> TimeDelta {
        TimeDelta::days(n)
    }

    /// The end of a history that stops a day before `now`.
    fn history_end(now: DateTime<Utc>) -> DateTime<Utc> {
        now - days(1)
    }

    /// The sweep saved once `part` is read, in a sync started at `now`.
    fn reached(part: &Part, now: DateTime<Utc>) -> Sweep {
        Sweep {
            position: part.range.1,
            pass_started: part.pass_started,
            synced: now,
        }
    }

    /// `n / d` of `days` days, on a whole second.
    fn share(days: i64, n: i64, d: i64) -> TimeDelta {
        TimeDelta::seconds(days * 86_400 * n / d)
    }

    #[test]
    fn a_first_sync_starts_a_pass_as_if_a_day_ago() {
        let start = t(START);
        let now = start + days(301);
        let p = plan(None, start, history_end(now), now, 30);
        assert_eq!(p.at_start.pass_started, now - days(1));
        assert_eq!(p.at_start.position, start);
        let ranges: Vec<Range> = p.parts.iter().map(|p| p.range).collect();
        // A pass of 30 - 1 days: a day of it is 1/29 of 300 days.
        assert_eq!(ranges, vec![(start, start + share(300, 1, 29))]);
    }

    #[test]
    fn an_empty_history_sweeps_nothing() {
        let start = t(START);
        let p = plan(None, start, start, start + days(1), 30);
        assert!(p.parts.is_empty());
        let p = plan(None, start, start - days(3), start + days(1), 30);
        assert!(p.parts.is_empty(), "a window starting before start_date");
    }

    #[test]
    fn a_saved_position_past_the_due_point_sweeps_nothing() {
        let start = t(START);
        let now = start + days(301);
        let saved = Sweep {
            position: start + days(200),
            pass_started: now - days(2),
            synced: now - TimeDelta::hours(1),
        };
        let p = plan(Some(saved), start, history_end(now), now, 30);
        assert!(p.parts.is_empty(), "{p:?}");
        assert_eq!(p.at_start.position, saved.position);
        assert_eq!(p.at_start.synced, now);
    }

    #[test]
    fn a_pass_that_ends_wraps_to_the_next_without_overlap() {
        let start = t(START);
        let now = start + days(301);
        let saved = Sweep {
            position: start + days(290),
            pass_started: now - days(29),
            synced: now - days(1),
        };
        let p = plan(Some(saved), start, history_end(now), now, 30);
        let ranges: Vec<Range> = p.parts.iter().map(|p| p.range).collect();
        // Due exactly at the end: the next pass starts now, nothing due yet.
        assert_eq!(ranges, vec![(start + days(290), start + days(300))]);
        // After 8 days, a pass is 22 days: the last one was due 5 days ago,
        // so 5/22 of the next one is due now.
        let late = Sweep {
            synced: now - days(8),
            pass_started: now - days(27),
            ..saved
        };
        let p = plan(Some(late), start, history_end(now), now, 30);
        let ranges: Vec<Range> = p.parts.iter().map(|p| p.range).collect();
        assert_eq!(
            ranges,
            vec![
                (start + days(290), start + days(300)),
                (start, start + share(300, 5, 22))
            ]
        );
        assert_eq!(p.parts[1].pass_started, now - days(5));
    }

    #[test]
    fn a_sync_after_a_gap_of_the_horizon_reads_the_history_once() {
        let start = t(START);
        let now = start + days(301);
        let saved = Sweep {
            position: start + days(100),
            pass_started: now - days(200),
            synced: now - days(150),
        };
        let p = plan(Some(saved), start, history_end(now), now, 30);
        let ranges: Vec<Range> = p.parts.iter().map(|p| p.range).collect();
        assert_eq!(
            ranges,
            vec![
                (start + days(100), start + days(300)),
                (start, start + days(100))
            ]
        );
        // The new pass counts as having reached day 100 now.
        let next = p.parts.last().unwrap();
        let after = plan(
            Some(reached(next, now)),
            start,
            history_end(now + days(1)),
            now + days(1),
            30,
        );
        assert!(after.parts.is_empty(), "{after:?}");
    }

    /// Simulates syncs every `every` for `span` (none inside `skip`), with
    /// the history growing and the window reading what is inside it.
    /// Returns the largest time any part of the history had gone without a
    /// read, just before a sync and just after one.
    fn largest_staleness(
        every: TimeDelta,
        span: TimeDelta,
        skip: Option<Range>,
    ) -> (TimeDelta, TimeDelta) {
        let start = t(START);
        let lookback = days(3);
        let horizon = 30;
        let first = start + days(400);
        let stop = first + span;
        // Six-hour buckets of history.
        let hours = (stop - start).num_hours() / 6;
        let hour = |h: i64| start + TimeDelta::hours(6 * h);
        // When each hour of history was last read (before the first sync:
        // at the first sync, as if a full read had just been made; or when
        // it was created).
        let mut last: Vec<DateTime<Utc>> = (0..hours).map(|h| hour(h).max(first)).collect();
        let read = |last: &mut Vec<DateTime<Utc>>, (a, b): Range, now| {
            for h in 0..hours {
                if a <= hour(h) && hour(h) < b {
                    last[h as usize] = now;
                }
            }
        };
        let staleness = |last: &Vec<DateTime<Utc>>, now: DateTime<Utc>| {
            (0..hours)
                .filter(|&h| hour(h) < now)
                .map(|h| now - last[h as usize])
                .max()
                .unwrap_or_default()
        };
        let (mut before, mut after) = (TimeDelta::zero(), TimeDelta::zero());
        let mut saved = None;
        // The cursor: about when the previous sync ran.
        let mut cursor = first;
        let mut now = first;
        while now <= stop {
            if !skip.is_some_and(|(a, b)| a <= now && now < b) {
                before = before.max(staleness(&last, now));
                let end = cursor - lookback;
                read(&mut last, (end, now), now);
                let p = plan(saved, start, end, now, horizon);
                let mut sweep = p.at_start;
                for part in &p.parts {
                    read(&mut last, part.range, now);
                    sweep = reached(part, now);
                }
                saved = Some(sweep);
                cursor = now;
                after = after.max(staleness(&last, now));
            }
            now += every;
        }
        (before, after)
    }

    #[test]
    fn the_horizon_holds_for_hourly_daily_and_weekly_syncs() {
        for (every, name) in [
            (TimeDelta::hours(1), "hourly"),
            (days(1), "daily"),
            (days(7), "weekly"),
        ] {
            let (before, _) = largest_staleness(every, days(75), None);
            assert!(
                before <= days(30),
                "{name}: an hour of history went {} h without a read",
                before.num_hours()
            );
        }
    }

    #[test]
    fn a_missed_week_is_caught_up_by_the_next_sync() {
        let start = t(START) + days(400);
        let missed = (start + days(50), start + days(57));
        let (before, after) = largest_staleness(days(1), days(75), Some(missed));
        // Nothing is read in the week without syncs; the first sync after
        // it sweeps what fell due, so after each sync the horizon holds.
        assert!(after <= days(30), "{} h", after.num_hours());
        assert!(before > days(30), "the missed week did make records stale");
    }

    #[test]
    fn a_daily_sync_sweeps_the_history_share_of_its_gap() {
        let start = t(START);
        let mut now = start + days(400);
        let mut saved = None;
        for day in 0..90 {
            let end = now - days(3);
            let p = plan(saved, start, end, now, 30);
            let swept: TimeDelta = p.parts.iter().map(|p| p.range.1 - p.range.0).sum();
            // 1/29 of the history a day (twice on the day a pass ends, each
            // half); never the whole of it.
            // (A pass also sweeps the history that grows while it runs: at
            // most 30 days more.)
            let daily = (end - start) / 29;
            assert!(swept <= (end - start + days(30)) / 29, "day {day}: {swept}");
            if day > 0 && p.parts.len() == 1 {
                assert!(swept >= daily - TimeDelta::hours(1), "day {day}: {swept}");
            }
            saved = Some(p.parts.last().map_or(p.at_start, |part| reached(part, now)));
            now += days(1);
        }
    }

    #[test]
    fn the_saved_sweep_round_trips_and_a_bad_one_says_why() {
        let s = Sweep {
            position: t("2024-02-01T00:00:00Z"),
            pass_started: t("2024-03-01T10:00:00Z"),
            synced: t("2024-03-05T10:00:00Z"),
        };
        assert_eq!(Sweep::from_json(&s.to_json()), Ok(s));
        let bad = serde_json::json!({"position": "soon", "pass_started": 1, "synced": null});
        assert!(Sweep::from_json(&bad).unwrap_err().contains("position"));
    }

    #[test]
    fn the_report_says_what_was_swept_and_the_horizon() {
        let r = Report {
            parts: vec![(t("2023-02-01T00:00:00Z"), t("2023-03-04T00:00:00Z"))],
            records: 1230,
            pages: 13,
            horizon_days: 30,
            nothing_older: false,
        };
        assert_eq!(
            r.to_string(),
            "swept 2023-02-01T00:00:00Z..2023-03-04T00:00:00Z (1230 records, 13 requests); \
             every record re-read within 30 days"
        );
    }
}
