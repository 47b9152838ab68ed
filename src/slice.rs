//! One stream's walk through its sync window: which page to ask for next,
//! which records of a page to emit, and when the state may move.
//!
//! This is pure bookkeeping (no I/O), so every rule is unit-tested here.
//!
//! # The window and its slices
//! The window is `[from, to)`: `from` is `start_date`, or on an incremental
//! sync with a saved cursor C, `max(start_date, C - lookback_window_days)`;
//! `to` is the moment the sync started (whole seconds), not midnight, so
//! today's records are read, and records created while the sync runs cannot
//! shift offset pages under it.
//!
//! The window starts as one slice. Its first page tells how many pages it
//! holds (`meta.total`, `meta.pageCount`); a slice of more than
//! `max_pages_per_slice` pages is split into equal time slices sized for about
//! half that many pages, and those are split again if still too dense. So a
//! quiet account costs one request per stream, and a busy one gets a
//! checkpoint at least every `max_pages_per_slice` pages (50 pages of 200
//! records: a state every 10,000 records, about 5 s of requests at 600 a
//! minute). Each split costs one request (the dense slice's first page).
//!
//! # Boundaries
//! Whether Paystack's `from`/`to` are inclusive is not documented. Slices ask
//! for `from - 1 s` (so an exclusive `from` still returns records at the
//! boundary) and `to` unchanged (inclusive or exclusive, everything before it
//! comes back), then keep only records with `start <= createdAt < end`: a
//! record on a boundary is emitted by exactly one slice either way. The last
//! slice asks for `to - 1 ms`, so that a record created in the sync's first
//! second is not returned by an inclusive `to` and cannot shift the pages.
//!
//! # Pages
//! A slice is read until `meta.pageCount` (or `ceil(total / perPage)`,
//! whichever is larger) or an empty page, never stopping on a short page. A
//! short first page that claims more pages reveals a server-side cap on
//! `perPage`; the slice then continues with that page size, which is right
//! whether Paystack offsets pages by the cap or by the size asked for. A page
//! identical to its neighbour stops the stream with an error rather than
//! looping, as does a slice of more than [`MAX_PAGES`] pages.
//!
//! # State
//! Slices complete in any order, but the state only moves when a slice and
//! every earlier one are complete, to the largest cursor emitted so far, never
//! backward, and never to the same value twice in a row.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, VecDeque};
use std::hash::{Hash, Hasher};

use chrono::{DateTime, TimeDelta, Timelike, Utc};

use crate::client::{ListQuery, Page, RecordRef};
use crate::error::Error;
use crate::protocol::SyncMode;

/// A slice of more than this many pages stops with an error: a guard against
/// an API that never runs out of pages.
pub const MAX_PAGES: u32 = 100_000;

/// The shortest slice that is still split when dense.
const MIN_SPLIT: TimeDelta = TimeDelta::seconds(2);

/// `[from, to)`, the records one stream reads in this sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// Computes a stream's window; `None` when it is empty (a cursor at or past
/// the sync start, for example a far-future state).
pub fn window(
    mode: SyncMode,
    start_date: DateTime<Utc>,
    cursor: Option<DateTime<Utc>>,
    lookback_days: u64,
    sync_started: DateTime<Utc>,
) -> Option<Window> {
    let to = sync_started.with_nanosecond(0).unwrap_or(sync_started);
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
    (from < to).then_some(Window { from, to })
}

/// Sizes that shape the requests.
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// `perPage` to ask for.
    pub per_page: u32,
    /// A slice with more pages than this is split.
    pub max_pages_per_slice: u32,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            per_page: 200,
            max_pages_per_slice: 50,
        }
    }
}

/// One page to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub slice: u64,
    pub query: ListQuery,
}

/// A state to emit: the cursor and the records since the previous state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateUpdate {
    pub cursor: DateTime<Utc>,
    pub record_count: u64,
}

/// What a page did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PageOutcome {
    /// Records emitted from it.
    pub emitted: u64,
    /// Records the first page of the stream's window announced (for ESTIMATE).
    pub estimate: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum First {
    NotSent,
    InFlight,
    Done,
}

