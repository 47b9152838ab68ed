//! How a list endpoint pages: one small type per paging kind, each owning its
//! state, its query parameters and its guards, behind one trait,
//! [`ListPages`]. The kind of a stream's endpoint is a column of the stream
//! table ([`Paging`]); [`start`] maps it to its type. A list answers three
//! questions: which page may be asked for now and with which parameters
//! ([`ListPages::next`], an [`Ask`] whose [`Query`] the kind writes), what an
//! answer changes ([`ListPages::take`]), and what it knows about its size
//! ([`ListPages::counts`], and [`ListPages::announced`], the count the
//! completeness check holds the list to). Slicing (`src/slice.rs`) adds the
//! time filter to the query, and with ESTIMATE and the completeness check
//! (`src/completeness.rs`) asks for counts; nothing outside this module
//! matches on the kind, and the HTTP client sends the query as it is.
//!
//! - [`Offset`]: `perPage` and `page`, sized by `meta.pageCount` /
//!   `meta.total`. A list is read until `meta.pageCount` (or
//!   `ceil(total / perPage)`, whichever is larger) or an empty page, never
//!   stopping on a short page, with several pages in flight once the first
//!   says how many there are (one after another when it does not, and on a
//!   second read, [`ListPages::again`]). A short
//!   first page that claims more pages reveals a server-side cap on
//!   `perPage`; the list then continues with that page size, which is right
//!   whether Paystack offsets pages by the cap or by the size asked for.
//! - [`Cursor`]: `perPage` and the `next` cursor of the previous page
//!   (`meta.next`), one page at a time, until `meta.next` is absent
//!   (`/terminal`); a cursor seen twice stops the stream.
//!
//! Guards every kind shares: a page identical to its neighbour, or a list of
//! more than [`MAX_PAGES`] pages stops the stream with an error rather than
//! looping; an empty page ends the list.
//!
//! # Adding a kind: Paystack's keyset paging
//! `/transaction`, `/customer`, `/transfer` and `/transferrecipient` page by
//! keyset when asked with `use_cursor=true` (`meta.next` / `meta.previous`,
//! no `total`). Reading them that way touches exactly:
//! 1. this module: a `Keyset` type implementing [`ListPages`] (its `next`
//!    writes `perPage`, `use_cursor=true` and the last `meta.next`; `counts`
//!    knows no total, so those streams are read as one slice, get no
//!    ESTIMATE and are read without a completeness check), and its arm in
//!    [`start`];
//! 2. the stream table (`src/streams.rs`): a `Paging::Keyset` variant, its
//!    arm in `Paging::counted` (`false`), and `paging: Paging::Keyset` in
//!    the four rows;
//! 3. `src/spec.json`: the four streams leave the `completeness` option (a
//!    test holds it to the streams whose lists are counted).
//!
//! The HTTP client, slicing, splitting, child lists, checkpoints, the
//! reader and the output do not change; the read scenarios of the
//! integration tests run for every kind in the table.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::hash::{Hash, Hasher};

use crate::error::Error;
use crate::page::{Meta, Page};
use crate::streams::Paging;

/// A list of more than this many pages stops with an error: a guard against
/// an API that never runs out of pages. A time slice whose first page claims
/// more is split first; only a list that cannot be split (one second, or no
/// time filter) is refused on its first page (`src/slice.rs`).
pub const MAX_PAGES: u32 = 100_000;

/// A new list of `kind`, asking for `per_page` records a page.
pub fn start(kind: Paging, per_page: u32) -> Box<dyn ListPages> {
    match kind {
        Paging::Offset => Box::new(Offset::new(per_page)),
        Paging::Cursor => Box::new(Cursor::new(per_page)),
    }
}

/// The query of the first page of a list of `kind`.
pub fn first_query(kind: Paging, per_page: u32) -> Query {
    start(kind, per_page)
        .next()
        .expect("a new list hands out its first page")
        .query
}

