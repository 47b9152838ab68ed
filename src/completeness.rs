//! Proof that nothing was missed: every list read with offset paging (a time
//! slice, an unfiltered list, the list of one parent's children) is checked
//! against the count its pages announce, `meta.total`.
//!
//! # What is counted
//! [`Deliveries`] counts the different records (by `id`) the pages of a
//! list delivered, the records the connector does not emit included: those
//! outside the slice, which are the one-second overlap before `from` (and,
//! with an `end_date`, records at exactly `to` when Paystack's `to` is
//! inclusive; see `crate::window`). So the count is what Paystack delivered
//! for the query, and `meta.total` is what it said the query holds, whatever
//! its boundaries. Pages can shift while a list is read (a record created in
//! an unfiltered list pushes the others down one place), so a record can
//! arrive twice: it is counted and emitted once, and the second copy is a
//! duplicate dropped. A record without an integer `id` is counted each time
//! it arrives (across two reads: as often as the read that brought more).
//!
//! # The verdict, once every page of a read is in
//! A read is held to the count [`crate::paging::ListPages::announced`]
//! gives: for a first read the largest `meta.total` its pages announced
//! (pages fetched side by side can skip a record that records created
//! meanwhile push onto a page already read, and the new records would make
//! up the count of the first page), for a second read the count of its
//! first page.
//! - **As many as announced**: the list is complete.
//! - **More**: records were created in the query's range while it was read;
//!   logged (INFO), nothing is lost.
//! - **Fewer**: pages shifted under the read, or Paystack left a record out
//!   of a page. The list is read once more from its first page, and counted
//!   as the *union* of what both reads delivered: a record either read
//!   delivered is emitted, once, and a page that leaves out a different
//!   record each time it is served loses nothing. The union is held to the
//!   second read's count (records created in the query's range between the
//!   reads are in it, and the second read, one page after another, cannot
//!   skip one; records created during it are more). If the union falls
//!   short of it, then by the stream's [`Completeness`]:
//!   - **strict** (the default): the stream fails with
//!     [`Error::Incomplete`], a `system_error`; the state never passes the
//!     slice, because a slice that is not complete holds the state back
//!     (see `crate::slice`);
//!   - **warn** (the config's `completeness`, per stream, for a query whose
//!     count Paystack gets wrong for good): one WARN says what is trusted,
//!     and the list counts as read; the state moves as for a complete list.
//! - **No count** (a cursor list, or a first page without `meta.total`):
//!   the list is read unchecked, with a DEBUG line.

use std::collections::HashSet;
use std::fmt;

use crate::error::{Error, Shortfall};

/// What a list that falls short of its count on both reads does to its
/// stream (the config's `completeness`, per stream).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Completeness {
    /// The stream fails, its state held before the list.
    #[default]
    Strict,
    /// One WARN, and the stream goes on trusting what was delivered.
    Warn,
}

impl Completeness {
    /// The values the config accepts, as written there.
    pub const NAMES: [&'static str; 2] = ["strict", "warn"];

    /// The value the config names `text`, if any.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "strict" => Some(Completeness::Strict),
            "warn" => Some(Completeness::Warn),
            _ => None,
        }
    }
}

impl fmt::Display for Completeness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Completeness::Strict => "strict",
            Completeness::Warn => "warn",
        })
    }
}

/// How one list was read, once it is complete (a [`crate::sink::Sink`]
/// event).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListRead {
    /// Checked against `meta.total` (false: no count to check against).
    pub checked: bool,
    /// The first read fell short and the two reads together delivered
    /// everything.
    pub recovered: bool,
    /// Records delivered again by the same read, not emitted twice.
    pub duplicates: u64,
    /// Short of its count on both reads, and trusted (completeness: warn).
    pub trusted: bool,
}

/// What [`Deliveries::settle`] decided about a read whose pages are all in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// The list is read.
    Done(ListRead),
    /// It fell short: read it again from its first page.
    ReadAgain,
}

/// Which list is settled, and what a shortfall does (see
/// [`Deliveries::settle`]).
#[derive(Debug, Clone, Copy)]
pub struct Check<'a> {
    /// The stream that reads the list.
    pub stream: &'static str,
    /// The query, as logs and errors name it: `GET /transaction?from=…`.
    pub list: &'a str,
    pub completeness: Completeness,
}