#[derive(Debug)]
struct Slice {
    id: u64,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    per_page: u32,
    first: First,
    /// Next page number to hand out, once the first page is in.
    next_page: u32,
    /// Pages the slice holds; `None` when Paystack gave no counts (then the
    /// pages are read one after another until an empty one).
    last_page: Option<u32>,
    /// An empty page was seen after this page: ask for no more.
    stop_after: Option<u32>,
    in_flight: u32,
    max_cursor: Option<DateTime<Utc>>,
    /// Signatures of the non-empty pages, to spot a page that repeats.
    signatures: BTreeMap<u32, u64>,
    received: u64,
    total: Option<u64>,
    done: bool,
}

impl Slice {
    fn new(id: u64, start: DateTime<Utc>, end: DateTime<Utc>, per_page: u32) -> Self {
        Slice {
            id,
            start,
            end,
            per_page,
            first: First::NotSent,
            next_page: 2,
            last_page: None,
            stop_after: None,
            in_flight: 0,
            max_cursor: None,
            signatures: BTreeMap::new(),
            received: 0,
            total: None,
            done: false,
        }
    }

    fn query(&self, page: u32, window_end: DateTime<Utc>) -> ListQuery {
        // The last slice ends at the sync start: ask for a millisecond less,
        // so that records created during the sync, even within its first
        // second, are not returned by an inclusive `to` and cannot shift the
        // offset pages.
        let to = if self.end >= window_end {
            self.end - TimeDelta::milliseconds(1)
        } else {
            self.end
        };
        ListQuery {
            page,
            per_page: self.per_page,
            from: Some(self.start - TimeDelta::seconds(1)),
            to: Some(to),
        }
    }

    /// The next page of this slice that may be fetched now.
    fn next_page(&mut self) -> Option<u32> {
        match self.first {
            First::NotSent => {
                self.first = First::InFlight;
                return Some(1);
            }
            First::InFlight => return None,
            First::Done => {}
        }
        if self.done || self.stop_after.is_some() {
            return None;
        }
        let page = self.next_page;
        let allowed = match self.last_page {
            Some(last) => page <= last,
            // Unknown length: strictly one page after another.
            None => self.in_flight == 0,
        };
        allowed.then(|| {
            self.next_page += 1;
            page
        })
    }

    fn is_complete(&self) -> bool {
        self.first == First::Done
            && self.in_flight == 0
            && (self.stop_after.is_some()
                || self.last_page.is_some_and(|last| self.next_page > last))
    }

    fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }
}

/// One stream's progress; see the module docs.
#[derive(Debug)]
pub struct StreamProgress {
    path: &'static str,
    /// End of the window (the sync start).
    window_end: DateTime<Utc>,
    slices: VecDeque<Slice>,
    next_id: u64,
    tuning: Tuning,
    /// The state value: the saved cursor, raised by completed slices.
    state: Option<DateTime<Utc>>,
    /// The last state emitted.
    emitted_state: Option<DateTime<Utc>>,
    /// Used when the stream ends with no cursor at all.
    floor: DateTime<Utc>,
    since_state: u64,
    estimated: bool,
    warned_no_cursor: bool,
}

impl StreamProgress {
    /// Progress over `window` (none: nothing to read). `saved` is the input
    /// state's cursor, which the output state never goes below. `floor` is
    /// the state emitted when nothing ever raises it (the window start).
    pub fn new(
        path: &'static str,
        window: Option<Window>,
        saved: Option<DateTime<Utc>>,
        floor: DateTime<Utc>,
        tuning: Tuning,
    ) -> Self {
        let mut p = StreamProgress {
            path,
            window_end: window.map_or(floor, |w| w.to),
            slices: VecDeque::new(),
            next_id: 0,
            tuning,
            state: saved,
            emitted_state: None,
            floor,
            since_state: 0,
            estimated: false,
            warned_no_cursor: false,
        };
        if let Some(w) = window {
            let s = p.new_slice(w.from, w.to);
            p.slices.push_back(s);
        }
        p
    }

