//! One stream's walk through its sync window: which page to ask for next,
//! which records of a page to emit, and when the state may move. The stream
//! is a row of the table ([`StreamDef`]); the window and its arithmetic come
//! from [`crate::window`], the paging of each list from [`crate::paging`].
//!
//! This is pure bookkeeping (no I/O), so every rule is unit-tested here.
//!
//! # Slices
//! The window starts as one slice. Its first page tells how many pages it
//! holds ([`crate::paging::Counts`]); a slice of more than
//! `max_pages_per_slice` pages is split ([`crate::window::split`]), and
//! those slices are split again if still too dense. So a quiet account costs
//! one request per stream, and a busy one gets a checkpoint at least every
//! `max_pages_per_slice` pages (50 pages of 200 records: a state every
//! 10,000 records, about 5 s of requests at 600 a minute). Each split costs
//! one request (the dense slice's first page). Streams whose time filter is
//! not in Paystack's reference are never split: one slice is right whether
//! or not the filter is applied. Records are kept when their creation time
//! is inside their slice, so each is emitted by exactly one slice.
//!
//! # Full refresh and child streams
//! A stream without a time filter is one unfiltered list; it has no cursor,
//! so its state is empty. A child stream walks its parent's window like any
//! incremental stream, but each parent record in range opens a child list
//! (`/settlement/{id}/transactions`), whose records are emitted tagged with
//! the parent's key and creation time; a parent slice completes only when
//! all its child lists are read.
//!
//! # Completeness
//! Each list (a slice, or a child list) books the records its pages deliver
//! in a [`Deliveries`]: a record is emitted once, however often the pages
//! repeat it. When a list's pages are all in, its count is checked against
//! the `meta.total` of its first page (`crate::completeness`); a list that
//! falls short is read again from its first page, one page after another
//! (see [`crate::paging::ListPages::again`]; a slice read again is not
//! split), and fails the stream if it falls short again. A slice whose list
//! is not settled is not complete, so the state never passes it.
//!
//! # State
//! Slices complete in any order, but the state only moves when a slice and
//! every earlier one are complete, to the largest cursor emitted so far, never
//! backward, and never to the same value twice in a row.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::completeness::{Check, Completeness, Deliveries, ListRead, Settled};
use crate::error::Error;
use crate::page::{Fields, Page};
use crate::paging::{self, Ask, Counts, ListPages, MAX_PAGES};
use crate::schema_plan::Plan;
use crate::sink::{ParentLists, StateUpdate};
use crate::streams::{Mode, Parent, StreamDef};
use crate::sweep::{self, Report, Sweep};
use crate::time::format_cursor;
use crate::unplaced::Unplaced;
use crate::window::{self, Range, Window};

/// Parent pages are not fetched while this many child lists are open, which
/// bounds the bookkeeping (and memory) of child streams.
const MAX_OPEN_CHILDREN: usize = 2_000;

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

/// Which list a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    Slice(u64),
    Child(u64),
}

/// One page to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub target: Target,
    /// The endpoint: the stream's list, or one child list.
    pub path: Cow<'static, str>,
    /// The fields to read from its records.
    pub fields: Fields<'static>,
    /// The page and its query (time filter included).
    pub ask: Ask,
}

/// What a page gave.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PageOutcome {
    /// The indices in `page.records` of the records to emit, in page order.
    pub emit: Vec<usize>,
    /// Written at the start of each emitted record: a child list's tag (the
    /// parent's key and creation time), or nothing.
    pub tag: Option<Arc<[u8]>>,
    /// Records the first page of the stream's window announced (for ESTIMATE).
    pub estimate: Option<u64>,
    /// The page completed its list, read and checked as this says.
    pub list_read: Option<ListRead>,
}

#[derive(Debug)]
struct Slice {
    id: u64,
    /// `[start, end)` with a time filter; `None`: an unfiltered list.
    range: Option<Range>,
    pages: Box<dyn ListPages>,
    deliveries: Deliveries,
    max_cursor: Option<DateTime<Utc>>,
    /// Child lists opened by this slice and not yet read.
    open_children: u32,
    /// No more parent records to be split off: pages read, split decided.
    done: bool,
    /// Its first page's count is still to be added to the estimate (a
    /// slice of the window or of the sweep, not one split off).
    announce: bool,
    /// A slice of the refresh sweep: when its pass started.
    pass: Option<DateTime<Utc>>,
}

impl Slice {
    fn is_complete(&self) -> bool {
        self.pages.is_complete() && self.open_children == 0
    }
}

#[derive(Debug)]
struct Child {
    id: u64,
    slice: u64,
    path: String,
    /// `"key_tag":KEY,"cursor_tag":"TIME",`, written at the start of each record.
    tag: Arc<[u8]>,
    pages: Box<dyn ListPages>,
    deliveries: Deliveries,
    /// Opened by a slice of the refresh sweep.
    swept: bool,
}

/// The refresh sweep of one stream in this sync (see `crate::sweep`).
#[derive(Debug)]
struct SweepTrack {
    plan: sweep::Plan,
    /// The sync's start.
    now: DateTime<Utc>,
    /// The sweep's place: moved over its slices read to their end, in order.
    at: Sweep,
    records: u64,
    pages: u64,
}

/// One stream's progress; see the module docs.
#[derive(Debug)]
pub struct StreamProgress {
    def: &'static StreamDef,
    window: Option<Window>,
    slices: VecDeque<Slice>,
    /// The refresh sweep's slices, in order: older history, re-read.
    swept: VecDeque<Slice>,
    sweep: Option<SweepTrack>,
    children: VecDeque<Child>,
    next_id: u64,
    tuning: Tuning,
    /// The state value: the saved cursor, raised by completed slices.
    state: Option<DateTime<Utc>>,
    /// The last state emitted: the cursor and the sweep's place.
    emitted_state: Option<(DateTime<Utc>, Option<Sweep>)>,
    any_state_emitted: bool,
    /// Used when the stream ends with no cursor at all.
    floor: DateTime<Utc>,
    since_state: u64,
    /// Records the first pages of the window's and the sweep's slices
    /// announced, summed (for ESTIMATE).
    announced: u64,
    warned_no_cursor: bool,
    /// A child stream: the parent records its window's first page announced.
    parents_announced: Option<u64>,
    /// A child stream: the child lists opened, and those read to their end.
    lists_opened: u64,
    lists_read: u64,
    /// What a list short of its count on both reads does to the stream.
    completeness: Completeness,
    /// `tuning.per_page` was lowered to a page-size cap the server revealed.
    cap_learned: bool,
    /// Records without an id, or created in the future.
    unplaced: Unplaced,
}

impl StreamProgress {
    /// Progress of stream `def` through `window` (`None`: nothing to read
    /// for a stream with a time filter). `saved` is the input state's
    /// cursor, which the output state never goes below. `floor` is the state
    /// emitted when nothing ever raises it (the window start).
    pub fn new(
        def: &'static StreamDef,
        window: Option<Window>,
        saved: Option<DateTime<Utc>>,
        floor: DateTime<Utc>,
        tuning: Tuning,
    ) -> Self {
        let mut p = StreamProgress {
            def,
            window,
            slices: VecDeque::new(),
            swept: VecDeque::new(),
            sweep: None,
            children: VecDeque::new(),
            next_id: 0,
            tuning,
            state: saved,
            emitted_state: None,
            any_state_emitted: false,
            floor,
            since_state: 0,
            announced: 0,
            warned_no_cursor: false,
            parents_announced: None,
            lists_opened: 0,
            lists_read: 0,
            completeness: Completeness::default(),
            cap_learned: false,
            unplaced: Unplaced::default(),
        };
        let range = if p.filtered() {
            window.map(|w| Some(w.range()))
        } else {
            Some(None)
        };
        if let Some(range) = range {
            let s = p.new_slice(range);
            p.slices.push_back(s);
        }
        p
    }