/// The query parameters of one page request, by Paystack's names, in the
/// order they are sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query(Vec<(&'static str, String)>);

impl Query {
    /// Adds the parameter `name`.
    pub fn push(&mut self, name: &'static str, value: impl fmt::Display) {
        self.0.push((name, value.to_string()));
    }

    /// The value of the parameter `name`, if the query has it.
    #[cfg(test)]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The pairs, as the HTTP client sends them.
    pub fn pairs(&self) -> &[(&'static str, String)] {
        &self.0
    }
}

/// What a list knows about its size so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Records the first page announced (`meta.total`).
    pub total: Option<u64>,
    /// Pages the list holds, when the kind can tell.
    pub pages: Option<u32>,
    /// Records received so far.
    pub received: u64,
}

/// One page to ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ask {
    /// The page's number in its list (1 for the first).
    pub page_no: u32,
    /// Its query, written by the kind, without a time filter (the slice
    /// adds it).
    pub query: Query,
}

/// The paging state of one list (a time slice, or a child list).
pub trait ListPages: fmt::Debug + Send {
    /// The page that may be fetched now; `None` while nothing can be asked
    /// before an answer arrives, and once the list is complete.
    fn next(&mut self) -> Option<Ask>;

    /// Takes in the answer to `ask` from the list at `path`. Returns the
    /// page size the list continues with when the first page revealed a
    /// server-side cap.
    ///
    /// # Errors
    /// A [`Error::Pagination`] when the list does not advance (a page equal
    /// to its neighbour, a cursor seen twice) or runs past [`MAX_PAGES`].
    fn take(&mut self, ask: &Ask, page: &Page, path: &str) -> Result<Option<u32>, Error>;

    /// True when every page was read and answered.
    fn is_complete(&self) -> bool;

    /// The same list read a second time (its first read fell short of its
    /// count), from its first page, with the same queries: a page that
    /// left a record out by chance is asked for again as it was. Offset
    /// pages go one after another, in order, so records created at the top
    /// of a newest-first list while it is read can only push records onto
    /// the next page, which is read after, never past it; and the page size
    /// is the one the first read settled on (a short first page is not
    /// taken for a cap again).
    fn again(&self) -> Box<dyn ListPages>;

    /// What the answers so far say about the list's size.
    fn counts(&self) -> Counts;