    fn new_slice(&mut self, start: DateTime<Utc>, end: DateTime<Utc>) -> Slice {
        self.next_id += 1;
        Slice::new(self.next_id, start, end, self.tuning.per_page)
    }

    /// True when every slice is complete.
    pub fn is_done(&self) -> bool {
        self.slices.is_empty()
    }

    /// The next page to fetch, oldest slice first, or `None` when nothing
    /// can be fetched until an answer arrives (or the stream is done).
    pub fn next_request(&mut self) -> Option<PageRequest> {
        for slice in self.slices.iter_mut() {
            if let Some(page) = slice.next_page() {
                slice.in_flight += 1;
                return Some(PageRequest {
                    slice: slice.id,
                    query: slice.query(page, self.window_end),
                });
            }
        }
        None
    }

    /// Takes in a fetched page: emits (through `emit`) the records that
    /// belong to its slice, and moves the bookkeeping on.
    ///
    /// # Errors
    /// A [`Error::Pagination`] when the page repeats its neighbour or the
    /// slice runs past [`MAX_PAGES`]; any error of `emit`.
    pub fn on_page(
        &mut self,
        req: &PageRequest,
        page: &Page,
        mut emit: impl FnMut(&RecordRef) -> Result<(), Error>,
    ) -> Result<PageOutcome, Error> {
        let path = self.path;
        let mut outcome = PageOutcome::default();
        let Some(index) = self.slices.iter().position(|s| s.id == req.slice) else {
            return Ok(outcome);
        };
        let page_no = req.query.page;
        let n = page.records.len() as u64;
        let meta = &page.meta;
        let slice = &mut self.slices[index];
        slice.in_flight -= 1;

        if page_no == 1 {
            slice.first = First::Done;
            slice.total = meta.total;
            if !self.estimated {
                self.estimated = true;
                outcome.estimate = meta.total;
            }
            let claims_more =
                meta.page_count.is_some_and(|c| c > 1) || meta.total.is_some_and(|t| t > n);
            if n > 0 && n < u64::from(req.query.per_page) && claims_more {
                tracing::warn!(
                    path,
                    asked = req.query.per_page,
                    got = n,
                    "Paystack capped the page size; continuing with the smaller pages."
                );
                slice.per_page = n as u32;
                self.tuning.per_page = n as u32;
            }
        }
        if n == 0 {
            let before = page_no - 1;
            slice.stop_after = Some(slice.stop_after.map_or(before, |s| s.min(before)));
        }
        let counted = page_count(meta, slice.per_page);
        if let Some(count) = counted {
            slice.last_page = Some(slice.last_page.map_or(count, |l| l.max(count)));
        }
        if slice.last_page.is_some_and(|l| l > MAX_PAGES) || page_no >= MAX_PAGES {
            return Err(Error::Pagination {
                path: path.to_owned(),
                detail: format!(
                    "one time slice claims more than {MAX_PAGES} pages; the API's paging is not \
                     behaving as documented"
                ),
            });
        }

        // A dense first page: split the slice instead of paging through it.
        if page_no == 1 {
            if let Some(last) = slice.last_page {
                if last > self.tuning.max_pages_per_slice
                    && slice.end - slice.start >= MIN_SPLIT * 2
                {
                    let target = (self.tuning.max_pages_per_slice / 2).max(1);
                    let parts = last.div_ceil(target);
                    self.split(index, parts);
                    return Ok(outcome);
                }
            }
        }

        let slice = &mut self.slices[index];
        if n > 0 {
            let sig = signature(page);
            for neighbour in [page_no.saturating_sub(1), page_no + 1] {
                if slice.signatures.get(&neighbour) == Some(&sig) {
                    return Err(Error::Pagination {
                        path: path.to_owned(),
                        detail: format!(
                            "pages {neighbour} and {page_no} returned the same records; Paystack \
                             is not advancing through the pages"
                        ),
                    });
                }
            }
            slice.signatures.insert(page_no, sig);
        }
        slice.received += n;
        for r in &page.records {
            match r.cursor {
                Some(at) if !slice.contains(at) => continue,
                Some(at) => {
                    if slice.max_cursor.is_none_or(|m| at > m) {
                        slice.max_cursor = Some(at);
                    }
                }
                None => {
                    if !self.warned_no_cursor {
                        self.warned_no_cursor = true;
                        tracing::warn!(
                            path,
                            "A record has no readable creation time; emitting it anyway."
                        );
                    }
                }
            }
            emit(r)?;
            outcome.emitted += 1;
        }
        self.since_state += outcome.emitted;

        let slice = &mut self.slices[index];
        if slice.is_complete() {
            slice.done = true;
            if let Some(total) = slice.total {
                if slice.received < total {
                    tracing::warn!(
                        path,
                        announced = total,
                        received = slice.received,
                        "Paystack announced more records than it returned for a time slice."
                    );
                }
            }
        }
        while self.slices.front().is_some_and(|s| s.done) {
            let s = self.slices.pop_front().expect("front exists");
            if let Some(m) = s.max_cursor {
                if self.state.is_none_or(|st| m > st) {
                    self.state = Some(m);
                }
            }
        }
        Ok(outcome)
    }

