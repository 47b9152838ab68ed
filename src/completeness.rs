//! Proof that nothing was missed: every list read with offset paging (a time
//! slice, an unfiltered list, the list of one parent's children) is checked
//! against the count its first page announced, `meta.total`.
//!
//! # What is counted
//! [`Deliveries`] counts the different records (by `id`) the pages of one
//! read of a list delivered, the records the connector does not emit
//! included: those outside the slice, which are the one-second overlap
//! before `from` (and, with an `end_date`, records at exactly `to` when
//! Paystack's `to` is inclusive; see `crate::window`). So the count is what
//! Paystack delivered for the query, and `meta.total` is what it said the
//! query holds, whatever its boundaries. Pages can shift while a list is
//! read (a record created in an unfiltered list pushes the others down one
//! place), so a record can arrive twice: it is counted and emitted once,
//! and the second copy is a duplicate dropped. A record without an integer
//! `id` is counted each time it arrives.
//!
//! # The verdict, once every page of a read is in
//! - **As many as announced**: the list is complete.
//! - **More**: records were created in the query's range while it was read;
//!   logged (INFO), nothing is lost.
//! - **Fewer**: pages shifted under the read, or Paystack skipped a record.
//!   The list is read once more from its first page (records already
//!   emitted are not emitted again). If that read falls short too, the
//!   stream fails with [`Error::Incomplete`], a `system_error`; the state
//!   never passes the slice, because a slice that is not complete holds the
//!   state back (see `crate::slice`).
//! - **No count** (a cursor list, or a first page without `meta.total`):
//!   the list is read unchecked, with a DEBUG line.

use std::collections::HashSet;

use crate::error::Error;

/// How one list was read, once it is complete (a [`crate::sink::Sink`]
/// event).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListRead {
    /// Checked against `meta.total` (false: no count to check against).
    pub checked: bool,
    /// The first read fell short and a second one delivered everything.
    pub recovered: bool,
    /// Records delivered again by the same read, not emitted twice.
    pub duplicates: u64,
}

/// What [`Deliveries::settle`] decided about a read whose pages are all in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// The list is read.
    Done(ListRead),
    /// It fell short: read it again from its first page.
    ReadAgain,
}

/// The records the pages of one list delivered (see the module docs).
#[derive(Debug, Default)]
pub struct Deliveries {
    /// Ids delivered by the current read.
    ids: HashSet<u64>,
    /// Ids delivered by the first read, during the second one.
    earlier: Option<HashSet<u64>>,
    /// Different records delivered by the current read.
    delivered: u64,
    /// Of those, outside the slice.
    outside: u64,
    duplicates: u64,
    /// The first read's `meta.total` and count, once it fell short.
    first: Option<(u64, u64)>,
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
        if !inside {
            self.outside += 1;
            return false;
        }
        !matches!((&self.earlier, id), (Some(earlier), Some(id)) if earlier.contains(&id))
    }

    /// True during the second read of the list.
    pub fn rereading(&self) -> bool {
        self.first.is_some()
    }

    /// Judges a read whose pages are all in, against the `announced`
    /// `meta.total` of its first page; `list` names the query (for the
    /// logs and the error).
    ///
    /// # Errors
    /// [`Error::Incomplete`] when the second read falls short too.
    pub fn settle(&mut self, announced: Option<u64>, list: &str) -> Result<Settled, Error> {
        let delivered = self.delivered;
        let done = |this: &mut Self, checked: bool| {
            let read = ListRead {
                checked,
                recovered: this.rereading(),
                duplicates: this.duplicates,
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
            return done(self, false);
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
            if let Some((first_announced, first_delivered)) = self.first {
                tracing::info!(
                    list,
                    first_announced,
                    first_delivered,
                    announced,
                    delivered,
                    "The second read of the list delivered every record Paystack announced."
                );
            }
            return done(self, true);
        }
        if let Some(first) = self.first {
            return Err(Error::Incomplete {
                list: list.to_owned(),
                announced,
                delivered,
                outside: self.outside,
                first,
            });
        }
        tracing::warn!(
            list,
            announced,
            delivered,
            outside = self.outside,
            "Paystack announced more records (meta.total) than its pages delivered for this list; \
             reading it again from its first page."
        );
        self.first = Some((announced, delivered));
        self.earlier = Some(std::mem::take(&mut self.ids));
        (self.delivered, self.outside) = (0, 0);
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
        };
        assert_eq!(d.settle(Some(6), "/x").unwrap(), Settled::Done(want));
    }

    #[test]
    fn a_surplus_is_complete_and_no_count_is_unchecked() {
        let mut d = Deliveries::default();
        admit(&mut d, &[3, 2, 1]);
        let Ok(Settled::Done(read)) = d.settle(Some(2), "/x") else {
            panic!("a surplus is not an error")
        };
        assert!(read.checked && !read.recovered);
        let mut d = Deliveries::default();
        admit(&mut d, &[3, 2, 1]);
        let Ok(Settled::Done(read)) = d.settle(None, "/x") else {
            panic!("no count: unchecked")
        };
        assert!(!read.checked);
    }

    #[test]
    fn a_shortfall_is_read_again_and_recovered() {
        let mut d = Deliveries::default();
        assert_eq!(admit(&mut d, &[5, 4, 2]), [5, 4, 2]);
        assert_eq!(d.settle(Some(4), "/x").unwrap(), Settled::ReadAgain);
        assert!(d.rereading());
        // The second read: only the record the first one missed is emitted.
        assert_eq!(admit(&mut d, &[5, 4, 3, 2]), [3]);
        let Ok(Settled::Done(read)) = d.settle(Some(4), "/x") else {
            panic!("recovered")
        };
        assert_eq!(
            read,
            ListRead {
                checked: true,
                recovered: true,
                duplicates: 0
            }
        );
        assert!(!d.rereading(), "settled: the ids are freed");
    }

    #[test]
    fn a_shortfall_that_persists_is_an_error_naming_both_reads() {
        let mut d = Deliveries::default();
        admit(&mut d, &[5, 4]);
        assert!(!d.admit(Some(9), false));
        assert_eq!(d.settle(Some(5), "GET /x").unwrap(), Settled::ReadAgain);
        admit(&mut d, &[5, 3]);
        assert!(!d.admit(Some(9), false));
        let e = d.settle(Some(4), "GET /x").unwrap_err();
        let Error::Incomplete {
            announced,
            delivered,
            outside,
            first,
            ..
        } = &e
        else {
            panic!("{e:?}")
        };
        assert_eq!(
            (*announced, *delivered, *outside, *first),
            (4, 3, 1, (5, 3))
        );
        assert_eq!(
            e.failure_type(),
            crate::error::FailureType::SystemError,
            "{e}"
        );
    }
}
