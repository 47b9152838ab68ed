//! The accounting of a read: per stream, what it took and what was checked,
//! counted from the read's events (a [`Sink`] beside the Airbyte writer) and
//! logged as one INFO line when the stream ends, for example:
//!
//! ```text
//! INFO Stream complete: 1000 records, 6 pages, 8 requests (2 retried, 1 after a 429), 0 duplicates dropped, 6 lists checked against Paystack's counts (0 unchecked), 1 shortfall recovered. stream="customers"
//! ```
//!
//! - records: emitted; pages: pages read; requests: pages, retries, and
//!   the request a failed stream gave up on;
//! - retried: requests sent again after a failure, and of those, after a
//!   429 (the client reports both, per request, to the reader);
//! - duplicates dropped, lists checked and unchecked, shortfalls recovered
//!   (and, only when there are any, shortfalls trusted: lists short on both
//!   reads of a stream whose completeness is set to warn): from
//!   `crate::completeness`, one event per list read to its end.
//!
//! A stream with a refresh horizon adds what its sweep re-read of the
//! older history, and how fresh that keeps it, for example `; swept
//! 2023-02-01T00:00:00Z..2023-03-04T00:00:00Z (1230 records, 13 requests);
//! every record re-read within 30 days` (see `crate::sweep`).
//!
//! A stream that did not complete gets the same line, `Stream incomplete:`,
//! after the error that ended it; a stream skipped because its endpoint is
//! not available to the business, `Stream skipped:`, after the WARN that
//! says why.

use std::collections::HashMap;
use std::fmt;

use crate::completeness::ListRead;
use crate::error::Error;
use crate::numbers::count;
use crate::sink::{Batch, Finished, Sink, Stream};
use crate::sweep::Report;

/// The counts of one stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub records: u64,
    pub pages: u64,
    pub requests: u64,
    pub retries: u64,
    pub rate_limited: u64,
    pub duplicates: u64,
    pub lists_checked: u64,
    pub lists_unchecked: u64,
    pub shortfalls_recovered: u64,
    /// Lists short of their count on both reads, trusted (completeness set
    /// to warn).
    pub shortfalls_trusted: u64,
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, {}, {} ({} retried, {} after a 429), {} dropped, {} checked against Paystack's \
             counts ({} unchecked), {} recovered",
            count(self.records, "record"),
            count(self.pages, "page"),
            count(self.requests, "request"),
            self.retries,
            self.rate_limited,
            count(self.duplicates, "duplicate"),
            count(self.lists_checked, "list"),
            self.lists_unchecked,
            count(self.shortfalls_recovered, "shortfall"),
        )?;
        if self.shortfalls_trusted > 0 {
            write!(
                f,
                ", {} trusted (completeness: warn)",
                count(self.shortfalls_trusted, "shortfall")
            )?;
        }
        Ok(())
    }
}

/// Counts each stream's events and logs its [`Tally`] when it ends.
#[derive(Debug, Default)]
pub struct Accounting {
    tallies: HashMap<&'static str, Tally>,
    /// What each sweeping stream's refresh sweep did, said at its end.
    sweeps: HashMap<&'static str, Report>,
}

impl Accounting {
    fn of(&mut self, stream: Stream) -> &mut Tally {
        self.tallies.entry(stream.name).or_default()
    }
}

/// A request failed for good (rather than the stream's bookkeeping).
fn a_request_failed(error: &Error) -> bool {
    matches!(
        error,
        Error::Http { .. }
            | Error::Transport { .. }
            | Error::Decode { .. }
            | Error::Api { .. }
            | Error::BadRequest { .. }
            | Error::Auth { .. }
            | Error::Unavailable { .. }
    )
}

impl Sink for Accounting {
    fn records(&mut self, stream: Stream, batch: &Batch<'_>) -> Result<(), Error> {
        let t = self.of(stream);
        t.pages += 1;
        t.requests += 1;
        t.records += batch.len() as u64;
        Ok(())
    }

    fn retrying(&mut self, stream: Stream, rate_limited: bool) -> Result<(), Error> {
        let t = self.of(stream);
        t.requests += 1;
        t.retries += 1;
        t.rate_limited += u64::from(rate_limited);
        Ok(())
    }

