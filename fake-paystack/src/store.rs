//! The data model: records are never stored, only their count.
//!
//! For each stream, record `i` (0 = oldest) of the `count` generated ones
//! has id `id_base + i` and creation time
//! `start + floor(i * (end - start) / count)` in whole seconds, so ids grow
//! with creation time and dense data has many records per second. Records
//! inserted later ("created now", [`StreamData::insert`]) are kept as
//! `(creation second, index)` pairs with indices continuing after the
//! generated ones; their content is rendered from the index like any other.
//!
//! Listing is newest first: descending creation time, ties broken by
//! descending id. A `from`/`to` filter becomes a range of seconds, which is
//! turned into an index range by arithmetic (generated records) and a binary
//! search (inserted ones); a page is then a merge of the two, walked from
//! the requested offset. Nothing scans the records. Another order of the
//! records created in the same second ([`TieOrder`]) sorts the records of
//! the range on each request instead: meant for tests, not for millions of
//! records.
//!
//! Cursor paging ([`StreamData::newer`]) turns a cursor record into its
//! position in that order by the same arithmetic.
//!
//! # Child streams
//!
//! A child stream ([`ChildData`], e.g. the transactions of each settlement)
//! stores nothing either: its records are derived from the parent's. Parent
//! index `p` has `k(p)` children, drawn from `0..=2 × per_parent` by a hash
//! of (seed, child stream, p); child `j` of parent `p` has id
//! `id_base + p × slots + j` with `slots = 2 × per_parent + 1` (unique across
//! parents; gaps where a parent has fewer than `slots` children) and a
//! creation time derived from the parent's ([`crate::endpoints::ChildTimes`]).
//! A parent inserted later brings its children with it.
//!
//! # Changes
//!
//! Each stream, child streams included, has an [`Overlay`] of the records
//! changed since their creation ([`crate::changes`]); rendering applies it.
//! A change never moves a record's creation time, so nothing above depends
//! on it.

use std::sync::RwLock;

use crate::changes::Overlay;
use crate::endpoints::{ChildTimes, Endpoint};
use crate::records::{Fixture, Splice, code_of, mix};
use crate::time::TimeFormat;

/// The order of records created in the same second (newest first
/// otherwise). Paystack does not document it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TieOrder {
    /// Descending id: ids grow with creation, so this is newest first too.
    #[default]
    IdDescending,
    /// Ascending id.
    IdAscending,
    /// An arbitrary order that a seed fixes: by a hash of (seed, id).
    Shuffled,
    /// An arbitrary order drawn anew for each offset page (a hash of seed,
    /// id and the page's offset), as a database sorting on a non-unique key
    /// may: a tie that straddles two pages can come on both, or on neither.
    /// Cursor lists order as [`TieOrder::Shuffled`].
    PerPage,
}

impl std::str::FromStr for TieOrder {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        use TieOrder::*;
        let choices = [
            ("id-desc", IdDescending),
            ("id-asc", IdAscending),
            ("shuffled", Shuffled),
        ];
        crate::time::choose(s, &choices)
    }
}

/// The sort key of the record `id` created at second `created` in the
/// newest-first order: records sort by ascending key.
pub fn order_key(ties: TieOrder, seed: u64, id: u64, created: i64) -> (i64, u64, u64) {
    let tie = match ties {
        TieOrder::IdDescending => u64::MAX - id,
        TieOrder::IdAscending => id,
        TieOrder::Shuffled | TieOrder::PerPage => mix(seed ^ mix(id) ^ 0x71E5_0000),
    };
    (created.wrapping_neg(), tie, id)
}
/// A stream of the fake: top-level (a record count of its own) or a child
/// of another stream.
#[derive(Debug)]
pub enum Stream {
    Top(StreamData),
    Child(ChildData),
}

impl Stream {
    /// The stream's endpoint.
    pub fn endpoint(&self) -> &'static Endpoint {
        match self {
            Stream::Top(s) => s.endpoint,
            Stream::Child(c) => c.endpoint,
        }
    }

    /// The stream's changed records.
    pub fn changes(&self) -> &Overlay {
        match self {
            Stream::Top(s) => &s.changes,
            Stream::Child(c) => &c.changes,
        }
    }

    /// The top-level stream, or `None` for a child stream.
    pub fn top(&self) -> Option<&StreamData> {
        match self {
            Stream::Top(s) => Some(s),
            Stream::Child(_) => None,
        }
    }
}

