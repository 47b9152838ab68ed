//! The time arithmetic of a read: a stream's sync window, the `from`/`to` a
//! slice of it asks for, and how a dense slice is cut. Pure functions, no
//! I/O.
//!
//! # The window
//! The window is `[from, to)`: `from` is `start_date`, or on an incremental
//! sync with a saved cursor C, `max(start_date, C - lookback)`, where the
//! lookback is the stream's own (`crate::config::Config::lookback_days`:
//! its `stream_lookback_days` entry, its parent's for a child stream, else
//! `lookback_window_days`);
//! `to` is the moment the sync started (whole seconds; or `end_date` when
//! that is earlier), not midnight, so today's records are read, and records
//! created while the sync runs cannot shift offset pages under it.
//!
//! # Boundaries
//! Whether Paystack's `from`/`to` are inclusive is not documented. Slices ask
//! for `from - 1 s` (so an exclusive `from` still returns records at the
//! boundary) and `to` unchanged (inclusive or exclusive, everything before it
//! comes back), then keep only records with `start <= createdAt < end`: a
//! record on a boundary is emitted by exactly one slice either way. A window
//! that ends at the sync start asks for `to - 1 ms`, so that a record created
//! in the sync's first second is not returned by an inclusive `to` and cannot
//! shift the pages.
//!
//! # Splitting
//! A slice of more than `max_pages` pages is cut into equal slices on whole
//! seconds, sized for about half that many pages; a slice shorter than
//! twice [`MIN_SPLIT`] is read whole, unless it claims more pages than one
//! list may hold (`crate::paging::MAX_PAGES`): then it is cut into
//! one-second slices ([`split_seconds`]).

use chrono::{DateTime, TimeDelta, Timelike, Utc};

use crate::protocol::SyncMode;

/// The shortest slice that is still split when dense.
pub const MIN_SPLIT: TimeDelta = TimeDelta::seconds(2);

/// `[start, end)`: one time slice.
pub type Range = (DateTime<Utc>, DateTime<Utc>);

/// `[from, to)`, the records one stream reads in this sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// `to` is the sync start (not an `end_date`).
    pub ends_now: bool,
}

/// Computes a stream's window; `None` when it is empty (a cursor at or past
/// its end, for example a far-future state).
pub fn window(
    mode: SyncMode,
    start_date: DateTime<Utc>,
    end_date: Option<DateTime<Utc>>,
    cursor: Option<DateTime<Utc>>,
    lookback_days: u64,
    sync_started: DateTime<Utc>,
) -> Option<Window> {
    let now = sync_started.with_nanosecond(0).unwrap_or(sync_started);
    let (to, ends_now) = match end_date {
        Some(end) if end < now => (end, false),
        _ => (now, true),
    };
    let from = match (mode, cursor) {
        (SyncMode::Incremental, Some(c)) => {
            let back = i64::try_from(lookback_days)
                .ok()
                .and_then(TimeDelta::try_days)
                .and_then(|d| c.checked_sub_signed(d))
                .unwrap_or(start_date);
            back.max(start_date)
        }
        _ => start_date,
    };
    (from < to).then_some(Window { from, to, ends_now })
}

impl Window {
    /// The window as its first slice.
    pub fn range(&self) -> Range {
        (self.from, self.to)
    }

    /// The `from` and `to` that slice `[start, end)` of this window asks for
    /// (see the module docs).
    pub fn query_bounds(&self, (start, end): Range) -> Range {
        let from = start - TimeDelta::seconds(1);
        // A window ending now: a millisecond less, so that records created
        // during the sync are not returned.
        let to = if self.ends_now && end >= self.to {
            end - TimeDelta::milliseconds(1)
        } else {
            end
        };
        (from, to)
    }
}

/// Whether `at` is in `[start, end)`.
pub fn contains((start, end): Range, at: DateTime<Utc>) -> bool {
    start <= at && at < end
}

/// The bounds of the slices that replace a slice of `pages` pages, when it
/// holds more than `max_pages` (see the module docs); `None` to read it
/// whole.
pub fn split(range: Range, pages: u32, max_pages: u32) -> Option<Vec<DateTime<Utc>>> {
    let (start, end) = range;
    if pages <= max_pages || end - start < MIN_SPLIT * 2 {
        return None;
    }
    let target = (max_pages / 2).max(1);
    let span = (end - start).num_seconds().max(1);
    let parts = i64::from(pages.div_ceil(target)).clamp(2, span);
    let mut bounds = vec![start];
    for i in 1..parts {
        let at = start + TimeDelta::seconds(span * i / parts);
        let at = at.with_nanosecond(0).unwrap_or(at);
        if at > *bounds.last().expect("non-empty") && at < end {
            bounds.push(at);
        }
    }
    bounds.push(end);
    Some(bounds)
}