    /// Sets what a list short of its count on both reads does (default:
    /// strict, the stream fails).
    #[must_use]
    pub fn with_completeness(mut self, completeness: Completeness) -> Self {
        self.completeness = completeness;
        self
    }

    /// Adds the refresh sweep's slices (`plan`, for a sync started at
    /// `now`): they are read after the window's, and move the sweep's place
    /// in the state, never the cursor.
    #[must_use]
    pub fn with_sweep(mut self, plan: sweep::Plan, now: DateTime<Utc>) -> Self {
        if !self.filtered() {
            return self;
        }
        for part in &plan.parts {
            let mut s = self.new_slice(Some(part.range));
            s.pass = Some(part.pass_started);
            self.swept.push_back(s);
        }
        self.sweep = Some(SweepTrack {
            at: plan.at_start,
            plan,
            now,
            records: 0,
            pages: 0,
        });
        self
    }

    /// What the refresh sweep did, for the accounting line (`None` without
    /// a sweep).
    pub fn sweep_report(&self) -> Option<Report> {
        let t = self.sweep.as_ref()?;
        Some(Report {
            parts: t.plan.parts.iter().map(|p| p.range).collect(),
            records: t.records,
            pages: t.pages,
            horizon_days: t.plan.horizon_days,
            nothing_older: t.plan.history.0 >= t.plan.history.1,
        })
    }

    /// The endpoint filters on creation time: the window is read in slices.
    fn filtered(&self) -> bool {
        self.def.cursor_field().is_some()
    }

    fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn new_slice(&mut self, range: Option<Range>) -> Slice {
        Slice {
            id: self.new_id(),
            range,
            pages: paging::start(self.def.paging, self.tuning.per_page),
            deliveries: Deliveries::default(),
            max_cursor: None,
            open_children: 0,
            done: false,
            announce: true,
            pass: None,
        }
    }

    /// The slice `id`, of the window or of the sweep.
    fn slice(&self, id: u64) -> Option<&Slice> {
        self.slices.iter().chain(&self.swept).find(|s| s.id == id)
    }

    /// Whether a page for `target` belongs to the refresh sweep.
    fn is_swept(&self, target: Target) -> bool {
        match target {
            Target::Slice(id) => self.slice(id).is_some_and(|s| s.pass.is_some()),
            Target::Child(id) => self.children.iter().any(|c| c.id == id && c.swept),
        }
    }

    /// True when every slice (and child list) is complete.
    pub fn is_done(&self) -> bool {
        self.slices.is_empty() && self.swept.is_empty() && self.children.is_empty()
    }

    /// The next page to fetch, or `None` when nothing can be fetched until
    /// an answer arrives (or the stream is done). Child lists come first,
    /// then the window's slices, oldest first, then the sweep's.
    pub fn next_request(&mut self) -> Option<PageRequest> {
        for child in self.children.iter_mut() {
            if let Some(ask) = child.pages.next() {
                return Some(PageRequest {
                    target: Target::Child(child.id),
                    // A child list: its records are emitted whole; nothing
                    // to read in them but their types.
                    path: Cow::Owned(child.path.clone()),
                    fields: Fields {
                        plan: Some(Plan::of(self.def)),
                        ..Fields::default()
                    },
                    ask,
                });
            }
        }
        if self.children.len() >= MAX_OPEN_CHILDREN {
            return None;
        }
        let fields = listed_fields(self.def);
        for slice in self.slices.iter_mut().chain(self.swept.iter_mut()) {
            if let Some(mut ask) = slice.pages.next() {
                if let (Some(range), Some(w)) = (slice.range, self.window) {
                    let (from, to) = w.query_bounds(range);
                    ask.query.push("from", format_cursor(from));
                    ask.query.push("to", format_cursor(to));
                }
                return Some(PageRequest {
                    target: Target::Slice(slice.id),
                    path: Cow::Borrowed(self.def.path),
                    fields,
                    ask,
                });
            }
        }
        None
    }

    /// Takes in a fetched page: says which of its records to emit (and with
    /// which tag), and moves the bookkeeping on. The records count as
    /// emitted for the next state.
    ///
    /// # Errors
    /// A [`Error::Pagination`] when a list does not advance or runs past
    /// [`crate::paging::MAX_PAGES`].
    pub fn on_page(&mut self, req: &PageRequest, page: &Page) -> Result<PageOutcome, Error> {
        let swept = self.is_swept(req.target);
        let outcome = match req.target {
            Target::Slice(id) => self.on_slice_page(id, req, page)?,
            Target::Child(id) => self.on_child_page(id, req, page)?,
        };
        if let (true, Some(t)) = (swept, self.sweep.as_mut()) {
            t.records += outcome.emit.len() as u64;
            t.pages += 1;
        }
        self.since_state += outcome.emit.len() as u64;
        self.advance();
        Ok(outcome)
    }

    fn on_slice_page(
        &mut self,
        id: u64,
        req: &PageRequest,
        page: &Page,
    ) -> Result<PageOutcome, Error> {
        let def = self.def;
        let path = def.path;
        let mut outcome = PageOutcome::default();
        let in_sweep = self.swept.iter().any(|s| s.id == id);
        let queue = if in_sweep {
            &mut self.swept
        } else {
            &mut self.slices
        };
        let Some(index) = queue.iter().position(|s| s.id == id) else {
            return Ok(outcome);
        };
        let slice = &mut queue[index];
        if let Some(size) = slice.pages.take(&req.ask, page, path)? {
            // A server's cap is learned once: lists then ask for pages it
            // serves whole, and a later short first page is a record left
            // out (the completeness check reads the list again), not a
            // smaller cap to shrink every later list by.
            if !self.cap_learned {
                self.cap_learned = true;
                self.tuning.per_page = size;
            }
        }
        let first = req.ask.page_no == 1;
        if first && slice.announce {
            slice.announce = false;
            if let Some(total) = slice.pages.counts().total {
                self.announced += total;
                match def.parent {
                    None => outcome.estimate = Some(self.announced),
                    Some(_) => self.parents_announced = Some(self.announced),
                }
            }
        }

        // A dense first page: split the slice instead of paging through it
        // (but not on a second read: its records are booked as one list).
        let split = matches!(def.mode, Mode::Incremental { split: true, .. })
            && !slice.deliveries.rereading();
        if let (true, true, Some(range), Some(pages)) =
            (first, split, slice.range, slice.pages.counts().pages)
        {
            // More pages than one list may hold, in a slice too short for
            // the usual split: one-second slices.
            let bounds =
                window::split(range, pages, self.tuning.max_pages_per_slice).or_else(|| {
                    let short = range.1 - range.0 < window::MIN_SPLIT * 2;
                    (short && pages > MAX_PAGES)
                        .then(|| window::split_seconds(range))
                        .flatten()
                });
            if let Some(bounds) = bounds {
                self.split(in_sweep, index, &bounds);
                return Ok(outcome);
            }
        }
        if first {
            let list = || describe(path, slice.range, self.window);
            refuse_too_many_pages(slice.pages.counts(), path, list, slice.range)?;
        }

        let filtered = slice.range.is_some();
        let mut opened: Vec<Child> = Vec::new();
        for (i, r) in page.records.iter().enumerate() {
            // Created in the future: emitted once, by whichever slice
            // delivers it first, without raising the state (see
            // `crate::unplaced`).
            let future = r.cursor.is_some_and(|at| in_the_future(at, self.window));
            let inside = match (r.cursor, slice.range) {
                (Some(at), Some(_)) if future => self.unplaced.future(r.id, at),
                (Some(at), Some(range)) => window::contains(range, at),
                _ => true,
            };
            if !slice.deliveries.admit(r.id, inside) {
                continue;
            }
            match r.cursor {
                Some(_) if future => {}
                Some(at) if slice.max_cursor.is_none_or(|m| at > m) => {
                    slice.max_cursor = Some(at);
                }
                Some(_) => {}
                None if filtered && !self.warned_no_cursor => {
                    self.warned_no_cursor = true;
                    tracing::warn!(
                        path,
                        "A record has no readable creation time; reading it anyway."
                    );
                }
                None => {}
            }
            match def.parent {
                None => {
                    self.unplaced.no_id += u64::from(r.id.is_none());
                    outcome.emit.push(i);
                }
                Some(parent) => match &r.key {
                    Some(key) => opened.push(Child {
                        id: 0,
                        slice: slice.id,
                        path: parent.path.replace("{}", &path_segment(key)),
                        tag: child_tag(parent, key, r.cursor),
                        pages: paging::start(parent.paging, self.tuning.per_page),
                        deliveries: Deliveries::default(),
                        swept: in_sweep,
                    }),
                    None => tracing::warn!(
                        path,
                        "A parent record has no key; its children cannot be listed."
                    ),
                },
            }
        }
        if slice.pages.is_complete() {
            let list = describe(path, slice.range, self.window);
            let check = Check {
                stream: def.name,
                list: &list,
                completeness: self.completeness,
            };
            match slice.deliveries.settle(slice.pages.announced(), check)? {
                Settled::ReadAgain => slice.pages = slice.pages.again(),
                Settled::Done(read) => outcome.list_read = Some(read),
            }
        }
        slice.open_children += opened.len() as u32;
        self.lists_opened += opened.len() as u64;
        if slice.is_complete() {
            slice.done = true;
        }
        for mut child in opened {
            child.id = self.new_id();
            self.children.push_back(child);
        }
        Ok(outcome)
    }