/// One stream's records.
#[derive(Debug)]
pub struct StreamData {
    pub endpoint: &'static Endpoint,
    /// Number of generated records.
    pub count: u64,
    /// Creation time of record 0, Unix seconds.
    pub start: i64,
    /// `end - start`, seconds (> 0).
    pub span: i64,
    fixture: Fixture,
    seed: u64,
    inserted: RwLock<Inserted>,
    /// The records changed since their creation.
    pub changes: Overlay,
    /// Rough size of one rendered record, for buffer reservations.
    pub approx_len: usize,
}

#[derive(Debug, Default)]
struct Inserted {
    /// `(creation second, index)`, sorted.
    rows: Vec<(i64, u64)>,
    /// Index the next inserted record gets.
    next: u64,
}

/// An inclusive range of creation seconds; `None` ends are open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SecondsRange {
    pub lo: Option<i64>,
    pub hi: Option<i64>,
}

impl SecondsRange {
    /// Whether second `s` is in the range.
    pub fn contains(&self, s: i64) -> bool {
        self.lo.is_none_or(|lo| s >= lo) && self.hi.is_none_or(|hi| s <= hi)
    }
}

/// What a list request matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Matched {
    pub total: u64,
}

impl StreamData {
    /// Builds the stream; compiles its fixture.
    ///
    /// # Errors
    /// A fixture that does not compile (a bug in the table).
    pub fn new(
        endpoint: &'static Endpoint,
        count: u64,
        start: i64,
        end: i64,
        seed: u64,
    ) -> Result<Self, String> {
        assert!(end > start, "end must be after start");
        let mut s = StreamData {
            endpoint,
            count,
            start,
            span: end - start,
            fixture: Fixture::new(endpoint, code_of(endpoint))?,
            seed,
            inserted: RwLock::new(Inserted {
                rows: Vec::new(),
                next: count,
            }),
            changes: Overlay::default(),
            approx_len: 0,
        };
        let mut sample = Vec::new();
        for i in 0..16 {
            s.render(i, start, TimeFormat::Millis, &mut sample);
        }
        s.approx_len = sample.len() / 16 + 64;
        Ok(s)
    }

    /// Creation second of generated record `i` (`i < count`).
    #[inline]
    pub fn created(&self, i: u64) -> i64 {
        self.start + ((u128::from(i) * self.span as u128) / u128::from(self.count)) as i64
    }

    /// The first generated index created at or after second `s`.
    #[inline]
    fn first_at_or_after(&self, s: i64) -> u64 {
        let d = s.saturating_sub(self.start);
        if d <= 0 {
            return 0;
        }
        // floor(i*span/count) >= d  <=>  i*span >= d*count
        let i = (d as u128 * u128::from(self.count)).div_ceil(self.span as u128);
        i.min(u128::from(self.count)) as u64
    }

    /// Generated indices in `range`, as `[b0, b1)`.
    fn base_range(&self, range: SecondsRange) -> (u64, u64) {
        let b0 = range.lo.map_or(0, |lo| self.first_at_or_after(lo));
        let b1 = range.hi.map_or(self.count, |hi| {
            self.first_at_or_after(hi.saturating_add(1))
        });
        (b0, b1.max(b0))
    }

    /// The id of the record with this index.
    pub fn id_of(&self, index: u64) -> u64 {
        self.endpoint.id_base + index
    }

    /// Renders record `index` created at `created`, its date-times in
    /// `times`.
    pub fn render(&self, index: u64, created: i64, times: TimeFormat, buf: &mut Vec<u8>) {
        let id = self.id_of(index);
        let splice = Splice {
            id,
            created,
            parent: 0,
            seed: self.seed,
            times,
            change: self.changes.get(id),
        };
        self.fixture.render(index, &splice, buf);
    }

    /// Total number of records (generated and inserted).
    pub fn total(&self) -> u64 {
        self.count + self.inserted.read().expect("lock").rows.len() as u64
    }