    /// Replaces slice `index` by `parts` equal slices on whole seconds.
    fn split(&mut self, index: usize, parts: u32) {
        let mut tail = self.slices.split_off(index);
        let old = tail.pop_front().expect("index is valid");
        let span = (old.end - old.start).num_seconds().max(1);
        let parts = i64::from(parts).clamp(2, span);
        let mut bounds = vec![old.start];
        for i in 1..parts {
            let at = old.start + TimeDelta::seconds(span * i / parts);
            let at = at.with_nanosecond(0).unwrap_or(at);
            if at > *bounds.last().expect("non-empty") && at < old.end {
                bounds.push(at);
            }
        }
        bounds.push(old.end);
        tracing::debug!(
            path = self.path,
            parts = bounds.len() - 1,
            "Splitting a dense time slice."
        );
        for w in bounds.windows(2) {
            let s = self.new_slice(w[0], w[1]);
            self.slices.push_back(s);
        }
        self.slices.append(&mut tail);
    }

    /// A state to emit now, if the state moved since the last one.
    pub fn take_state(&mut self) -> Option<StateUpdate> {
        let state = self.state?;
        if self.emitted_state == Some(state) {
            return None;
        }
        self.emitted_state = Some(state);
        let record_count = std::mem::take(&mut self.since_state);
        Some(StateUpdate {
            cursor: state,
            record_count,
        })
    }

    /// The state to emit when the stream completes: the current one if it
    /// was not emitted yet (every stream emits at least one state).
    pub fn final_state(&mut self) -> Option<StateUpdate> {
        if self.emitted_state.is_none() && self.state.is_none() {
            self.state = Some(self.floor);
        }
        self.take_state()
    }
}

/// Pages a slice holds according to `meta`: the larger of `pageCount` and
/// `ceil(total / perPage)` (they disagree when Paystack caps the page size).
fn page_count(meta: &crate::client::Meta, per_page: u32) -> Option<u32> {
    let by_total = meta.total.map(|t| t.div_ceil(u64::from(per_page.max(1))));
    let n = match (meta.page_count, by_total) {
        (Some(a), Some(b)) => a.max(b),
        (a, b) => a.or(b)?,
    };
    Some(u32::try_from(n).unwrap_or(u32::MAX))
}