    /// The records the list's query holds (`meta.total`), when the kind's
    /// count is one the pages can be checked against
    /// (`src/completeness.rs`): offset paging. `None` for a kind that pages
    /// without a count, or a first page that gave none.
    ///
    /// A first read is held to the largest count its pages announced: the
    /// count as it stands last. Pages fetched side by side can skip a record
    /// that records created meanwhile push onto a page already read, and
    /// those new records would make up the count; against the latest count
    /// they cannot. A second read ([`ListPages::again`]), one page after
    /// another, cannot skip a record that existed when it started, and is
    /// held to the count its first page announced: records created after it
    /// are more, not a shortfall.
    fn announced(&self) -> Option<u64> {
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum First {
    NotSent,
    InFlight,
    Done,
}

/// What every kind keeps: the first page, pages in flight, the end seen as
/// an empty page, and the guards against a list that does not advance.
#[derive(Debug)]
struct Common {
    first: First,
    in_flight: u32,
    /// An empty page was seen after this page: ask for no more.
    stop_after: Option<u32>,
    /// Signatures of the non-empty pages, to spot a page that repeats.
    signatures: BTreeMap<u32, u64>,
    received: u64,
    total: Option<u64>,
    /// The largest `meta.total` of the pages, once the first gave one.
    largest_total: Option<u64>,
}

/// What [`Common::gate`] allows.
enum Gate {
    /// Hand out the first page.
    First,
    /// The first page is in: later pages may follow, as the kind decides.
    Later,
    /// Nothing now.
    Wait,
}

impl Common {
    fn new() -> Self {
        Common {
            first: First::NotSent,
            in_flight: 0,
            stop_after: None,
            signatures: BTreeMap::new(),
            received: 0,
            total: None,
            largest_total: None,
        }
    }

    fn gate(&mut self) -> Gate {
        match self.first {
            First::NotSent => {
                self.first = First::InFlight;
                Gate::First
            }
            First::Done if self.stop_after.is_none() => Gate::Later,
            _ => Gate::Wait,
        }
    }

    /// True when no answer is awaited and the list ended on an empty page.
    fn settled(&self) -> bool {
        self.first == First::Done && self.in_flight == 0
    }

    /// Books the arrival of a page (before the kind reads its meta).
    fn arrived(&mut self, page_no: u32, page: &Page) {
        self.in_flight -= 1;
        let n = page.records.len() as u64;
        if page_no == 1 {
            self.first = First::Done;
            self.total = page.meta.total;
        }
        if let (Some(_), Some(total)) = (self.total, page.meta.total) {
            self.largest_total = Some(self.largest_total.map_or(total, |l| l.max(total)));
        }
        self.received += n;
        if n == 0 {
            let before = page_no - 1;
            self.stop_after = Some(self.stop_after.map_or(before, |s| s.min(before)));
        }
    }

    /// The guards, once the kind has read the page: too many pages (as
    /// counted, or `claimed` by the meta), or a page equal to its neighbour.
    ///
    /// A repeated page is fatal only on a list of unknown length, where it
    /// would loop. A list whose first page announced its total is bounded by
    /// it; a repeat there only delivers duplicates, which the completeness
    /// check drops and counts as a shortfall (and reads the list again). A
    /// record missing from a short first page can look like a page-size cap,
    /// and the smaller pages then repeat records: the re-read recovers it.
    fn guard(
        &mut self,
        page_no: u32,
        claimed: Option<u32>,
        page: &Page,
        path: &str,
    ) -> Result<(), Error> {
        // A first page that claims too many is the caller's to judge: a time
        // slice is split first (see `src/slice.rs`).
        if (page_no > 1 && claimed.is_some_and(|l| l > MAX_PAGES)) || page_no >= MAX_PAGES {
            return Err(Error::Pagination {
                path: path.to_owned(),
                detail: format!(
                    "one list claims more than {MAX_PAGES} pages; the API's paging is not \
                     behaving as documented"
                ),
            });
        }
        let bounded = claimed.is_some() && self.total.is_some();
        if !page.records.is_empty() && !bounded {
            let sig = signature(page);
            for neighbour in [page_no.saturating_sub(1), page_no + 1] {
                if self.signatures.get(&neighbour) == Some(&sig) {
                    return Err(Error::Pagination {
                        path: path.to_owned(),
                        detail: format!(
                            "pages {neighbour} and {page_no} returned the same records; Paystack \
                             is not advancing through the pages"
                        ),
                    });
                }
            }
            self.signatures.insert(page_no, sig);
        }
        Ok(())
    }
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

/// Offset paging: `page` and `perPage`.
#[derive(Debug)]
pub struct Offset {
    common: Common,
    /// `perPage` of the first page.
    first_per_page: u32,
    /// `perPage` of the pages after it (lower once a cap is learned).
    per_page: u32,
    /// A second read ([`ListPages::again`]): it learns no cap, and is held
    /// to its first page's count.
    second: bool,
    /// Next page number to hand out, once the first page is in.
    next_page: u32,
    /// Pages the list holds; `None` when Paystack gave no counts (then the
    /// pages are read one after another until an empty one).
    last_page: Option<u32>,
    /// One page after another even when the count is known.
    sequential: bool,
}

impl Offset {
    fn new(per_page: u32) -> Self {
        Offset {
            common: Common::new(),
            first_per_page: per_page,
            per_page,
            second: false,
            next_page: 2,
            last_page: None,
            sequential: false,
        }
    }
}

impl ListPages for Offset {
    fn next(&mut self) -> Option<Ask> {
        let page_no = match self.common.gate() {
            Gate::First => 1,
            Gate::Wait => return None,
            Gate::Later => {
                let allowed = match self.last_page {
                    Some(last) => {
                        self.next_page <= last && (!self.sequential || self.common.in_flight == 0)
                    }
                    // Unknown length: strictly one page after another.
                    None => self.common.in_flight == 0,
                };
                if !allowed {
                    return None;
                }
                self.next_page += 1;
                self.next_page - 1
            }
        };
        self.common.in_flight += 1;
        let size = if page_no == 1 {
            self.first_per_page
        } else {
            self.per_page
        };
        let mut query = Query::default();
        query.push("perPage", size);
        query.push("page", page_no);
        Some(Ask { page_no, query })
    }

    fn take(&mut self, ask: &Ask, page: &Page, path: &str) -> Result<Option<u32>, Error> {
        let page_no = ask.page_no;
        self.common.arrived(page_no, page);
        let n = page.records.len() as u64;
        let meta = &page.meta;
        let mut learned = None;
        if page_no == 1 && !self.second {
            // The first page is always asked with the first page size.
            let asked = self.first_per_page;
            let claims_more = meta.page_count.is_some_and(|c| c > 1)
                || meta.total.is_some_and(|t| t > n)
                || meta.next.is_some();
            if n > 0 && n < u64::from(asked) && claims_more {
                tracing::warn!(
                    path,
                    asked,
                    got = n,
                    "Paystack's first page held fewer records than asked for while the list \
                     has more: a cap on the page size, or a record missing from the page. \
                     Continuing with pages of this size; the check against meta.total catches \
                     a missing record."
                );
                self.per_page = n as u32;
                learned = Some(self.per_page);
            }
        }
        if let Some(count) = page_count(meta, self.per_page) {
            self.last_page = Some(self.last_page.map_or(count, |l| l.max(count)));
        }
        self.common.guard(page_no, self.last_page, page, path)?;
        Ok(learned)
    }

    fn is_complete(&self) -> bool {
        self.common.settled()
            && (self.common.stop_after.is_some()
                || self.last_page.is_some_and(|last| self.next_page > last))
    }

    fn again(&self) -> Box<dyn ListPages> {
        Box::new(Offset {
            first_per_page: self.first_per_page,
            per_page: self.per_page,
            second: true,
            sequential: true,
            ..Offset::new(self.per_page)
        })
    }

    fn counts(&self) -> Counts {
        Counts {
            total: self.common.total,
            pages: self.last_page,
            received: self.common.received,
        }
    }

    fn announced(&self) -> Option<u64> {
        if self.second {
            self.common.total
        } else {
            self.common.largest_total
        }
    }
}

/// Pages a list holds according to `meta`: the larger of `pageCount` and
/// `ceil(total / perPage)` (they disagree when Paystack caps the page size).
fn page_count(meta: &Meta, per_page: u32) -> Option<u32> {
    let by_total = meta.total.map(|t| t.div_ceil(u64::from(per_page.max(1))));
    let n = match (meta.page_count, by_total) {
        (Some(a), Some(b)) => a.max(b),
        (a, b) => a.or(b)?,
    };
    Some(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Cursor paging: `next` cursors from `meta.next`, one page at a time.
#[derive(Debug)]
pub struct Cursor {
    common: Common,
    per_page: u32,
    /// The number the next page gets.
    next_page: u32,
    /// The cursor of the next page, and every cursor seen.
    next_token: Option<String>,
    seen_tokens: HashSet<String>,
    /// `meta.next` was absent: the list is read.
    exhausted: bool,
}

impl Cursor {
    fn new(per_page: u32) -> Self {
        Cursor {
            common: Common::new(),
            per_page,
            next_page: 2,
            next_token: None,
            seen_tokens: HashSet::new(),
            exhausted: false,
        }
    }
}

impl ListPages for Cursor {
    fn next(&mut self) -> Option<Ask> {
        let (page_no, token) = match self.common.gate() {
            Gate::First => (1, None),
            Gate::Later if !self.exhausted && self.common.in_flight == 0 => {
                (self.next_page, Some(self.next_token.clone()?))
            }
            _ => return None,
        };
        self.common.in_flight += 1;
        let mut query = Query::default();
        query.push("perPage", self.per_page);
        if let Some(token) = token {
            query.push("next", token);
        }
        Some(Ask { page_no, query })
    }

    fn take(&mut self, ask: &Ask, page: &Page, path: &str) -> Result<Option<u32>, Error> {
        let page_no = ask.page_no;
        self.common.arrived(page_no, page);
        if !page.meta.present && !page.records.is_empty() {
            // No cursor to go on with, and no word that the list ends here:
            // a short page is no proof either (Paystack may cap the page
            // size below what was asked).
            return Err(Error::Pagination {
                path: path.to_owned(),
                detail: format!(
                    "page {page_no} has {} records but no `meta`, so no cursor to the next page \
                     and no word that the list ends here; the rest of the list, if any, cannot \
                     be reached. Run the sync again; if this persists, report it to Paystack \
                     support",
                    page.records.len()
                ),
            });
        }
        match &page.meta.next {
            None => self.exhausted = true,
            Some(token) if !self.seen_tokens.insert(token.clone()) => {
                return Err(Error::Pagination {
                    path: path.to_owned(),
                    detail: format!(
                        "the cursor of page {page_no} was already seen; Paystack is not \
                         advancing through the pages"
                    ),
                });
            }
            Some(token) => {
                self.next_token = Some(token.clone());
                self.next_page = page_no + 1;
            }
        }
        self.common.guard(page_no, None, page, path)?;
        Ok(None)
    }

    fn is_complete(&self) -> bool {
        self.common.settled() && (self.common.stop_after.is_some() || self.exhausted)
    }

    fn again(&self) -> Box<dyn ListPages> {
        Box::new(Cursor::new(self.per_page))
    }

    fn counts(&self) -> Counts {
        Counts {
            total: self.common.total,
            pages: None,
            received: self.common.received,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::{Fields, decode_page};

    fn page(ids: &[u64], meta: Meta) -> Page {
        let data: Vec<String> = ids.iter().map(|id| format!(r#"{{"id":{id}}}"#)).collect();
        let body = format!(r#"{{"status":true,"data":[{}]}}"#, data.join(","));
        let mut p = decode_page(body.into_bytes(), Fields::default()).unwrap();
        p.meta = meta;
        p
    }

    /// The query of offset page `page` of `per_page` records.
    fn offset(page: u32, per_page: u32) -> Query {
        let mut q = Query::default();
        q.push("perPage", per_page);
        q.push("page", page);
        q
    }

    fn take(list: &mut dyn ListPages, ask: &Ask, p: &Page) -> Option<u32> {
        list.take(ask, p, "/x").unwrap()
    }

    #[test]
    fn offset_pages_fan_out_once_the_first_page_gives_the_count() {
        let mut list = start(Paging::Offset, 2);
        let first = list.next().unwrap();
        assert_eq!(
            first.query.pairs(),
            [("perPage", "2".to_owned()), ("page", "1".to_owned())]
        );
        assert!(list.next().is_none(), "nothing before page 1 answers");
        let meta = Meta {
            total: Some(5),
            page_count: Some(3),
            ..Meta::default()
        };
        take(list.as_mut(), &first, &page(&[5, 4], meta.clone()));
        assert_eq!(
            list.counts(),
            Counts {
                total: Some(5),
                pages: Some(3),
                received: 2
            }
        );
        let rest: Vec<_> = std::iter::from_fn(|| list.next()).collect();
        assert_eq!(rest.iter().map(|r| r.page_no).collect::<Vec<_>>(), [2, 3]);
        assert!(!list.is_complete(), "pages in flight");
        take(list.as_mut(), &rest[1], &page(&[1], meta.clone()));
        take(list.as_mut(), &rest[0], &page(&[3, 2], meta));
        assert!(list.is_complete());
    }

    #[test]
    fn a_cursor_list_knows_no_page_count() {
        let mut list = start(Paging::Cursor, 2);
        let first = list.next().unwrap();
        assert_eq!(
            (first.query.get("page"), first.query.get("next")),
            (None, None)
        );
        let next = |token: Option<&str>| Meta {
            next: token.map(Into::into),
            present: true,
            ..Meta::default()
        };
        take(list.as_mut(), &first, &page(&[9, 8], next(Some("c2"))));
        assert_eq!(list.counts().pages, None);
        let second = list.next().unwrap();
        assert_eq!(second.page_no, 2);
        assert_eq!(
            second.query.pairs(),
            [("perPage", "2".to_owned()), ("next", "c2".to_owned())]
        );
        take(list.as_mut(), &second, &page(&[7], next(None)));
        assert!(list.is_complete());
        assert_eq!(list.counts().received, 3);
    }

    /// Answers the first page of a new list of `per_page`-sized pages with
    /// `ids` and `meta`.
    fn started(per_page: u32, ids: &[u64], meta: &Meta) -> Box<dyn ListPages> {
        let mut list = start(Paging::Offset, per_page);
        let first = list.next().unwrap();
        take(list.as_mut(), &first, &page(ids, meta.clone()));
        list
    }

    #[test]
    fn a_second_read_pages_one_after_another_and_offset_lists_announce_their_total() {
        let meta = Meta {
            total: Some(5),
            page_count: Some(3),
            present: true,
            ..Meta::default()
        };
        let mut list = started(2, &[5, 4], &meta).again();
        let first = list.next().unwrap();
        take(list.as_mut(), &first, &page(&[5, 4], meta.clone()));
        assert_eq!(list.announced(), Some(5));
        let second = list.next().unwrap();
        assert!(list.next().is_none(), "one page at a time");
        take(list.as_mut(), &second, &page(&[3, 2], meta.clone()));
        let third = list.next().unwrap();
        assert_eq!(third.page_no, 3);
        take(list.as_mut(), &third, &page(&[1], meta.clone()));
        assert!(list.is_complete());
        // A cursor list announces nothing, even when its meta has a total.
        let mut cursor = start(Paging::Cursor, 2);
        let first = cursor.next().unwrap();
        take(cursor.as_mut(), &first, &page(&[9], meta));
        assert_eq!(cursor.announced(), None);
    }

    /// The second read asks the first read's queries again: page 1 with the
    /// size first asked, later pages with the cap the first page revealed,
    /// and a short first page is not taken for a smaller cap.
    #[test]
    fn a_second_read_asks_the_same_queries_as_the_first() {
        let meta = Meta {
            total: Some(9),
            ..Meta::default()
        };
        // Asked 4, got 3 and more announced: a cap of 3 for the later pages.
        let first_read = started(4, &[9, 8, 7], &meta);
        let later: Vec<_> = {
            let mut l = first_read;
            let asks: Vec<_> = std::iter::from_fn(|| l.next()).collect();
            assert!(asks.iter().all(|a| a.query.get("perPage") == Some("3")));
            let mut again = l.again();
            let one = again.next().unwrap();
            assert_eq!(one.query, offset(1, 4), "page 1 as first asked");
            // Short again: a record left out, not a smaller cap.
            assert_eq!(
                take(again.as_mut(), &one, &page(&[9, 7], meta.clone())),
                None
            );
            std::iter::from_fn(|| {
                let a = again.next()?;
                take(again.as_mut(), &a, &page(&[a.page_no.into()], meta.clone()));
                Some(a.query)
            })
            .collect()
        };
        assert_eq!(
            later,
            [offset(2, 3), offset(3, 3)],
            "later pages with the cap"
        );
    }

    /// A first read is held to the latest count its pages announced (new
    /// records could make up for one skipped); a second read, one page after
    /// another, to its first page's.
    #[test]
    fn a_first_read_is_held_to_its_latest_count_and_a_second_to_its_first() {
        let meta = |total| Meta {
            total: Some(total),
            ..Meta::default()
        };
        let mut list = started(2, &[6, 5], &meta(5));
        let asks: Vec<_> = std::iter::from_fn(|| list.next()).collect();
        take(list.as_mut(), &asks[1], &page(&[2, 1], meta(6)));
        take(list.as_mut(), &asks[0], &page(&[4, 3], meta(5)));
        assert_eq!(
            list.counts().total,
            Some(5),
            "the first page's, to size the list"
        );
        assert_eq!(list.announced(), Some(6), "the latest");
        let mut again = list.again();
        let first = again.next().unwrap();
        take(again.as_mut(), &first, &page(&[7, 6], meta(7)));
        let second = again.next().unwrap();
        take(again.as_mut(), &second, &page(&[5, 4], meta(8)));
        assert_eq!(again.announced(), Some(7), "the second read's first page's");
        let unchecked = started(2, &[1], &Meta::default());
        assert_eq!(unchecked.announced(), None);
    }

    /// A cursor page with records but no `meta` is an error, full or short
    /// (a short page may be a capped one); an empty one is the end.
    #[test]
    fn a_cursor_page_with_records_but_no_meta_is_an_error_an_empty_one_the_end() {
        for ids in [&[9, 8][..], &[9]] {
            let mut list = start(Paging::Cursor, 2);
            let first = list.next().unwrap();
            let e = list
                .take(&first, &page(ids, Meta::default()), "/terminal")
                .unwrap_err();
            assert!(matches!(e, Error::Pagination { .. }), "{ids:?}: {e}");
            assert!(e.to_string().contains("no `meta`"), "{e}");
        }
        let mut list = start(Paging::Cursor, 2);
        let first = list.next().unwrap();
        take(list.as_mut(), &first, &page(&[], Meta::default()));
        assert!(list.is_complete(), "an empty page without meta is the last");
    }

    /// A first page that claims too many pages is taken in (the slice
    /// splits it, or refuses it); a later page that does is an error.

    #[test]
    fn a_list_of_too_many_pages_is_an_error() {
        let mut list = start(Paging::Offset, 1);
        let first = list.next().unwrap();
        let meta = Meta {
            page_count: Some(u64::from(MAX_PAGES) + 1),
            ..Meta::default()
        };
        assert_eq!(
            list.take(&first, &page(&[2], meta.clone()), "/x").unwrap(),
            None
        );
        assert_eq!(list.counts().pages, Some(MAX_PAGES + 1));
        let second = list.next().unwrap();
        let e = list.take(&second, &page(&[1], meta), "/x").unwrap_err();
        assert!(matches!(e, Error::Pagination { .. }), "{e}");
    }

    #[test]
    fn the_first_query_of_each_kind() {
        assert_eq!(first_query(Paging::Offset, 1), offset(1, 1));
        let cursor = first_query(Paging::Cursor, 1);
        assert_eq!(cursor.pairs(), [("perPage", "1".to_owned())]);
    }

    /// A kind's lists announce a count exactly when the table says its lists
    /// are counted (the spec's `completeness` offers those streams).
    #[test]
    fn a_kind_announces_a_count_exactly_when_it_is_counted() {
        let kinds = crate::streams::STREAMS
            .iter()
            .flat_map(|d| [Some(d.paging), d.parent.map(|p| p.paging)])
            .flatten();
        for kind in kinds {
            let mut list = start(kind, 2);
            let first = list.next().unwrap();
            let meta = Meta {
                total: Some(5),
                page_count: Some(3),
                next: Some("c2".to_owned()),
                present: true,
                ..Meta::default()
            };
            take(list.as_mut(), &first, &page(&[5, 4], meta));
            assert_eq!(list.announced().is_some(), kind.counted(), "{kind:?}");
        }
    }
}