    /// Inserts `n` records created at second `at`; returns their ids.
    pub fn insert(&self, at: i64, n: u64) -> Vec<u64> {
        let mut ins = self.inserted.write().expect("lock");
        let mut ids = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let index = ins.next;
            ins.next += 1;
            // Indices only grow, so (at, index) sorts after every row at `at`.
            let pos = ins.rows.partition_point(|r| r.0 <= at);
            ins.rows.insert(pos, (at, index));
            ids.push(self.id_of(index));
        }
        ids
    }

    /// Creation second of the record with `id`, if the stream holds it.
    pub fn created_of_id(&self, id: u64) -> Option<i64> {
        self.created_of_index(id.checked_sub(self.endpoint.id_base)?)
    }

    /// Creation second of the record with this index, if the stream holds it.
    pub fn created_of_index(&self, index: u64) -> Option<i64> {
        if index < self.count {
            return Some(self.created(index));
        }
        let ins = self.inserted.read().expect("lock");
        ins.rows.iter().find(|r| r.1 == index).map(|r| r.0)
    }

    /// `(index, creation second)` of the records created in `range`, by
    /// ascending index (= ascending id).
    pub fn records(&self, range: SecondsRange) -> Vec<(u64, i64)> {
        let (b0, b1) = self.base_range(range);
        let mut out: Vec<(u64, i64)> = (b0..b1).map(|i| (i, self.created(i))).collect();
        let ins = self.inserted.read().expect("lock");
        let mut extra: Vec<(u64, i64)> = ins
            .rows
            .iter()
            .filter(|r| range.contains(r.0))
            .map(|r| (r.1, r.0))
            .collect();
        extra.sort_unstable();
        out.extend(extra);
        out
    }

    /// Ids of the records created in `range`, ascending.
    pub fn ids(&self, range: SecondsRange) -> Vec<u64> {
        self.records(range)
            .into_iter()
            .map(|(i, _)| self.id_of(i))
            .collect()
    }

    /// Every index the stream holds: `0..count`, then the inserted ones.
    pub fn indices(&self) -> Vec<u64> {
        let ins = self.inserted.read().expect("lock");
        let mut extra: Vec<u64> = ins.rows.iter().map(|r| r.1).collect();
        extra.sort_unstable();
        (0..self.count).chain(extra).collect()
    }

    /// The records created in `range` as `(index, creation second)`, in
    /// the newest-first order with `ties` within a second.
    pub fn ordered(&self, range: SecondsRange, ties: TieOrder) -> Vec<(u64, i64)> {
        self.ordered_by(range, ties, self.seed)
    }

    /// As [`StreamData::ordered`], ties hashed with `seed`.
    fn ordered_by(&self, range: SecondsRange, ties: TieOrder, seed: u64) -> Vec<(u64, i64)> {
        let mut all = self.records(range);
        all.sort_unstable_by_key(|&(i, t)| order_key(ties, seed, self.id_of(i), t));
        all
    }

    /// How many records in `range` come before the record `(index,
    /// created)` in the newest-first order (descending creation second, then
    /// `ties`), counting the record itself when `inclusive` and it is in
    /// `range`. The record need not be in `range`.
    pub fn newer(
        &self,
        range: SecondsRange,
        index: u64,
        created: i64,
        inclusive: bool,
        ties: TieOrder,
    ) -> u64 {
        if ties != TieOrder::IdDescending {
            let key = order_key(ties, self.seed, self.id_of(index), created);
            return self
                .records(range)
                .into_iter()
                .filter(|&(i, t)| {
                    let k = order_key(ties, self.seed, self.id_of(i), t);
                    k < key || (inclusive && k == key)
                })
                .count() as u64;
        }
        let (b0, b1) = self.base_range(range);
        // Generated records after (created, index) in ascending order form a
        // suffix [g, count): those created later, and those of the same
        // second with a larger index (or equal, when inclusive).
        let later = self.first_at_or_after(created.saturating_add(1));
        let same = self.first_at_or_after(created);
        let past = if inclusive {
            index
        } else {
            index.saturating_add(1)
        };
        let g = later.min(same.max(past));
        let base = b1.saturating_sub(g.max(b0));
        let ins = self.inserted.read().expect("lock");
        let rows = &ins.rows;
        let k0 = range.lo.map_or(0, |lo| rows.partition_point(|r| r.0 < lo));
        let k1 = range
            .hi
            .map_or(rows.len(), |hi| rows.partition_point(|r| r.0 <= hi))
            .max(k0);
        let key = (created, index);
        let q = if inclusive {
            rows.partition_point(|r| *r < key)
        } else {
            rows.partition_point(|r| *r <= key)
        };
        base + (k1 - q.clamp(k0, k1)) as u64
    }

    /// Counts the records in `range` and visits those at positions
    /// `[skip, skip + size)` of the newest-first order (`ties` within a
    /// second), calling `visit(index, created)` for each, in order.
    pub fn page(
        &self,
        range: SecondsRange,
        skip: u64,
        size: u64,
        ties: TieOrder,
        mut visit: impl FnMut(u64, i64),
    ) -> Matched {
        if ties != TieOrder::IdDescending {
            let seed = match ties {
                TieOrder::PerPage => self.seed ^ mix(skip ^ 0x9A6E_0000),
                _ => self.seed,
            };
            let all = self.ordered_by(range, ties, seed);
            let from = usize::try_from(skip).unwrap_or(usize::MAX);
            let take = usize::try_from(size).unwrap_or(usize::MAX);
            for &(i, t) in all.iter().skip(from).take(take) {
                visit(i, t);
            }
            return Matched {
                total: all.len() as u64,
            };
        }
        let (b0, b1) = self.base_range(range);
        let nb = b1 - b0;
        let ins = self.inserted.read().expect("lock");
        let rows = &ins.rows;
        let k0 = range.lo.map_or(0, |lo| rows.partition_point(|r| r.0 < lo));
        let k1 = range
            .hi
            .map_or(rows.len(), |hi| rows.partition_point(|r| r.0 <= hi))
            .max(k0);
        let nk = (k1 - k0) as u64;
        let total = nb + nk;
        if skip >= total || size == 0 {
            return Matched { total };
        }
        // Generated records newer than second t (within the range).
        let base_newer = |t: i64| -> u64 {
            let first = self.first_at_or_after(t.saturating_add(1)).max(b0);
            b1.saturating_sub(first)
        };
        // Newest-first position of inserted row k: the inserted rows after
        // it plus the generated records newer than it (an inserted record
        // has a larger id than every generated one, so it wins ties).
        let position = |k: usize| -> u64 { (k1 - 1 - k) as u64 + base_newer(rows[k].0) };
        // Inserted rows among the first `skip` positions: a suffix
        // [kstar, k1) of the range, since positions fall as k grows.
        let (mut lo, mut hi) = (k0, k1);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if position(mid) >= skip {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let kstar = lo;
        let skipped_inserted = (k1 - kstar) as u64;
        let skipped_base = skip - skipped_inserted;
        let mut bi = b1 - skipped_base; // next generated: bi - 1
        let mut ki = kstar; // next inserted: ki - 1
        let mut left = size;
        while left > 0 {
            let take_inserted = match (ki > k0, bi > b0) {
                (false, false) => break,
                (true, false) => true,
                (false, true) => false,
                (true, true) => rows[ki - 1].0 >= self.created(bi - 1),
            };
            if take_inserted {
                ki -= 1;
                visit(rows[ki].1, rows[ki].0);
            } else {
                bi -= 1;
                visit(bi, self.created(bi));
            }
            left -= 1;
        }
        Matched { total }
    }
}