fn signature(page: &Page) -> u64 {
    let mut h = DefaultHasher::new();
    page.records.len().hash(&mut h);
    if let (Some(first), Some(last)) = (page.records.first(), page.records.last()) {
        page.bytes(first).hash(&mut h);
        page.bytes(last).hash(&mut h);
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::{Meta, decode_page};
    use crate::state::parse_cursor_str;

    fn t(s: &str) -> DateTime<Utc> {
        parse_cursor_str(s).unwrap()
    }

    /// A page of records with these creation times (newest first), ids given.
    fn page(records: &[(u64, &str)], meta: Meta) -> Page {
        let data: Vec<String> = records
            .iter()
            .map(|(id, at)| format!(r#"{{"id":{id},"createdAt":"{at}"}}"#))
            .collect();
        let body = format!(r#"{{"status":true,"data":[{}]}}"#, data.join(","));
        let mut p = decode_page(body.into_bytes(), "createdAt").unwrap();
        p.meta = meta;
        p
    }

    fn meta(total: u64, per_page: u64) -> Meta {
        Meta {
            total: Some(total),
            per_page: Some(per_page),
            page: None,
            page_count: Some(total.div_ceil(per_page)),
        }
    }

    fn progress(from: &str, to: &str, tuning: Tuning) -> StreamProgress {
        let w = Window {
            from: t(from),
            to: t(to),
        };
        StreamProgress::new("/customer", Some(w), None, w.from, tuning)
    }

    fn ids(p: &mut StreamProgress, req: &PageRequest, page: &Page) -> Vec<u64> {
        let mut out = vec![];
        p.on_page(req, page, |r| {
            out.push(r.id.unwrap());
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn window_arithmetic() {
        let start = t("2024-01-01T00:00:00Z");
        let now = t("2024-06-01T12:30:45.678Z");
        let full = window(
            SyncMode::FullRefresh,
            start,
            Some(t("2024-05-01T00:00:00Z")),
            3,
            now,
        )
        .unwrap();
        assert_eq!(full.from, start, "full refresh ignores the cursor");
        assert_eq!(
            full.to,
            t("2024-06-01T12:30:45Z"),
            "to is the sync start, not midnight"
        );
        let inc = window(
            SyncMode::Incremental,
            start,
            Some(t("2024-05-10T08:00:00Z")),
            3,
            now,
        )
        .unwrap();
        assert_eq!(
            inc.from,
            t("2024-05-07T08:00:00Z"),
            "cursor minus the lookback"
        );
        let early = window(
            SyncMode::Incremental,
            start,
            Some(t("2024-01-02T00:00:00Z")),
            30,
            now,
        )
        .unwrap();
        assert_eq!(early.from, start, "never before start_date");
        let no_lookback = window(
            SyncMode::Incremental,
            start,
            Some(t("2024-05-10T08:00:00Z")),
            0,
            now,
        )
        .unwrap();
        assert_eq!(no_lookback.from, t("2024-05-10T08:00:00Z"));
        assert_eq!(
            window(
                SyncMode::Incremental,
                start,
                Some(t("2099-01-01T00:00:00Z")),
                0,
                now
            ),
            None
        );
        let huge = window(
            SyncMode::Incremental,
            start,
            Some(t("2024-05-10T08:00:00Z")),
            u64::MAX,
            now,
        )
        .unwrap();
        assert_eq!(huge.from, start, "an enormous lookback saturates");
    }

    #[test]
    fn pages_are_requested_until_the_page_count_and_state_moves_at_the_end() {
        let mut p = progress(
            "2024-01-01T00:00:00Z",
            "2024-02-01T00:00:00Z",
            Tuning {
                per_page: 2,
                max_pages_per_slice: 50,
            },
        );
        let r1 = p.next_request().unwrap();
        assert_eq!(r1.query.page, 1);
        assert_eq!(
            r1.query.from,
            Some(t("2023-12-31T23:59:59Z")),
            "from is widened by a second"
        );
        assert_eq!(
            r1.query.to,
            Some(t("2024-01-31T23:59:59.999Z")),
            "the sync start, less a millisecond"
        );
        assert_eq!(
            p.next_request(),
            None,
            "nothing else until page 1 says how many pages"
        );
        let got = ids(
            &mut p,
            &r1,
            &page(
                &[(5, "2024-01-20T00:00:00Z"), (4, "2024-01-19T00:00:00Z")],
                meta(5, 2),
            ),
        );
        assert_eq!(got, [5, 4]);
        assert_eq!(p.take_state(), None, "no state before the slice is done");
        let r2 = p.next_request().unwrap();
        let r3 = p.next_request().unwrap();
        assert_eq!((r2.query.page, r3.query.page), (2, 3));
        assert_eq!(p.next_request(), None);
        // Pages may come back in any order.
        ids(
            &mut p,
            &r3,
            &page(&[(1, "2024-01-02T00:00:00Z")], meta(5, 2)),
        );
        ids(
            &mut p,
            &r2,
            &page(
                &[(3, "2024-01-10T00:00:00Z"), (2, "2024-01-05T00:00:00Z")],
                meta(5, 2),
            ),
        );
        assert!(p.is_done());
        assert_eq!(
            p.take_state(),
            Some(StateUpdate {
                cursor: t("2024-01-20T00:00:00Z"),
                record_count: 5
            })
        );
        assert_eq!(p.take_state(), None, "the same state is not emitted twice");
        assert_eq!(p.final_state(), None);
    }

    #[test]
    fn a_short_page_does_not_end_the_slice() {
        let mut p = progress(
            "2024-01-01T00:00:00Z",
            "2024-02-01T00:00:00Z",
            Tuning {
                per_page: 3,
                max_pages_per_slice: 50,
            },
        );
        let r1 = p.next_request().unwrap();
        // No counts at all: one page after another until an empty one.
        ids(
            &mut p,
            &r1,
            &page(&[(9, "2024-01-20T00:00:00Z")], Meta::default()),
        );
        let r2 = p.next_request().unwrap();
        assert_eq!(r2.query.page, 2);
        assert_eq!(
            p.next_request(),
            None,
            "unknown length: strictly sequential"
        );
        ids(
            &mut p,
            &r2,
            &page(&[(8, "2024-01-19T00:00:00Z")], Meta::default()),
        );
        let r3 = p.next_request().unwrap();
        ids(&mut p, &r3, &page(&[], Meta::default()));
        assert!(p.is_done());
    }

    #[test]
    fn a_capped_page_size_is_learned_from_the_first_page() {
        // Asked for 4 a page, Paystack returns 2 and computes pageCount with
        // the 4 it was asked for: trusting pageCount would stop at page 2.
        let mut p = progress(
            "2024-01-01T00:00:00Z",
            "2024-02-01T00:00:00Z",
            Tuning {
                per_page: 4,
                max_pages_per_slice: 50,
            },
        );
        let r1 = p.next_request().unwrap();
        let m = Meta {
            total: Some(8),
            per_page: Some(4),
            page: Some(1),
            page_count: Some(2),
        };
        ids(
            &mut p,
            &r1,
            &page(
                &[(8, "2024-01-28T00:00:00Z"), (7, "2024-01-27T00:00:00Z")],
                m,
            ),
        );
        let rest: Vec<_> = std::iter::from_fn(|| p.next_request()).collect();
        assert_eq!(
            rest.iter().map(|r| r.query.page).collect::<Vec<_>>(),
            [2, 3, 4]
        );
        assert!(rest.iter().all(|r| r.query.per_page == 2));
    }

    #[test]
    fn boundary_records_belong_to_exactly_one_slice() {
        let mut p = progress(
            "2024-01-01T00:00:00Z",
            "2024-01-01T00:00:10Z",
            Tuning {
                per_page: 1,
                max_pages_per_slice: 4,
            },
        );
        let r1 = p.next_request().unwrap();
        // 10 pages: more than 4, so the 10-second slice is split in 5.
        let out = ids(
            &mut p,
            &r1,
            &page(&[(10, "2024-01-01T00:00:09Z")], meta(10, 1)),
        );
        assert!(
            out.is_empty(),
            "the first page of a split slice is not emitted"
        );
        let reqs: Vec<_> = std::iter::from_fn(|| p.next_request()).collect();
        let bounds: Vec<_> = reqs
            .iter()
            .map(|r| (r.query.from.unwrap(), r.query.to.unwrap()))
            .collect();
        assert_eq!(bounds.len(), 5);
        assert_eq!(
            bounds[1],
            (t("2024-01-01T00:00:01Z"), t("2024-01-01T00:00:04Z"))
        );
        // A record at exactly 00:00:02 comes back for slice [0,2) when `to`
        // is inclusive and for [2,4) whatever `from` is: only [2,4) keeps it.
        let at_boundary = page(&[(3, "2024-01-01T00:00:02Z")], meta(1, 1));
        assert!(ids(&mut p, &reqs[0], &at_boundary).is_empty());
        assert_eq!(ids(&mut p, &reqs[1], &at_boundary), [3]);
    }

    #[test]
    fn state_waits_for_every_earlier_slice() {
        let mut p = progress(
            "2024-01-01T00:00:00Z",
            "2024-01-01T00:00:10Z",
            Tuning {
                per_page: 1,
                max_pages_per_slice: 4,
            },
        );
        let r1 = p.next_request().unwrap();
        ids(
            &mut p,
            &r1,
            &page(&[(10, "2024-01-01T00:00:09Z")], meta(10, 1)),
        );
        let reqs: Vec<_> = std::iter::from_fn(|| p.next_request()).collect();
        // The newest slice completes first: no state may be emitted yet.
        ids(
            &mut p,
            &reqs[4],
            &page(&[(9, "2024-01-01T00:00:09Z")], meta(1, 1)),
        );
        assert_eq!(p.take_state(), None);
        ids(
            &mut p,
            &reqs[0],
            &page(&[(1, "2024-01-01T00:00:01Z")], meta(1, 1)),
        );
        assert_eq!(p.take_state().unwrap().cursor, t("2024-01-01T00:00:01Z"));
        for r in &reqs[1..4] {
            ids(&mut p, r, &page(&[], meta(0, 1)));
        }
        let s = p.take_state().unwrap();
        assert_eq!(s.cursor, t("2024-01-01T00:00:09Z"));
        assert_eq!(
            s.record_count, 0,
            "the record of the last slice was counted by the first state"
        );
        assert!(p.is_done());
    }

    #[test]
    fn a_repeated_page_is_an_error_not_a_loop() {
        let mut p = progress(
            "2024-01-01T00:00:00Z",
            "2024-02-01T00:00:00Z",
            Tuning {
                per_page: 1,
                max_pages_per_slice: 50,
            },
        );
        let same = page(&[(5, "2024-01-20T00:00:00Z")], Meta::default());
        let r1 = p.next_request().unwrap();
        ids(&mut p, &r1, &same);
        let r2 = p.next_request().unwrap();
        let err = p.on_page(&r2, &same, |_| Ok(())).unwrap_err();
        assert!(matches!(err, Error::Pagination { .. }), "{err}");
    }

    #[test]
    fn the_state_never_goes_below_the_saved_cursor() {
        let w = Window {
            from: t("2024-01-01T00:00:00Z"),
            to: t("2024-02-01T00:00:00Z"),
        };
        let saved = t("2024-01-25T00:00:00Z");
        let mut p = StreamProgress::new("/x", Some(w), Some(saved), w.from, Tuning::default());
        let r = p.next_request().unwrap();
        ids(
            &mut p,
            &r,
            &page(&[(1, "2024-01-10T00:00:00Z")], meta(1, 200)),
        );
        assert_eq!(
            p.take_state(),
            Some(StateUpdate {
                cursor: saved,
                record_count: 1
            }),
            "an older record does not lower the state"
        );
        assert_eq!(p.final_state(), None, "and it is not repeated at the end");
    }

    #[test]
    fn an_empty_window_still_emits_one_state() {
        let far = t("2099-01-01T00:00:00Z");
        let mut p = StreamProgress::new(
            "/x",
            None,
            Some(far),
            t("2024-01-01T00:00:00Z"),
            Tuning::default(),
        );
        assert!(p.is_done());
        assert_eq!(p.next_request(), None);
        assert_eq!(
            p.final_state(),
            Some(StateUpdate {
                cursor: far,
                record_count: 0
            })
        );
        let mut fresh = StreamProgress::new(
            "/x",
            None,
            None,
            t("2024-01-01T00:00:00Z"),
            Tuning::default(),
        );
        assert_eq!(
            fresh.final_state().unwrap().cursor,
            t("2024-01-01T00:00:00Z")
        );
    }
}