/// The first read of a list that fell short.
#[derive(Debug)]
struct FirstRead {
    announced: u64,
    delivered: u64,
    ids: HashSet<u64>,
    /// Records without an id it delivered.
    unnamed: u64,
    /// Records outside the slice it delivered.
    outside: u64,
}

/// The records the pages of one list delivered (see the module docs).
#[derive(Debug, Default)]
pub struct Deliveries {
    /// Ids delivered by the current read.
    ids: HashSet<u64>,
    /// Different records delivered by the current read.
    delivered: u64,
    /// Of those, records without an id.
    unnamed: u64,
    /// Of those, outside the slice.
    outside: u64,
    /// During a second read: its records the first read did not deliver,
    /// and of those, outside the slice.
    fresh: u64,
    fresh_outside: u64,
    duplicates: u64,
    /// The first read, once it fell short.
    first: Option<FirstRead>,
}

impl Deliveries {
    /// Books a record with this `id`, `inside` its slice or not. True when it
    /// is to be emitted: inside, and not delivered before (in this read or,
    /// during a second read, in the first).
    pub fn admit(&mut self, id: Option<u64>, inside: bool) -> bool {
        if let Some(id) = id {
            if !self.ids.insert(id) {
                self.duplicates += 1;
                return false;
            }
        }
        self.delivered += 1;
        self.unnamed += u64::from(id.is_none());
        self.outside += u64::from(!inside);
        let earlier = match (&self.first, id) {
            (Some(first), Some(id)) if first.ids.contains(&id) => true,
            (Some(_), Some(_)) => {
                self.fresh += 1;
                self.fresh_outside += u64::from(!inside);
                false
            }
            _ => false,
        };
        inside && !earlier
    }

    /// True during the second read of the list.
    pub fn rereading(&self) -> bool {
        self.first.is_some()
    }

    /// Different records all reads delivered, and of those, outside the
    /// slice.
    fn union(&self) -> (u64, u64) {
        match &self.first {
            None => (self.delivered, self.outside),
            Some(first) => (
                first.ids.len() as u64 + self.fresh + first.unnamed.max(self.unnamed),
                first.outside + self.fresh_outside,
            ),
        }
    }