/// A child stream: the records of each parent record (see the module docs).
#[derive(Debug)]
pub struct ChildData {
    pub endpoint: &'static Endpoint,
    /// Index of the parent stream in [`crate::ENDPOINTS`].
    pub parent: usize,
    /// Id slots per parent: `2 × per_parent + 1` (the most children a
    /// parent can have).
    pub slots: u64,
    times: ChildTimes,
    fixture: Fixture,
    seed: u64,
    /// The records changed since their creation.
    pub changes: Overlay,
    /// Rough size of one rendered record, for buffer reservations.
    pub approx_len: usize,
}

impl ChildData {
    /// Builds the child stream of `endpoint` (which has a parent), whose
    /// parents are on average `per_parent` children each.
    ///
    /// # Errors
    /// A fixture that does not compile (a bug in the table).
    pub fn new(
        endpoint: &'static Endpoint,
        parent: usize,
        per_parent: u64,
        seed: u64,
    ) -> Result<Self, String> {
        let spec = endpoint
            .parent
            .ok_or_else(|| format!("{} is not a child endpoint", endpoint.stream))?;
        let mut c = ChildData {
            endpoint,
            parent,
            slots: per_parent * 2 + 1,
            times: spec.times,
            fixture: Fixture::new(endpoint, None)?,
            seed,
            changes: Overlay::default(),
            approx_len: 0,
        };
        let mut sample = Vec::new();
        for i in 0..16 {
            c.render(0, i, 1, 1_704_067_200, TimeFormat::Millis, &mut sample);
        }
        c.approx_len = sample.len() / 16 + 64;
        Ok(c)
    }