/// The bounds of one-second slices that replace `range`, for a slice that
/// claims more pages than one list may hold; `None` when it spans less than
/// two seconds.
pub fn split_seconds(range: Range) -> Option<Vec<DateTime<Utc>>> {
    let (start, end) = range;
    if end - start < TimeDelta::seconds(2) {
        return None;
    }
    let mut bounds = vec![start];
    let mut at = start.with_nanosecond(0).unwrap_or(start) + TimeDelta::seconds(1);
    while at < end {
        bounds.push(at);
        at += TimeDelta::seconds(1);
    }
    bounds.push(end);
    Some(bounds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::any_time;
    use crate::testing::t;
    use proptest::prelude::*;

    #[test]
    fn window_arithmetic() {
        let start = t("2024-01-01T00:00:00Z");
        let now = t("2024-06-01T12:30:45.678Z");
        let w = |mode, cursor: &str, lookback| {
            window(mode, start, None, Some(t(cursor)), lookback, now)
        };
        let inc = |cursor, lookback| w(SyncMode::Incremental, cursor, lookback).unwrap();
        let full = w(SyncMode::FullRefresh, "2024-05-01T00:00:00Z", 3).unwrap();
        assert_eq!(full.from, start, "full refresh ignores the cursor");
        assert_eq!(
            full.to,
            t("2024-06-01T12:30:45Z"),
            "to is the sync start, not midnight"
        );
        assert_eq!(
            inc("2024-05-10T08:00:00Z", 3).from,
            t("2024-05-07T08:00:00Z"),
            "cursor minus the lookback"
        );
        assert_eq!(
            inc("2024-01-02T00:00:00Z", 30).from,
            start,
            "never before start_date"
        );
        assert_eq!(
            inc("2024-05-10T08:00:00Z", 0).from,
            t("2024-05-10T08:00:00Z")
        );
        assert_eq!(w(SyncMode::Incremental, "2099-01-01T00:00:00Z", 0), None);
        assert_eq!(
            inc("2024-05-10T08:00:00Z", u64::MAX).from,
            start,
            "an enormous lookback saturates"
        );
    }

    #[test]
    fn an_end_date_bounds_the_window() {
        let start = t("2024-01-01T00:00:00Z");
        let now = t("2024-06-01T12:00:00Z");
        let end = Some(t("2024-03-01T00:00:00Z"));
        let w = window(SyncMode::Incremental, start, end, None, 0, now).unwrap();
        assert_eq!((w.to, w.ends_now), (t("2024-03-01T00:00:00Z"), false));
        assert_eq!(
            w.query_bounds(w.range()).1,
            w.to,
            "no millisecond taken off"
        );
        let later = window(
            SyncMode::Incremental,
            start,
            Some(t("2099-01-01T00:00:00Z")),
            None,
            0,
            now,
        )
        .unwrap();
        assert!(
            later.ends_now,
            "a future end_date: the sync start bounds the window"
        );
        assert_eq!(
            window(
                SyncMode::Incremental,
                start,
                end,
                Some(t("2024-03-05T00:00:00Z")),
                0,
                now
            ),
            None,
            "a cursor past end_date: nothing to read"
        );
    }

    #[test]
    fn dense_slices_are_cut_on_whole_seconds() {
        let range = (t("2024-01-01T00:00:00Z"), t("2024-01-01T00:00:10Z"));
        assert_eq!(split(range, 4, 4), None, "not more than max_pages");
        let bounds = split(range, 10, 4).unwrap();
        assert_eq!(bounds.len(), 6, "five slices of about two pages");
        assert_eq!(bounds[1], t("2024-01-01T00:00:02Z"));
        let short = (t("2024-01-01T00:00:00Z"), t("2024-01-01T00:00:03Z"));
        assert_eq!(split(short, 1000, 4), None, "shorter than 2 × MIN_SPLIT");
        let seconds = split_seconds(short).unwrap();
        let want: Vec<_> = ["00", "01", "02", "03"]
            .iter()
            .map(|s| t(&format!("2024-01-01T00:00:{s}Z")))
            .collect();
        assert_eq!(seconds, want, "one-second slices");
        let odd = (t("2024-01-01T00:00:00.5Z"), t("2024-01-01T00:00:02.5Z"));
        let n = split_seconds(odd).unwrap();
        assert_eq!(n[1], t("2024-01-01T00:00:01Z"), "on whole seconds");
        assert_eq!(n.last(), Some(&odd.1));
        let one = (t("2024-01-01T00:00:00Z"), t("2024-01-01T00:00:01.9Z"));
        assert_eq!(split_seconds(one), None, "under two seconds");
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        #[test]
        fn the_window_is_inside_start_date_and_the_sync_start(
            start in any_time(), cursor in proptest::option::of(any_time()),
            lookback in prop_oneof![0u64..400, any::<u64>()], now in any_time(),
            incremental in any::<bool>(),
        ) {
            let mode = if incremental { SyncMode::Incremental } else { SyncMode::FullRefresh };
            if let Some(w) = window(mode, start, None, cursor, lookback, now) {
                prop_assert!(w.from >= start);
                prop_assert!(w.from < w.to);
                prop_assert!(w.to <= now);
                if let (true, Some(c)) = (incremental, cursor) {
                    prop_assert!(w.from <= c.max(start), "the lookback never skips past the cursor");
                }
            }
        }
    }
}