    fn on_child_page(
        &mut self,
        id: u64,
        req: &PageRequest,
        page: &Page,
    ) -> Result<PageOutcome, Error> {
        let Some(index) = self.children.iter().position(|c| c.id == id) else {
            return Ok(PageOutcome::default());
        };
        let child = &mut self.children[index];
        child.pages.take(&req.ask, page, &child.path)?;
        if req.ask.page_no == 1 {
            let list = || format!("GET {}", child.path);
            refuse_too_many_pages(child.pages.counts(), &child.path, list, None)?;
        }
        let deliveries = &mut child.deliveries;
        let mut outcome = PageOutcome {
            emit: (page.records.iter().enumerate())
                .filter(|(_, r)| deliveries.admit(r.id, true))
                .map(|(i, _)| i)
                .collect(),
            tag: Some(Arc::clone(&child.tag)),
            ..PageOutcome::default()
        };
        self.unplaced.no_id += (outcome.emit.iter())
            .filter(|&&i| page.records[i].id.is_none())
            .count() as u64;
        if child.pages.is_complete() {
            let parent = (self.slices.iter().chain(&self.swept)).find(|s| s.id == child.slice);
            let of = describe(self.def.path, parent.and_then(|s| s.range), self.window);
            let list = format!("GET {} (listed for a record of {of})", child.path);
            let check = Check {
                stream: self.def.name,
                list: &list,
                completeness: self.completeness,
            };
            match child.deliveries.settle(child.pages.announced(), check)? {
                Settled::ReadAgain => {
                    child.pages = child.pages.again();
                    return Ok(outcome);
                }
                Settled::Done(read) => outcome.list_read = Some(read),
            }
            let child = self.children.remove(index).expect("index is valid");
            self.lists_read += 1;
            let parent =
                (self.slices.iter_mut().chain(self.swept.iter_mut())).find(|s| s.id == child.slice);
            if let Some(slice) = parent {
                slice.open_children -= 1;
                if slice.is_complete() {
                    slice.done = true;
                }
            }
        }
        Ok(outcome)
    }

    /// Pops the completed slices at the front, raising the state; and
    /// those of the sweep, moving its place.
    fn advance(&mut self) {
        while self.slices.front().is_some_and(|s| s.done) {
            let s = self.slices.pop_front().expect("front exists");
            if let Some(m) = s.max_cursor {
                if self.state.is_none_or(|st| m > st) {
                    self.state = Some(m);
                }
            }
        }
        while self.swept.front().is_some_and(|s| s.done) {
            let s = self.swept.pop_front().expect("front exists");
            if let (Some(t), Some((_, end)), Some(pass_started)) =
                (self.sweep.as_mut(), s.range, s.pass)
            {
                t.at = Sweep {
                    position: end,
                    pass_started,
                    synced: t.now,
                };
            }
        }
    }

    /// Replaces slice `index` (of the sweep's slices when `in_sweep`) by
    /// the slices between `bounds`.
    fn split(&mut self, in_sweep: bool, index: usize, bounds: &[DateTime<Utc>]) {
        let mut tail = self.queue(in_sweep).split_off(index);
        let pass = tail.front().and_then(|s| s.pass);
        tail.pop_front().expect("index is valid");
        tracing::debug!(
            path = self.def.path,
            parts = bounds.len() - 1,
            "Splitting a dense time slice."
        );
        for w in bounds.windows(2) {
            let mut s = self.new_slice(Some((w[0], w[1])));
            s.announce = false;
            s.pass = pass;
            self.queue(in_sweep).push_back(s);
        }
        self.queue(in_sweep).append(&mut tail);
    }

    fn queue(&mut self, in_sweep: bool) -> &mut VecDeque<Slice> {
        if in_sweep {
            &mut self.swept
        } else {
            &mut self.slices
        }
    }

    /// A child stream's progress through its parents' lists (`None` for
    /// other streams).
    pub fn parent_lists(&self) -> Option<ParentLists> {
        self.def.parent?;
        Some(ParentLists {
            read: self.lists_read,
            of: self.lists_opened.max(self.parents_announced.unwrap_or(0)),
        })
    }

    /// The WARN to log when the stream completes, if it had records it
    /// could not place (see `crate::unplaced`).
    pub fn unplaced_warning(&self) -> Option<String> {
        self.unplaced.warning(self.def.name, Utc::now())
    }

    /// A state to emit now, if the state moved since the last one.
    pub fn take_state(&mut self) -> Option<StateUpdate> {
        if !self.filtered() {
            return None;
        }
        let state = self.state?;
        let sweep = self.sweep.as_ref().map(|t| t.at);
        if self.emitted_state == Some((state, sweep)) {
            return None;
        }
        self.emitted_state = Some((state, sweep));
        self.any_state_emitted = true;
        Some(StateUpdate {
            cursor: Some(state),
            sweep,
            record_count: std::mem::take(&mut self.since_state),
        })
    }

    /// The state to emit when the stream completes: the current one if it
    /// was not emitted yet (every stream emits at least one state; a full
    /// refresh stream without a cursor emits an empty one).
    pub fn final_state(&mut self) -> Option<StateUpdate> {
        if !self.filtered() {
            if self.any_state_emitted {
                return None;
            }
            self.any_state_emitted = true;
            return Some(StateUpdate {
                cursor: None,
                sweep: None,
                record_count: std::mem::take(&mut self.since_state),
            });
        }
        if self.emitted_state.is_none() && self.state.is_none() {
            self.state = Some(self.floor);
        }
        self.take_state()
    }
}