    /// How many children parent index `p` has.
    pub fn count_of(&self, p: u64, seed: u64) -> u64 {
        mix(seed ^ self.fixture.salt() ^ mix(p) ^ 0xC411_D000) % self.slots
    }

    /// The id of child `j` of parent index `p`.
    pub fn id_of(&self, p: u64, j: u64) -> u64 {
        self.endpoint.id_base + p * self.slots + j
    }

    /// `(parent index, j)` of a child id (whether or not it exists).
    pub fn locate(&self, id: u64) -> Option<(u64, u64)> {
        let n = id.checked_sub(self.endpoint.id_base)?;
        Some((n / self.slots, n % self.slots))
    }

    /// Creation second of child `j` of `k` of a parent created at `parent`.
    pub fn created(&self, parent: i64, j: u64, k: u64) -> i64 {
        match self.times {
            ChildTimes::Before(w) => {
                let w128 = i128::from(w);
                let off = (i128::from(j) + 1) * w128 / (i128::from(k) + 1);
                parent - w + off as i64
            }
            ChildTimes::After(step) => parent + j as i64 * step,
        }
    }

    /// The children of parent index `p` (created at `parent_created`) as
    /// `(j, creation second)`, oldest first (ascending `j`: creation times
    /// never decrease with `j`).
    pub fn children(&self, p: u64, parent_created: i64, seed: u64) -> Vec<(u64, i64)> {
        let k = self.count_of(p, seed);
        (0..k)
            .map(|j| (j, self.created(parent_created, j, k)))
            .collect()
    }

    /// Renders child `j` of parent index `p` (whose id is `parent_id`),
    /// its date-times in `times`.
    pub fn render(
        &self,
        p: u64,
        j: u64,
        parent_id: u64,
        created: i64,
        times: TimeFormat,
        buf: &mut Vec<u8>,
    ) {
        let id = self.id_of(p, j);
        let splice = Splice {
            id,
            created,
            parent: parent_id,
            seed: self.seed,
            times,
            change: self.changes.get(id),
        };
        self.fixture.render(p * self.slots + j, &splice, buf);
    }

    /// Ids of the children of the parents created in `range` (of the
    /// parent's creation time), ascending.
    pub fn ids(&self, parent: &StreamData, range: SecondsRange, seed: u64) -> Vec<u64> {
        let mut ids = Vec::new();
        for (p, _) in parent.records(range) {
            let k = self.count_of(p, seed);
            ids.extend((0..k).map(|j| self.id_of(p, j)));
        }
        ids
    }

    /// How many children all the parents have (a pass over the parents).
    pub fn total(&self, parent: &StreamData, seed: u64) -> u64 {
        parent
            .indices()
            .into_iter()
            .map(|p| self.count_of(p, seed))
            .sum()
    }