    /// Judges a read whose pages are all in, against the `announced`
    /// `meta.total` of its first page (see the module docs).
    ///
    /// # Errors
    /// [`Error::Incomplete`] when the two reads together fall short, and
    /// the stream's completeness is strict.
    pub fn settle(&mut self, announced: Option<u64>, check: Check<'_>) -> Result<Settled, Error> {
        let list = check.list;
        let (delivered, outside) = self.union();
        let done = |this: &mut Self, checked: bool, recovered: bool| {
            let read = ListRead {
                checked,
                recovered,
                duplicates: this.duplicates,
                trusted: checked && !recovered && this.rereading(),
            };
            // The ids are not needed any more: free them.
            *this = Deliveries::default();
            Ok(Settled::Done(read))
        };
        let Some(announced) = announced else {
            tracing::debug!(
                list,
                delivered,
                "Paystack announced no count (meta.total) for this list: it is read without a \
                 completeness check."
            );
            return done(self, false, false);
        };
        if delivered >= announced {
            if delivered > announced {
                tracing::info!(
                    list,
                    announced,
                    delivered,
                    "Paystack delivered more records than it announced (meta.total) for this \
                     list: records created while it was read, most likely. Nothing is missing."
                );
            }
            if let Some(first) = &self.first {
                tracing::info!(
                    list,
                    first_announced = first.announced,
                    first_delivered = first.delivered,
                    second_delivered = self.delivered,
                    announced,
                    delivered,
                    "The two reads of the list delivered every record Paystack announced between \
                     them."
                );
            }
            let recovered = self.rereading();
            return done(self, true, recovered);
        }
        if let Some(first) = &self.first {
            let shortfall = Shortfall {
                announced,
                delivered,
                outside,
                first: (first.announced, first.delivered),
                second: self.delivered,
            };
            return match check.completeness {
                Completeness::Strict => Err(Error::Incomplete {
                    stream: check.stream,
                    list: list.to_owned(),
                    shortfall,
                }),
                Completeness::Warn => {
                    tracing::warn!(
                        "{}: {} Completeness is set to warn for this stream, so the sync goes on \
                         and trusts what was delivered: the state moves past this list. Which \
                         records are missing, if any, cannot be known. Report the query and these \
                         counts to Paystack support, and set completeness back to strict for this \
                         stream once Paystack counts it right.",
                        check.stream,
                        shortfall.describe(list)
                    );
                    done(self, true, false)
                }
            };
        }
        tracing::warn!(
            list,
            announced,
            delivered,
            outside,
            "Paystack announced more records (meta.total) than its pages delivered for this list; \
             reading it again from its first page."
        );
        self.first = Some(FirstRead {
            announced,
            delivered,
            ids: std::mem::take(&mut self.ids),
            unnamed: self.unnamed,
            outside,
        });
        (self.delivered, self.unnamed, self.outside) = (0, 0, 0);
        Ok(Settled::ReadAgain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Admits `ids` (all inside); the ids to emit.
    fn admit(d: &mut Deliveries, ids: &[u64]) -> Vec<u64> {
        ids.iter()
            .copied()
            .filter(|id| d.admit(Some(*id), true))
            .collect()
    }

    fn check(completeness: Completeness) -> Check<'static> {
        Check {
            stream: "transactions",
            list: "GET /x",
            completeness,
        }
    }

    fn settle(d: &mut Deliveries, announced: u64) -> Result<Settled, Error> {
        d.settle(Some(announced), check(Completeness::Strict))
    }

    const RECOVERED: ListRead = ListRead {
        checked: true,
        recovered: true,
        duplicates: 0,
        trusted: false,
    };

    #[test]
    fn every_different_record_counts_and_is_emitted_once() {
        let mut d = Deliveries::default();
        assert_eq!(admit(&mut d, &[5, 4, 3]), [5, 4, 3]);
        // A shifted page repeats 3; a record outside the slice counts too.
        assert_eq!(admit(&mut d, &[3, 2]), [2]);
        assert!(!d.admit(Some(1), false), "outside: counted, not emitted");
        assert!(d.admit(None, true), "no id: counted each time");
        let want = ListRead {
            checked: true,
            recovered: false,
            duplicates: 1,
            trusted: false,
        };
        assert_eq!(settle(&mut d, 6).unwrap(), Settled::Done(want));
    }

    #[test]
    fn a_surplus_is_complete_and_no_count_is_unchecked() {
        let mut d = Deliveries::default();
        admit(&mut d, &[3, 2, 1]);
        let Ok(Settled::Done(read)) = settle(&mut d, 2) else {
            panic!("a surplus is not an error")
        };
        assert!(read.checked && !read.recovered);
        let mut d = Deliveries::default();
        admit(&mut d, &[3, 2, 1]);
        let Ok(Settled::Done(read)) = d.settle(None, check(Completeness::Strict)) else {
            panic!("no count: unchecked")
        };
        assert!(!read.checked);
    }

    #[test]
    fn a_shortfall_is_read_again_and_recovered() {
        let mut d = Deliveries::default();
        assert_eq!(admit(&mut d, &[5, 4, 2]), [5, 4, 2]);
        assert_eq!(settle(&mut d, 4).unwrap(), Settled::ReadAgain);
        assert!(d.rereading());
        // The second read: only the record the first one missed is emitted.
        assert_eq!(admit(&mut d, &[5, 4, 3, 2]), [3]);
        assert_eq!(settle(&mut d, 4).unwrap(), Settled::Done(RECOVERED));
        assert!(!d.rereading(), "settled: the ids are freed");
    }

    /// The first read misses 3, the second misses 2: each is short, but
    /// together they delivered all five, and 3 is emitted.
    #[test]
    fn a_loss_that_moves_between_reads_is_whole_in_the_union() {
        let mut d = Deliveries::default();
        assert_eq!(admit(&mut d, &[5, 4, 2, 1]), [5, 4, 2, 1]);
        assert_eq!(settle(&mut d, 5).unwrap(), Settled::ReadAgain);
        assert_eq!(admit(&mut d, &[5, 4, 3, 1]), [3], "only what is new");
        assert_eq!(settle(&mut d, 5).unwrap(), Settled::Done(RECOVERED));
        // The same, with the missing record outside the slice on one read.
        let mut d = Deliveries::default();
        admit(&mut d, &[5, 4]);
        assert!(!d.admit(Some(9), false));
        assert_eq!(settle(&mut d, 4).unwrap(), Settled::ReadAgain);
        assert_eq!(admit(&mut d, &[5, 3]), [3]);
        assert!(!d.admit(Some(9), false));
        assert_eq!(settle(&mut d, 4).unwrap(), Settled::Done(RECOVERED));
    }

    /// The union is held to the second read's count: the query as it stands
    /// last. A count that grew between the reads (records created in the
    /// range) is met by the second read; one that shrank is met by the
    /// union.
    #[test]
    fn the_union_is_held_to_the_count_of_the_second_read() {
        let mut d = Deliveries::default();
        admit(&mut d, &[5, 4, 2]);
        assert_eq!(settle(&mut d, 4).unwrap(), Settled::ReadAgain);
        assert_eq!(admit(&mut d, &[7, 6, 5, 4, 3, 2]), [7, 6, 3]);
        assert_eq!(settle(&mut d, 6).unwrap(), Settled::Done(RECOVERED));
        let mut d = Deliveries::default();
        admit(&mut d, &[5, 4, 3]);
        assert_eq!(settle(&mut d, 5).unwrap(), Settled::ReadAgain);
        assert_eq!(admit(&mut d, &[4, 3]), Vec::<u64>::new());
        assert_eq!(settle(&mut d, 2).unwrap(), Settled::Done(RECOVERED));
        // A count that grew but the second read did not deliver is short.
        let mut d = Deliveries::default();
        admit(&mut d, &[5, 4]);
        assert_eq!(settle(&mut d, 3).unwrap(), Settled::ReadAgain);
        admit(&mut d, &[5, 4, 3]);
        assert!(settle(&mut d, 4).is_err(), "4 announced, 3 delivered");
    }

    #[test]
    fn records_without_an_id_count_as_often_as_the_read_that_brought_more() {
        let mut d = Deliveries::default();
        admit(&mut d, &[5]);
        assert!(d.admit(None, true) && d.admit(None, true));
        assert_eq!(settle(&mut d, 5).unwrap(), Settled::ReadAgain);
        admit(&mut d, &[5, 4]);
        assert!(d.admit(None, true), "no id: emitted again");
        // 5 and 4, and two records without an id: not three.
        assert!(settle(&mut d, 5).is_err());
        let mut d = Deliveries::default();
        admit(&mut d, &[5]);
        d.admit(None, true);
        assert_eq!(settle(&mut d, 4).unwrap(), Settled::ReadAgain);
        admit(&mut d, &[4, 3]);
        d.admit(None, true);
        assert_eq!(settle(&mut d, 4).unwrap(), Settled::Done(RECOVERED));
    }

    /// Short on both reads: 5 and 3 of the first read, 3 and 5 of the
    /// second (and 9 outside): 3 different records of the 4 announced.
    fn short_twice(completeness: Completeness) -> Result<Settled, Error> {
        let mut d = Deliveries::default();
        admit(&mut d, &[5, 4]);
        assert!(!d.admit(Some(9), false));
        assert_eq!(settle(&mut d, 5).unwrap(), Settled::ReadAgain);
        admit(&mut d, &[5]);
        assert!(!d.admit(Some(9), false));
        d.settle(Some(5), check(completeness))
    }

    #[test]
    fn a_shortfall_that_persists_is_an_error_naming_both_reads() {
        let e = short_twice(Completeness::Strict).unwrap_err();
        let Error::Incomplete {
            stream,
            list,
            shortfall,
        } = &e
        else {
            panic!("{e:?}")
        };
        let want = Shortfall {
            announced: 5,
            delivered: 3,
            outside: 1,
            first: (5, 3),
            second: 2,
        };
        assert_eq!(
            (*stream, list.as_str(), *shortfall),
            ("transactions", "GET /x", want)
        );
        assert_eq!(
            e.failure_type(),
            crate::protocol::FailureType::SystemError,
            "{e}"
        );
        let text = e.to_string();
        for needle in [
            "Paystack announced 5 records for GET /x (meta.total), but two reads delivered 3 \
             different ones between them (the first 3 of 5, the second 2); 1 of the 3 are in \
             the one-second overlap",
            r#"set "completeness": {"transactions": "warn"} in the config"#,
        ] {
            assert!(text.contains(needle), "{text}");
        }
    }

    #[test]
    fn in_warn_mode_a_shortfall_that_persists_is_trusted() {
        let read = ListRead {
            checked: true,
            recovered: false,
            duplicates: 0,
            trusted: true,
        };
        assert_eq!(
            short_twice(Completeness::Warn).unwrap(),
            Settled::Done(read)
        );
        assert_eq!(Completeness::parse("warn"), Some(Completeness::Warn));
        assert_eq!(Completeness::parse("Warn"), None);
        for name in Completeness::NAMES {
            assert_eq!(Completeness::parse(name).unwrap().to_string(), name);
        }
    }
}