    fn list_read(&mut self, stream: Stream, read: ListRead) -> Result<(), Error> {
        let t = self.of(stream);
        t.duplicates += read.duplicates;
        if read.checked {
            t.lists_checked += 1;
        } else {
            t.lists_unchecked += 1;
        }
        t.shortfalls_recovered += u64::from(read.recovered);
        t.shortfalls_trusted += u64::from(read.trusted);
        Ok(())
    }

    fn swept(&mut self, stream: Stream, report: &Report) -> Result<(), Error> {
        self.sweeps.insert(stream.name, report.clone());
        Ok(())
    }

    fn stream_finished(&mut self, stream: Stream, how: Finished<'_>) -> Result<(), Error> {
        let sweep =
            (self.sweeps.remove(stream.name)).map_or_else(String::new, |r| format!("; {r}"));
        let t = self.of(stream);
        match how {
            Finished::Complete => {
                tracing::info!(stream = stream.name, "Stream complete: {t}{sweep}.");
            }
            Finished::Failed(error) => {
                t.requests += u64::from(a_request_failed(error));
                tracing::info!(stream = stream.name, "Stream incomplete: {t}.");
            }
            Finished::Skipped => {
                // The request Paystack refused.
                t.requests += 1;
                tracing::info!(stream = stream.name, "Stream skipped: {t}.");
            }
            Finished::Stopped => tracing::info!(stream = stream.name, "Stream incomplete: {t}."),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::streams::find;

    #[test]
    fn events_add_up_per_stream_and_read_as_one_line() {
        let (customers, refunds) = (find("customers").unwrap(), find("refunds").unwrap());
        let body = br#"{"data":[{"id":1},{"id":2},{"id":3}]}"#.to_vec();
        let page = crate::page::decode_page(body, Default::default()).unwrap();
        let mut a = Accounting::default();
        a.records(customers, &Batch::new(&page, &[0, 1, 2], b"", 0))
            .unwrap();
        a.records(customers, &Batch::new(&page, &[1], b"", 0))
            .unwrap();
        a.retrying(customers, true).unwrap();
        a.retrying(customers, false).unwrap();
        let read = |checked, recovered, duplicates| ListRead {
            checked,
            recovered,
            duplicates,
            trusted: false,
        };
        a.list_read(customers, read(true, true, 2)).unwrap();
        a.list_read(customers, read(false, false, 0)).unwrap();
        let trusted = ListRead {
            trusted: true,
            ..read(true, false, 0)
        };
        a.list_read(refunds, trusted).unwrap();
        a.records(refunds, &Batch::new(&page, &[], b"", 0)).unwrap();
        let timeout = Error::Transport {
            path: "/refund".into(),
            detail: "timed out".into(),
            attempts: 3,
        };
        a.stream_finished(refunds, Finished::Failed(&timeout))
            .unwrap();
        let t = a.tallies.get("customers").copied().unwrap();
        assert_eq!(
            t,
            Tally {
                records: 4,
                pages: 2,
                requests: 4,
                retries: 2,
                rate_limited: 1,
                duplicates: 2,
                lists_checked: 1,
                lists_unchecked: 1,
                shortfalls_recovered: 1,
                shortfalls_trusted: 0,
            }
        );
        assert_eq!(
            t.to_string(),
            "4 records, 2 pages, 4 requests (2 retried, 1 after a 429), 2 duplicates dropped, \
             1 list checked against Paystack's counts (1 unchecked), 1 shortfall recovered"
        );
        let r = a.tallies.get("refunds").copied().unwrap();
        assert_eq!((r.pages, r.requests), (1, 2), "the request it gave up on");
        assert!(
            r.to_string()
                .ends_with("0 shortfalls recovered, 1 shortfall trusted (completeness: warn)"),
            "{r}"
        );
        let terminals = find("terminals").unwrap();
        a.stream_finished(terminals, Finished::Skipped).unwrap();
        let t = a.tallies.get("terminals").copied().unwrap();
        assert_eq!(
            (t.records, t.pages, t.requests),
            (0, 0, 1),
            "the refused request"
        );
    }
}