    /// Creation second of the child with `id`, if it exists.
    pub fn created_of_id(&self, parent: &StreamData, id: u64, seed: u64) -> Option<i64> {
        let (p, j) = self.locate(id)?;
        let parent_created = parent.created_of_index(p)?;
        let k = self.count_of(p, seed);
        (j < k).then(|| self.created(parent_created, j, k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::ENDPOINTS;

    fn stream(count: u64, start: i64, end: i64) -> StreamData {
        StreamData::new(&ENDPOINTS[0], count, start, end, 1).unwrap()
    }

    const TIES: [TieOrder; 3] = [
        TieOrder::IdDescending,
        TieOrder::IdAscending,
        TieOrder::Shuffled,
    ];

    /// The reference: every record, sorted newest first (`ties` within a
    /// second), filtered.
    fn naive_with(s: &StreamData, range: SecondsRange, ties: TieOrder) -> Vec<(u64, i64)> {
        let mut all: Vec<(i64, u64)> = (0..s.count).map(|i| (s.created(i), i)).collect();
        all.extend(s.inserted.read().unwrap().rows.iter().copied());
        all.retain(|r| range.contains(r.0));
        match ties {
            TieOrder::IdDescending => all.sort_unstable_by(|a, b| b.cmp(a)),
            TieOrder::IdAscending => all.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1))),
            TieOrder::PerPage => panic!("no one order: each page draws its own"),
            TieOrder::Shuffled => {
                all.sort_unstable_by_key(|&(t, i)| {
                    (-t, mix(s.seed ^ mix(s.id_of(i)) ^ 0x71E5_0000))
                });
            }
        }
        all.into_iter().map(|(t, i)| (i, t)).collect()
    }

    fn naive(s: &StreamData, range: SecondsRange) -> Vec<(u64, i64)> {
        naive_with(s, range, TieOrder::IdDescending)
    }

    fn paged(s: &StreamData, range: SecondsRange, size: u64, ties: TieOrder) -> Vec<(u64, i64)> {
        let mut out = Vec::new();
        let mut skip = 0;
        loop {
            let before = out.len();
            let m = s.page(range, skip, size, ties, |i, t| out.push((i, t)));
            assert_eq!(m.total as usize, naive(s, range).len());
            if out.len() == before {
                break;
            }
            assert!(out.len() - before <= size as usize);
            skip += size;
        }
        out
    }

    #[test]
    fn creation_times_spread_and_truncate() {
        let s = stream(10, 1000, 1005);
        let times: Vec<i64> = (0..10).map(|i| s.created(i)).collect();
        assert_eq!(
            times,
            vec![1000, 1000, 1001, 1001, 1002, 1002, 1003, 1003, 1004, 1004]
        );
        for t in 995..1010 {
            let i = s.first_at_or_after(t);
            assert!((0..i).all(|j| s.created(j) < t));
            assert!((i..10).all(|j| s.created(j) >= t));
        }
    }

    #[test]
    fn pages_match_the_naive_model() {
        let s = stream(97, 1000, 1040);
        // Inserted rows: some in the past (ties with generated ones), some later.
        s.insert(1010, 2);
        s.insert(1039, 1);
        s.insert(1100, 3);
        s.insert(990, 1);
        for range in [
            SecondsRange::default(),
            SecondsRange {
                lo: Some(1010),
                hi: None,
            },
            SecondsRange {
                lo: None,
                hi: Some(1010),
            },
            SecondsRange {
                lo: Some(1005),
                hi: Some(1039),
            },
            SecondsRange {
                lo: Some(1200),
                hi: None,
            },
            SecondsRange {
                lo: Some(1020),
                hi: Some(1019),
            },
        ] {
            for ties in TIES {
                let want = naive_with(&s, range, ties);
                for size in [1, 3, 7, 50, 200] {
                    let got = paged(&s, range, size, ties);
                    assert_eq!(got, want, "{range:?} size {size} {ties:?}");
                }
            }
        }
    }

    #[test]
    fn ties_within_a_second_follow_the_tie_order() {
        // 97 records in 40 s: two or three a second.
        let s = stream(97, 1000, 1040);
        let all = SecondsRange::default();
        let ids = |ties| -> Vec<u64> { paged(&s, all, 10, ties).iter().map(|r| r.0).collect() };
        let (desc, asc, shuffled) = (
            ids(TieOrder::IdDescending),
            ids(TieOrder::IdAscending),
            ids(TieOrder::Shuffled),
        );
        assert_eq!(desc, (0..97).rev().collect::<Vec<_>>());
        assert_ne!(asc, desc);
        assert_ne!(shuffled, desc);
        assert_ne!(shuffled, asc);
        for order in [&asc, &shuffled] {
            let times: Vec<i64> = order.iter().map(|i| s.created(*i)).collect();
            assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
        }
        assert_eq!(shuffled, ids(TieOrder::Shuffled), "the same every time");
    }