/// The fields read from the records a stream lists (for a child stream,
/// its parent's records: their creation time and key), and the plan its
/// records are normalised by (none for parents: they are not emitted).
fn listed_fields(def: &'static StreamDef) -> Fields<'static> {
    let listed = def.listed();
    Fields {
        cursor: listed.cursor_field(),
        cursor_alias: listed.cursor_alias,
        key: def.parent.map(|p| p.key),
        plan: def.parent.is_none().then(|| Plan::of(def)),
    }
}

/// A parent's key (JSON text: `123` or `"BCH_x"`) as one URL path segment:
/// the string's value, with anything but unreserved characters
/// percent-encoded, so an odd key cannot change the path.
fn path_segment(key: &str) -> String {
    let value = match serde_json::from_str::<serde_json::Value>(key) {
        Ok(serde_json::Value::String(s)) => s,
        _ => key.to_owned(),
    };
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The tag written at the start of each record of a child list.
fn child_tag(parent: Parent, key: &str, parent_created: Option<DateTime<Utc>>) -> Arc<[u8]> {
    let created = parent_created.map_or_else(
        || "null".to_owned(),
        |at| format!("\"{}\"", format_cursor(at)),
    );
    format!(
        "\"{}\":{key},\"{}\":{created},",
        parent.key_tag, parent.cursor_tag
    )
    .into_bytes()
    .into()
}

/// Whether a record created at `at` was created in the future: past the
/// end of a `window` that ends at the sync start, and past the clock.
fn in_the_future(at: DateTime<Utc>, window: Option<Window>) -> bool {
    window.is_some_and(|w| w.ends_now && at >= w.to) && at > Utc::now()
}

/// A list whose first page claims more pages than one list may hold
/// ([`MAX_PAGES`]), and that is not split (a time slice under two seconds,
/// a second read, or a list without a time filter), is refused: Paystack's
/// count is then most likely wrong, and reading on would take days or loop.
/// `list` names the query; `range` is its time slice, if any.
fn refuse_too_many_pages(
    counts: Counts,
    path: &str,
    list: impl Fn() -> String,
    range: Option<Range>,
) -> Result<(), Error> {
    let Some(pages) = counts.pages.filter(|p| *p > MAX_PAGES) else {
        return Ok(());
    };
    let records = counts
        .total
        .map_or_else(String::new, |t| format!(" ({t} records)"));
    let (why, backfill) = match range {
        Some((start, end)) => (
            format!(
                "in a slice of {} s, which is not split further",
                (end - start).num_seconds().max(1)
            ),
            format!(
                " To sync the history before it meanwhile (a backfill), set end_date to {}: \
                 the state stops there until end_date is removed.",
                format_cursor(start)
            ),
        ),
        None => (
            "and this list cannot be split by time (it has no from/to filter)".to_owned(),
            String::new(),
        ),
    };
    Err(Error::Pagination {
        path: path.to_owned(),
        detail: format!(
            "{} claims {pages} pages{records} {why}: more than the {MAX_PAGES} pages the \
             connector reads from one list. Paystack's count for this query is most likely \
             wrong: send the query and these counts to Paystack support.{backfill}",
            list()
        ),
    })
}

/// The query of a list, as the logs and errors name it: `GET /transaction`,
/// with the `from`/`to` a slice of `window` asks for.
fn describe(path: &str, range: Option<Range>, window: Option<Window>) -> String {
    match (range, window) {
        (Some(range), Some(w)) => {
            let (from, to) = w.query_bounds(range);
            format!(
                "GET {path}?from={}&to={}",
                format_cursor(from),
                format_cursor(to)
            )
        }
        _ => format!("GET {path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::{Meta, decode_page};
    use crate::streams::find;
    use crate::testing::t;
    use proptest::prelude::*;

    const START: &str = "2024-01-01T00:00:00Z";
    /// `[from, to)` windows that end at the sync start.
    const JANUARY: (&str, &str) = (START, "2024-02-01T00:00:00Z");
    const TEN_SECONDS: (&str, &str) = (START, "2024-01-01T00:00:10Z");

    /// The time filter a request asks for: its `from` and `to`, read back.
    fn bounds(r: &PageRequest) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        let at = |name| {
            r.ask
                .query
                .get(name)
                .and_then(crate::time::parse_cursor_str)
        };
        (at("from"), at("to"))
    }

    /// The number of the page a request asks for (offset paging).
    fn page_param(r: &PageRequest) -> Option<u32> {
        r.ask.query.get("page").map(|p| p.parse().unwrap())
    }

    /// The page size a request asks for.
    fn per_page(r: &PageRequest) -> u32 {
        r.ask.query.get("perPage").unwrap().parse().unwrap()
    }

    /// A page of records with these ids and creation times (newest first).
    fn page(records: &[(u64, &str)], meta: Meta) -> Page {
        let data: Vec<String> = records
            .iter()
            .map(|(id, at)| format!(r#"{{"id":{id},"createdAt":"{at}"}}"#))
            .collect();
        let body = format!(r#"{{"status":true,"data":[{}]}}"#, data.join(","));
        let mut p = decode_page(body.into_bytes(), Fields::cursor("createdAt")).unwrap();
        p.meta = meta;
        p
    }

    /// A page of records with these ids and no creation time, and a cursor.
    fn cursor_page(ids: &[u64], next: Option<&str>) -> Page {
        let data: Vec<String> = ids.iter().map(|id| format!(r#"{{"id":{id}}}"#)).collect();
        let body = format!(r#"{{"status":true,"data":[{}]}}"#, data.join(","));
        let mut p = decode_page(body.into_bytes(), Fields::default()).unwrap();
        p.meta = Meta {
            next: next.map(str::to_owned),
            present: true,
            ..Meta::default()
        };
        p
    }

    fn meta(total: u64, per_page: u64) -> Meta {
        Meta {
            total: Some(total),
            per_page: Some(per_page),
            page: None,
            page_count: Some(total.div_ceil(per_page)),
            next: None,
            present: true,
        }
    }

    fn tuning(per_page: u32, max_pages_per_slice: u32) -> Tuning {
        Tuning {
            per_page,
            max_pages_per_slice,
        }
    }

    /// The progress of stream `name` through `window` (ending at the sync
    /// start; `None`: no window), from the `saved` cursor.
    fn walk(
        name: &str,
        window: Option<(&str, &str)>,
        saved: Option<&str>,
        tuning: Tuning,
    ) -> StreamProgress {
        let w = window.map(|(from, to)| Window {
            from: t(from),
            to: t(to),
            ends_now: true,
        });
        StreamProgress::new(find(name).unwrap(), w, saved.map(t), t(START), tuning)
    }

    /// `customers` (incremental, dense slices split, offset paging)
    /// through `window`.
    fn progress(window: (&str, &str), per_page: u32, max_pages: u32) -> StreamProgress {
        walk("customers", Some(window), None, tuning(per_page, max_pages))
    }

    /// Answers `req` with `page`; the ids of the records to emit.
    fn ids(p: &mut StreamProgress, req: &PageRequest, page: &Page) -> Vec<u64> {
        let outcome = p.on_page(req, page).unwrap();
        outcome
            .emit
            .iter()
            .map(|&i| page.records[i].id.unwrap())
            .collect()
    }

    /// Answers `req` with a page of `records`; the ids of those to emit.
    fn answer(
        p: &mut StreamProgress,
        req: &PageRequest,
        records: &[(u64, &str)],
        meta: Meta,
    ) -> Vec<u64> {
        ids(p, req, &page(records, meta))
    }

    fn state(cursor: Option<&str>, record_count: u64) -> Option<StateUpdate> {
        Some(StateUpdate {
            cursor: cursor.map(t),
            sweep: None,
            record_count,
        })
    }

    /// Every request that can go out now.
    fn all_requests(p: &mut StreamProgress) -> Vec<PageRequest> {
        std::iter::from_fn(|| p.next_request()).collect()
    }

    /// `customers` through [`TEN_SECONDS`], one record a page and at most 4
    /// pages a slice, whose first page announces 10 records: the slice is
    /// split in five; the five slices' first requests.
    fn split_in_five() -> (StreamProgress, Vec<PageRequest>) {
        let mut p = progress(TEN_SECONDS, 1, 4);
        let r1 = p.next_request().unwrap();
        answer(&mut p, &r1, &[(10, "2024-01-01T00:00:09Z")], meta(10, 1));
        let reqs = all_requests(&mut p);
        assert_eq!(reqs.len(), 5);
        (p, reqs)
    }

    #[test]
    fn pages_are_requested_until_the_page_count_and_state_moves_at_the_end() {
        let mut p = progress(JANUARY, 2, 50);
        let r1 = p.next_request().unwrap();
        assert_eq!(
            r1.ask.query.pairs(),
            [
                ("perPage", "2".to_owned()),
                ("page", "1".to_owned()),
                ("from", "2023-12-31T23:59:59.000Z".to_owned()),
                ("to", "2024-01-31T23:59:59.999Z".to_owned()),
            ],
            "Paystack's names: from widened by a second, to the sync start less a millisecond"
        );
        let nothing = p.next_request();
        assert_eq!(
            nothing, None,
            "nothing else until page 1 says how many pages"
        );
        let first = [(5, "2024-01-20T00:00:00Z"), (4, "2024-01-19T00:00:00Z")];
        assert_eq!(answer(&mut p, &r1, &first, meta(5, 2)), [5, 4]);
        assert_eq!(p.take_state(), None, "no state before the slice is done");
        let (r2, r3) = (p.next_request().unwrap(), p.next_request().unwrap());
        assert_eq!((page_param(&r2), page_param(&r3)), (Some(2), Some(3)));
        assert_eq!(p.next_request(), None);
        // Pages may come back in any order.
        answer(&mut p, &r3, &[(1, "2024-01-02T00:00:00Z")], meta(5, 2));
        let second = [(3, "2024-01-10T00:00:00Z"), (2, "2024-01-05T00:00:00Z")];
        answer(&mut p, &r2, &second, meta(5, 2));
        assert!(p.is_done());
        assert_eq!(p.take_state(), state(Some("2024-01-20T00:00:00Z"), 5));
        assert_eq!(p.take_state(), None, "the same state is not emitted twice");
        assert_eq!(p.final_state(), None);
    }

    #[test]
    fn a_short_page_does_not_end_the_slice() {
        let mut p = progress(JANUARY, 3, 50);
        let r1 = p.next_request().unwrap();
        // No counts at all: one page after another until an empty one.
        answer(&mut p, &r1, &[(9, "2024-01-20T00:00:00Z")], Meta::default());
        let r2 = p.next_request().unwrap();
        assert_eq!(page_param(&r2), Some(2));
        assert_eq!(
            p.next_request(),
            None,
            "unknown length: strictly sequential"
        );
        answer(&mut p, &r2, &[(8, "2024-01-19T00:00:00Z")], Meta::default());
        let r3 = p.next_request().unwrap();
        answer(&mut p, &r3, &[], Meta::default());
        assert!(p.is_done());
    }

    #[test]
    fn a_capped_page_size_is_learned_from_the_first_page() {
        // Asked for 4 a page, Paystack returns 2 and computes pageCount with
        // the 4 it was asked for: trusting pageCount would stop at page 2.
        let mut p = progress(JANUARY, 4, 50);
        let r1 = p.next_request().unwrap();
        let m = Meta {
            total: Some(8),
            per_page: Some(4),
            page: Some(1),
            page_count: Some(2),
            next: None,
            present: true,
        };
        answer(
            &mut p,
            &r1,
            &[(8, "2024-01-28T00:00:00Z"), (7, "2024-01-27T00:00:00Z")],
            m,
        );
        let rest = all_requests(&mut p);
        let numbers: Vec<u32> = rest.iter().map(|r| r.ask.page_no).collect();
        assert_eq!(numbers, [2, 3, 4]);
        assert!(rest.iter().all(|r| per_page(r) == 2));
    }

    /// A later list's short first page is a record left out, not a smaller
    /// cap: the stream's page size is learned once.
    #[test]
    fn a_page_size_cap_is_learned_once() {
        let mut p = progress(JANUARY, 4, 1);
        let r1 = p.next_request().unwrap();
        // 3 of 4, and 24 announced: a cap of 3; 8 pages: split.
        let three = [(9, START), (8, START), (7, START)];
        answer(&mut p, &r1, &three, meta(24, 3));
        let slices = all_requests(&mut p);
        assert!(slices.len() > 1, "split");
        assert!(slices.iter().all(|r| per_page(r) == 3));
        // The first slice's first page is short (a record left out): that
        // list goes on with 2, and the slices it is split into ask for 3.
        answer(&mut p, &slices[0], &three[..2], meta(6, 3));
        let rest = all_requests(&mut p);
        assert!(rest.len() > 1, "split again");
        assert!(rest.iter().all(|r| per_page(r) == 3), "{rest:?}");
    }

    /// Paystack's answers for a window whose first page claims `pages`
    /// pages of one record: the requests that follow, or the error.
    fn claim(window: (&str, &str), pages: u64) -> Result<Vec<PageRequest>, Error> {
        let mut p = progress(window, 1, 50);
        let r1 = p.next_request().unwrap();
        p.on_page(&r1, &page(&[(9, START)], meta(pages, 1)))?;
        Ok(all_requests(&mut p))
    }

    #[test]
    fn a_list_of_more_pages_than_one_list_may_hold_is_split_first() {
        let pages = u64::from(MAX_PAGES) + 1;
        let slices = claim(JANUARY, pages).unwrap();
        assert!(slices.len() > 2, "split: {}", slices.len());
        assert!(slices.iter().all(|r| r.ask.page_no == 1));
        // Too short for the usual split (under 4 s): one-second slices.
        let three = (START, "2024-01-01T00:00:03Z");
        let seconds = claim(three, pages).unwrap();
        assert_eq!(seconds.len(), 3);
        assert_eq!(
            claim(three, 99_000).unwrap().len(),
            99_000 - 1,
            "read whole"
        );
        // One second: refused, naming the query and what a backfill can do.
        let one = (START, "2024-01-01T00:00:01Z");
        let e = claim(one, pages).unwrap_err();
        assert!(matches!(e, Error::Pagination { .. }), "{e}");
        let text = e.to_string();
        for needle in [
            "GET /customer?from=2023-12-31T23:59:59.000Z&to=2024-01-01T00:00:00.999Z claims \
             100001 pages (100001 records) in a slice of 1 s",
            "more than the 100000 pages the connector reads from one list",
            "set end_date to 2024-01-01T00:00:00.000Z",
        ] {
            assert!(text.contains(needle), "{text}");
        }
    }

    #[test]
    fn a_list_that_cannot_be_split_is_refused_when_it_claims_too_many_pages() {
        let mut p = walk("subaccounts", None, None, tuning(1, 50));
        let r1 = p.next_request().unwrap();
        let pages = u64::from(MAX_PAGES) + 1;
        let e = p
            .on_page(&r1, &page(&[(9, START)], meta(pages, 1)))
            .unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("GET /subaccount claims 100001 pages"),
            "{text}"
        );
        assert!(text.contains("it has no from/to filter"), "{text}");
        assert!(!text.contains("end_date"), "{text}");
        let mut ok = walk("subaccounts", None, None, tuning(1, 50));
        let r1 = ok.next_request().unwrap();
        let fine = ok.on_page(&r1, &page(&[(9, START)], meta(99_000, 1)));
        assert!(fine.is_ok());
    }

    #[test]
    fn boundary_records_belong_to_exactly_one_slice() {
        let mut p = progress(TEN_SECONDS, 1, 4);
        let r1 = p.next_request().unwrap();
        // 10 pages: more than 4, so the 10-second slice is split in 5.
        let out = answer(&mut p, &r1, &[(10, "2024-01-01T00:00:09Z")], meta(10, 1));
        assert!(
            out.is_empty(),
            "the first page of a split slice is not emitted"
        );
        let reqs = all_requests(&mut p);
        let bounds: Vec<_> = reqs
            .iter()
            .map(|r| {
                let (from, to) = bounds(r);
                (from.unwrap(), to.unwrap())
            })
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
        let (mut p, reqs) = split_in_five();
        // The newest slice completes first: no state may be emitted yet.
        answer(&mut p, &reqs[4], &[(9, "2024-01-01T00:00:09Z")], meta(1, 1));
        assert_eq!(p.take_state(), None);
        answer(&mut p, &reqs[0], &[(1, "2024-01-01T00:00:01Z")], meta(1, 1));
        let first = p.take_state().unwrap().cursor;
        assert_eq!(first, Some(t("2024-01-01T00:00:01Z")));
        for r in &reqs[1..4] {
            answer(&mut p, r, &[], meta(0, 1));
        }
        let s = p.take_state().unwrap();
        assert_eq!(s.cursor, Some(t("2024-01-01T00:00:09Z")));
        let why = "the record of the last slice was counted by the first state";
        assert_eq!(s.record_count, 0, "{why}");
        assert!(p.is_done());
    }

    /// The window 2024-03-01..03-02 of customers with a cursor, and a
    /// sweep of two parts: the end of a pass (02-01..03-01) and the start
    /// of the next (01-01..01-10).
    fn sweeping() -> StreamProgress {
        let (now, started) = (t("2024-03-02T00:00:00Z"), t("2024-02-20T00:00:00Z"));
        let part = |a, b, pass_started| sweep::Part {
            range: (t(a), t(b)),
            pass_started,
        };
        let plan = sweep::Plan {
            parts: vec![
                part("2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z", started),
                part("2024-01-01T00:00:00Z", "2024-01-10T00:00:00Z", now),
            ],
            at_start: Sweep {
                position: t("2024-02-01T00:00:00Z"),
                pass_started: started,
                synced: now,
            },
            horizon_days: 30,
            history: (t("2024-01-01T00:00:00Z"), t("2024-03-01T00:00:00Z")),
        };
        let window = ("2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z");
        walk(
            "customers",
            Some(window),
            Some("2024-03-01T12:00:00Z"),
            tuning(10, 50),
        )
        .with_sweep(plan, now)
    }

    #[test]
    fn swept_slices_move_the_sweep_place_in_order_never_the_cursor() {
        let mut p = sweeping();
        let reqs = all_requests(&mut p);
        assert_eq!(reqs.len(), 3, "the window, then the sweep's two parts");
        let (from, to) = bounds(&reqs[1]);
        assert_eq!(
            (from, to),
            (
                Some(t("2024-01-31T23:59:59Z")),
                Some(t("2024-03-01T00:00:00Z"))
            )
        );
        // The second part first: the sweep's place waits for the first.
        let old = answer(
            &mut p,
            &reqs[2],
            &[(3, "2024-01-05T00:00:00Z")],
            meta(1, 10),
        );
        assert_eq!(old, vec![3], "a swept record is emitted");
        answer(&mut p, &reqs[0], &[], meta(0, 10));
        let s = p.take_state().unwrap();
        assert_eq!(
            s.cursor,
            Some(t("2024-03-01T12:00:00Z")),
            "the saved cursor"
        );
        assert_eq!(s.sweep.unwrap().position, t("2024-02-01T00:00:00Z"));
        // The first part: the place moves over both, to the new pass.
        answer(
            &mut p,
            &reqs[1],
            &[(2, "2024-02-15T00:00:00Z")],
            meta(1, 10),
        );
        let s = p.take_state().unwrap();
        assert_eq!(
            s.cursor,
            Some(t("2024-03-01T12:00:00Z")),
            "never moved by a sweep"
        );
        let sweep = s.sweep.unwrap();
        assert_eq!(sweep.position, t("2024-01-10T00:00:00Z"));
        assert_eq!(sweep.pass_started, t("2024-03-02T00:00:00Z"));
        assert!(p.is_done());
        let report = p.sweep_report().unwrap();
        assert_eq!((report.records, report.pages), (2, 2));
        assert_eq!(report.parts.len(), 2);
    }

    #[test]
    fn the_estimate_adds_the_sweeps_counts() {
        let mut p = sweeping();
        let reqs = all_requests(&mut p);
        let estimate = |p: &mut StreamProgress, r, total| {
            let records: Vec<(u64, &str)> = Vec::new();
            p.on_page(r, &page(&records, meta(total, 10)))
                .unwrap()
                .estimate
        };
        assert_eq!(estimate(&mut p, &reqs[0], 0), Some(0));
        assert_eq!(estimate(&mut p, &reqs[1], 0), Some(0));
        assert_eq!(estimate(&mut p, &reqs[2], 7), Some(7));
    }

    #[test]
    fn a_slice_short_of_its_count_is_read_again_and_emits_only_what_it_missed() {
        let mut p = progress(JANUARY, 2, 50);
        let r1 = p.next_request().unwrap();
        let first = [(5, "2024-01-20T00:00:00Z"), (4, "2024-01-19T00:00:00Z")];
        answer(&mut p, &r1, &first, meta(5, 2));
        let rest = all_requests(&mut p);
        // Page 2 repeats 4 and skips 3 (pages shifted): 4 of 5 delivered.
        let shifted = [(4, "2024-01-19T00:00:00Z"), (2, "2024-01-05T00:00:00Z")];
        assert_eq!(answer(&mut p, &rest[0], &shifted, meta(5, 2)), [2]);
        let outcome = p
            .on_page(&rest[1], &page(&[(1, "2024-01-02T00:00:00Z")], meta(5, 2)))
            .unwrap();
        assert_eq!(outcome.list_read, None, "not settled: read again");
        assert!(!p.is_done());
        assert_eq!(p.take_state(), None, "the state waits for the second read");
        let again = p.next_request().unwrap();
        assert_eq!((again.target, again.ask.page_no), (r1.target, 1));
        assert_eq!(again.ask.query, r1.ask.query, "the same query, from page 1");
        answer(&mut p, &again, &first, meta(5, 2));
        let second = all_requests(&mut p);
        assert_eq!(second.len(), 1, "a second read: one page after another");
        let whole = [(3, "2024-01-10T00:00:00Z"), (2, "2024-01-05T00:00:00Z")];
        assert_eq!(answer(&mut p, &second[0], &whole, meta(5, 2)), [3]);
        let third = p.next_request().unwrap();
        assert_eq!(third.ask.page_no, 3);
        let last = page(&[(1, "2024-01-02T00:00:00Z")], meta(5, 2));
        let outcome = p.on_page(&third, &last).unwrap();
        assert!(outcome.emit.is_empty(), "already emitted by the first read");
        let read = outcome.list_read.unwrap();
        assert!(read.checked && read.recovered, "{read:?}");
        assert_eq!(read.duplicates, 1, "4, twice in the first read");
        assert!(p.is_done());
        assert_eq!(p.take_state(), state(Some("2024-01-20T00:00:00Z"), 5));
    }

    #[test]
    fn a_slice_short_twice_fails_naming_its_query_and_holds_the_state() {
        let (mut p, reqs) = split_in_five();
        // The first slice is whole: a state.
        answer(&mut p, &reqs[0], &[(1, "2024-01-01T00:00:01Z")], meta(1, 1));
        assert_eq!(
            p.take_state().unwrap().cursor,
            Some(t("2024-01-01T00:00:01Z"))
        );
        // The second announces 2 records and delivers 1, on both reads.
        let (short, empty) = (&[(3, "2024-01-01T00:00:03Z")], &[]);
        answer(&mut p, &reqs[1], short, meta(2, 1));
        let page2 = p.next_request().unwrap();
        answer(&mut p, &page2, empty, meta(2, 1));
        let again = p.next_request().unwrap();
        assert_eq!((again.target, again.ask.page_no), (reqs[1].target, 1));
        assert!(answer(&mut p, &again, short, meta(2, 1)).is_empty());
        let page2 = p.next_request().unwrap();
        let e = p.on_page(&page2, &page(empty, meta(2, 1))).unwrap_err();
        assert!(matches!(e, Error::Incomplete { .. }), "{e}");
        let text = e.to_string();
        let query = "GET /customer?from=2024-01-01T00:00:01.000Z&to=2024-01-01T00:00:04.000Z";
        assert!(text.contains(query), "{text}");
        assert!(text.contains("announced 2 records"), "{text}");
        assert_eq!(p.take_state(), None, "no state past the first slice");
    }

    #[test]
    fn a_child_list_short_of_its_count_is_read_again() {
        let def = find("settlement_transactions").unwrap();
        let mut p = walk(def.name, Some(JANUARY), None, tuning(2, 50));
        let r1 = p.next_request().unwrap();
        let body = br#"{"status":true,"data":[{"id":70,"createdAt":"2024-01-10T00:00:00.000Z"}],"meta":{"total":1,"pageCount":1}}"#;
        let fields = Fields {
            key: Some("id"),
            ..Fields::cursor("createdAt")
        };
        let outcome = p.on_page(&r1, &decode_page(body.to_vec(), fields).unwrap());
        assert!(outcome.unwrap().list_read.unwrap().checked, "the parents");
        let c = p.next_request().unwrap();
        let newest = page(&[(3, START), (2, START)], meta(3, 2));
        assert_eq!(ids(&mut p, &c, &newest), [3, 2]);
        // Page 2 comes back empty: 2 of 3 delivered.
        let c2 = p.next_request().unwrap();
        assert_eq!(ids(&mut p, &c2, &page(&[], meta(3, 2))), Vec::<u64>::new());
        let again = p.next_request().unwrap();
        assert_eq!(
            (again.path.as_ref(), again.ask.page_no),
            (c.path.as_ref(), 1)
        );
        assert_eq!(p.take_state(), None, "the slice waits for its child list");
        assert!(ids(&mut p, &again, &newest).is_empty(), "emitted already");
        let last = p.next_request().unwrap();
        let outcome = p.on_page(&last, &page(&[(1, START)], meta(3, 2))).unwrap();
        assert_eq!(outcome.emit, [0], "the record the first read missed");
        assert!(outcome.list_read.unwrap().recovered);
        assert!(p.is_done());
    }

    #[test]
    fn lists_without_a_count_are_read_unchecked() {
        let mut p = progress(JANUARY, 2, 50);
        let r1 = p.next_request().unwrap();
        let outcome = p
            .on_page(&r1, &page(&[(1, START)], Meta::default()))
            .unwrap();
        assert_eq!(outcome.list_read, None);
        let r2 = p.next_request().unwrap();
        let outcome = p.on_page(&r2, &page(&[], Meta::default())).unwrap();
        assert!(!outcome.list_read.unwrap().checked);
        let mut q = walk("terminals", None, None, tuning(2, 50));
        let r1 = q.next_request().unwrap();
        let read = q.on_page(&r1, &cursor_page(&[9], None)).unwrap().list_read;
        assert!(!read.unwrap().checked, "a cursor list has no count");
    }

    /// A record missing from the first page looks like a page-size cap; the
    /// smaller pages then repeat a record. On a list that announced its
    /// total this is a shortfall to read again, not a failed stream.
    #[test]
    fn a_repeated_page_of_a_counted_list_is_read_again_not_an_error() {
        let mut p = progress(JANUARY, 25, 50);
        let r1 = p.next_request().unwrap();
        // Two records; the older one lost: one record on a first page of 25.
        let lossy = page(&[(2, "2024-01-20T00:00:00Z")], meta(2, 25));
        assert_eq!(ids(&mut p, &r1, &lossy), [2]);
        // Taken for a cap of one record a page, page 2 repeats page 1.
        let r2 = p.next_request().unwrap();
        assert_eq!(r2.ask.page_no, 2);
        assert!(ids(&mut p, &r2, &lossy).is_empty(), "a duplicate, dropped");
        // Short of the total: the list is read again from page 1, one page
        // after another (with the page size it took for a cap).
        let again = p.next_request().unwrap();
        assert_eq!(again.ask.page_no, 1);
        let one = |id, at| page(&[(id, at)], meta(2, 1));
        assert!(ids(&mut p, &again, &one(2, "2024-01-20T00:00:00Z")).is_empty());
        let next = p.next_request().unwrap();
        assert_eq!(next.ask.page_no, 2);
        assert_eq!(
            ids(&mut p, &next, &one(1, "2024-01-10T00:00:00Z")),
            [1],
            "the record the first read missed"
        );
        assert_eq!(p.next_request(), None);
        assert_eq!(p.take_state(), state(Some("2024-01-20T00:00:00Z"), 2));
        assert!(p.is_done());
    }

    #[test]
    fn a_repeated_page_is_an_error_not_a_loop() {
        let mut p = progress(JANUARY, 1, 50);
        let same = page(&[(5, "2024-01-20T00:00:00Z")], Meta::default());
        let r1 = p.next_request().unwrap();
        ids(&mut p, &r1, &same);
        let r2 = p.next_request().unwrap();
        let err = p.on_page(&r2, &same).unwrap_err();
        assert!(matches!(err, Error::Pagination { .. }), "{err}");
    }

    #[test]
    fn the_state_never_goes_below_the_saved_cursor() {
        let saved = "2024-01-25T00:00:00Z";
        let mut p = walk("customers", Some(JANUARY), Some(saved), Tuning::default());
        let r = p.next_request().unwrap();
        answer(&mut p, &r, &[(1, "2024-01-10T00:00:00Z")], meta(1, 200));
        let why = "an older record does not lower the state";
        assert_eq!(p.take_state(), state(Some(saved), 1), "{why}");
        assert_eq!(p.final_state(), None, "and it is not repeated at the end");
    }

    #[test]
    fn an_empty_window_still_emits_one_state() {
        let far = "2099-01-01T00:00:00Z";
        let mut p = walk("customers", None, Some(far), Tuning::default());
        assert!(p.is_done());
        assert_eq!(p.next_request(), None);
        assert_eq!(p.final_state(), state(Some(far), 0));
        let mut fresh = walk("customers", None, None, Tuning::default());
        assert_eq!(fresh.final_state().unwrap().cursor, Some(t(START)));
    }

    #[test]
    fn an_end_date_bounds_the_query() {
        // A window that ends at an end_date, not at the sync start (the
        // window arithmetic itself is tested in `crate::window`).
        let w = Window {
            from: t(START),
            to: t("2024-03-01T00:00:00Z"),
            ends_now: false,
        };
        let mut p = StreamProgress::new(customers(), Some(w), None, w.from, Tuning::default());
        let r = p.next_request().unwrap();
        let to = Some(t("2024-03-01T00:00:00Z"));
        assert_eq!(bounds(&r).1, to, "no millisecond taken off");
    }

    /// An incremental stream whose dense slices are split (offset paging).
    fn customers() -> &'static StreamDef {
        find("customers").unwrap()
    }

    #[test]
    fn a_full_refresh_list_is_unfiltered_and_has_an_empty_state() {
        // A stream without a time filter, offset paging.
        assert_eq!(find("subaccounts").unwrap().cursor_field(), None);
        let mut p = walk("subaccounts", None, None, tuning(2, 1));
        let r1 = p.next_request().unwrap();
        assert_eq!(bounds(&r1), (None, None));
        // Records of any age are kept; 3 pages are not split.
        let old_and_new = [(9, "2030-01-01T00:00:00Z"), (8, "1999-01-01T00:00:00Z")];
        assert_eq!(answer(&mut p, &r1, &old_and_new, meta(5, 2)), [9, 8]);
        let rest = all_requests(&mut p);
        assert_eq!(rest.len(), 2);
        answer(&mut p, &rest[0], &[(7, START), (6, START)], meta(5, 2));
        answer(&mut p, &rest[1], &[(5, START)], meta(5, 2));
        assert!(p.is_done());
        assert_eq!(p.take_state(), None);
        assert_eq!(p.final_state(), state(None, 5));
        assert_eq!(p.final_state(), None);
    }

    #[test]
    fn cursor_paging_follows_next_until_it_ends() {
        // A stream without a time filter, cursor paging.
        let terminals = find("terminals").unwrap();
        assert_eq!(terminals.paging, crate::streams::Paging::Cursor);
        let mut p = walk("terminals", None, None, tuning(2, 50));
        let r1 = p.next_request().unwrap();
        assert_eq!(r1.ask.query.pairs(), [("perPage", "2".to_owned())]);
        assert_eq!(ids(&mut p, &r1, &cursor_page(&[9, 8], Some("c2"))), [9, 8]);
        let r2 = p.next_request().unwrap();
        assert_eq!(p.next_request(), None, "one page at a time");
        assert_eq!(
            r2.ask.query.pairs(),
            [("perPage", "2".to_owned()), ("next", "c2".to_owned())]
        );
        ids(&mut p, &r2, &cursor_page(&[7], None));
        assert!(p.is_done());
        // A cursor seen twice is an error, not a loop.
        let mut q = walk("terminals", None, None, Tuning::default());
        let r1 = q.next_request().unwrap();
        ids(&mut q, &r1, &cursor_page(&[9], Some("same")));
        let r2 = q.next_request().unwrap();
        let e = q
            .on_page(&r2, &cursor_page(&[8], Some("same")))
            .unwrap_err();
        assert!(matches!(e, Error::Pagination { .. }), "{e}");
    }

    #[test]
    fn child_lists_are_tagged_and_hold_their_parent_slice_open() {
        let def = find("settlement_transactions").unwrap();
        let parent = def.parent.unwrap();
        let tags = (parent.path, parent.key_tag, parent.cursor_tag);
        let want = (
            "/settlement/{}/transactions",
            "settlement_id",
            "settlement_created_at",
        );
        assert_eq!(tags, want);
        let mut p = walk(def.name, Some(JANUARY), None, tuning(2, 50));
        let r1 = p.next_request().unwrap();
        // Two settlements: their records are not emitted, each opens a list.
        let body = br#"{"status":true,"data":[{"id":71,"createdAt":"2024-01-20T00:00:00.000Z"},{"id":70,"createdAt":"2024-01-10T00:00:00.000Z"}],"meta":{"total":2,"pageCount":1}}"#;
        let fields = Fields {
            key: Some("id"),
            ..Fields::cursor("createdAt")
        };
        let settlements = decode_page(body.to_vec(), fields).unwrap();
        assert_eq!(r1.path, "/settlement");
        let lists = |read, of| Some(ParentLists { read, of });
        assert_eq!(p.parent_lists(), lists(0, 0), "nothing known yet");
        let emitted = p.on_page(&r1, &settlements).unwrap().emit;
        assert!(emitted.is_empty(), "parents are not emitted");
        assert_eq!(p.parent_lists(), lists(0, 2), "two settlements to list");
        let (c1, c2) = (p.next_request().unwrap(), p.next_request().unwrap());
        assert_eq!(c1.path, "/settlement/71/transactions");
        assert_eq!(c2.path, "/settlement/70/transactions");
        assert_eq!((bounds(&c1).0, page_param(&c1)), (None, Some(1)));
        let children = page(&[(1, "2024-01-09T00:00:00Z")], meta(1, 2));
        let outcome = p.on_page(&c2, &children).unwrap();
        let tag = String::from_utf8(outcome.tag.unwrap().to_vec()).unwrap();
        let tagged: Vec<_> = outcome
            .emit
            .iter()
            .map(|&i| (tag.clone(), children.records[i].id))
            .collect();
        let want = r#""settlement_id":70,"settlement_created_at":"2024-01-10T00:00:00.000Z","#;
        assert_eq!(tagged, [(want.to_owned(), Some(1))]);
        assert_eq!(p.take_state(), None, "the slice waits for every child list");
        assert_eq!(p.parent_lists(), lists(1, 2));
        answer(&mut p, &c1, &[], meta(0, 2));
        assert!(p.is_done());
        assert_eq!(p.parent_lists(), lists(2, 2));
        let top = walk("settlements", Some(JANUARY), None, tuning(2, 50));
        assert_eq!(top.parent_lists(), None, "not a child stream");
        let newest = state(Some("2024-01-20T00:00:00Z"), 1);
        assert_eq!(p.take_state(), newest, "the parents' newest creation time");
    }

    #[test]
    fn parent_keys_become_one_path_segment() {
        assert_eq!(path_segment("123"), "123");
        assert_eq!(path_segment(r#""BCH_abc123""#), "BCH_abc123");
        let odd = path_segment(r#""a/b?c=d \"e\"""#);
        assert_eq!(odd, "a%2Fb%3Fc%3Dd%20%22e%22");
    }

    proptest! {
        // Each case runs up to thousands of pages: fewer cases.
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// Arbitrary page sizes and counts from the API: the bookkeeping never
        /// panics, hands out a page at most twice (a list that fell short of
        /// its count is read a second time), and finishes.
        #[test]
        fn paging_bookkeeping_survives_any_meta(
            totals in prop::collection::vec((proptest::option::of(0u64..2_000), proptest::option::of(0u64..300), 0usize..5), 1..40),
            per_page in 1u32..300, max_pages in 1u32..60,
        ) {
            let w = Window { from: t("2024-01-01T00:00:00Z"), to: t("2024-03-01T00:00:00Z"), ends_now: true };
            let tuning = Tuning { per_page, max_pages_per_slice: max_pages };
            let mut p = StreamProgress::new(customers(), Some(w), None, w.from, tuning);
            let mut answers = totals.into_iter().cycle();
            let mut handed = std::collections::HashMap::new();
            let mut steps = 0;
            while let Some(req) = p.next_request() {
                steps += 1;
                let times = handed.entry((req.target, req.ask.page_no)).or_insert(0);
                *times += 1;
                prop_assert!(*times <= 2, "page handed out a third time");
                let (total, page_count, n) = answers.next().unwrap();
                let records: Vec<String> = (0..n)
                    .map(|i| format!(r#"{{"id":{},"createdAt":"2024-02-01T00:00:0{}Z"}}"#, steps * 10 + i, i))
                    .collect();
                let body = format!(r#"{{"status":true,"data":[{}]}}"#, records.join(","));
                let mut page = decode_page(body.into_bytes(), Fields::cursor("createdAt")).unwrap();
                page.meta = Meta { total, per_page: None, page: None, page_count, next: None, present: true };
                if p.on_page(&req, &page).is_err() {
                    break;
                }
                if steps > 3_000 {
                    break;
                }
            }
            let _ = p.final_state();
        }
    }
}