    #[test]
    fn newer_is_the_position_in_the_newest_first_order() {
        let s = stream(97, 1000, 1040);
        s.insert(1010, 2);
        s.insert(1100, 3);
        s.insert(990, 1);
        for range in [
            SecondsRange::default(),
            SecondsRange {
                lo: Some(1005),
                hi: Some(1039),
            },
            SecondsRange {
                lo: Some(1020),
                hi: None,
            },
        ] {
            for ties in TIES {
                let order = naive_with(&s, range, ties);
                let everything = naive(&s, SecondsRange::default());
                for (index, created) in everything {
                    let at = order.iter().position(|r| r.0 == index);
                    let key = order_key(ties, 1, s.id_of(index), created);
                    let before = order
                        .iter()
                        .filter(|r| order_key(ties, 1, s.id_of(r.0), r.1) < key)
                        .count() as u64;
                    let what = format!("{range:?} {index} {ties:?}");
                    assert_eq!(
                        s.newer(range, index, created, false, ties),
                        before,
                        "{what}"
                    );
                    let incl = before + u64::from(at.is_some());
                    assert_eq!(s.newer(range, index, created, true, ties), incl, "{what}");
                    if let Some(at) = at {
                        assert_eq!(at as u64, before, "{what}");
                    }
                }
            }
        }
    }

    #[test]
    fn children_are_derived_from_parents() {
        use crate::endpoints::by_stream;
        let settlements = StreamData::new(
            by_stream("settlements").unwrap().1,
            50,
            1_704_067_200,
            1_767_225_600,
            1,
        )
        .unwrap();
        let (_, e) = by_stream("settlement_transactions").unwrap();
        let c = ChildData::new(e, 4, 4, 1).unwrap();
        assert_eq!(c.slots, 9);
        let mut all = Vec::new();
        let mut counts = std::collections::HashSet::new();
        for p in 0..50 {
            let pc = settlements.created(p);
            let kids = c.children(p, pc, 1);
            counts.insert(kids.len());
            assert!(kids.len() <= 8);
            for w in kids.windows(2) {
                assert!(w[0].1 <= w[1].1);
            }
            for (j, t) in kids {
                assert!(t < pc && t >= pc - 86_400, "before the settlement");
                let id = c.id_of(p, j);
                assert_eq!(c.locate(id), Some((p, j)));
                assert_eq!(c.created_of_id(&settlements, id, 1), Some(t));
                all.push(id);
            }
        }
        assert!(counts.len() > 3, "{counts:?}");
        assert_eq!(c.ids(&settlements, SecondsRange::default(), 1), all);
        assert_eq!(c.total(&settlements, 1), all.len() as u64);
        // A parent inserted later brings its children.
        let new_id = settlements.insert(1_800_000_000, 1)[0];
        let p = new_id - settlements.endpoint.id_base;
        assert_eq!(
            c.ids(
                &settlements,
                SecondsRange {
                    lo: Some(1_800_000_000),
                    hi: None
                },
                1
            )
            .len() as u64,
            c.count_of(p, 1)
        );
    }

    #[test]
    fn ids_and_lookup() {
        let s = stream(10, 1000, 1010);
        let ids = s.insert(2000, 2);
        assert_eq!(ids, vec![181_000_010, 181_000_011]);
        assert_eq!(s.total(), 12);
        let all = s.ids(SecondsRange::default());
        assert_eq!(all.len(), 12);
        assert_eq!(
            s.ids(SecondsRange {
                lo: Some(1003),
                hi: Some(1004)
            }),
            vec![181_000_003, 181_000_004]
        );
        assert_eq!(s.created_of_id(181_000_011), Some(2000));
        assert_eq!(s.created_of_id(181_000_004), Some(1004));
        assert_eq!(s.created_of_id(5), None);
        assert_eq!(s.created_of_id(181_000_099), None);
    }

    #[test]
    fn a_million_records_need_no_memory() {
        let s = stream(1_000_000, 1_704_067_200, 1_767_225_600);
        let mut n = 0;
        let m = s.page(
            SecondsRange {
                lo: Some(1_735_689_600),
                hi: None,
            },
            123_456,
            200,
            TieOrder::IdDescending,
            |_, _| n += 1,
        );
        assert_eq!(n, 200);
        assert!(m.total > 400_000 && m.total < 600_000);
    }
}
