//! The events of a read, and who hears them.
//!
//! `crate::read` reports what happens as events on one [`Sink`]; it never
//! writes output itself. The implementations:
//! - the Airbyte writer, [`crate::emit::Emitter`]: every event becomes
//!   protocol messages on stdout (STREAM_STATUS, RECORD, STATE, ESTIMATE,
//!   TRACE ERROR);
//! - the terminal display, [`crate::progress::Terminal`]: live bars on
//!   stderr for a person watching a long sync;
//! - the accounting, [`crate::accounting::Accounting`]: one log line per
//!   stream at its end, with its counts;
//! - [`Tee`]: both of two sinks, in order.
//!
//! Every event has a do-nothing default, so a sink implements only what it
//! uses. A new consumer of the read (counts and checks per stream, say) is a
//! new implementation behind a [`Tee`]; the reader does not change.

use chrono::{DateTime, Utc};

use crate::completeness::ListRead;
use crate::error::Error;
use crate::page::{Drift, Page};
use crate::ratelimit::Pace;
use crate::stop::Stop;
use crate::streams::StreamDef;
use crate::sweep::{Report, Sweep};

/// A stream, as events name it: its row of the table.
pub type Stream = &'static StreamDef;

/// A state to emit: the cursor (none for full refresh streams), the refresh
/// sweep's place (when the stream has a refresh horizon), and the records
/// since the previous state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateUpdate {
    pub cursor: Option<DateTime<Utc>>,
    pub sweep: Option<Sweep>,
    pub record_count: u64,
}

/// How far a child stream is through its parents' lists.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ParentLists {
    /// Child lists read to their end (one per parent record).
    pub read: u64,
    /// Child lists to read: the parent records the window's first page
    /// announced, or those found so far if more.
    pub of: u64,
}

/// The records of one page to emit, straight from the response body.
#[derive(Debug, Clone, Copy)]
pub struct Batch<'a> {
    page: &'a Page,
    /// Indices in `page.records` of the records to emit.
    picks: &'a [usize],
    /// Written at the start of each record (a child's parent key and time).
    pub tag: &'a [u8],
    /// When the records were emitted, in epoch milliseconds.
    pub emitted_at: i64,
}

impl<'a> Batch<'a> {
    /// The records `picks` of `page`, each to be prefixed with `tag`.
    pub fn new(page: &'a Page, picks: &'a [usize], tag: &'a [u8], emitted_at: i64) -> Self {
        Batch {
            page,
            picks,
            tag,
            emitted_at,
        }
    }

    /// How many records the batch holds.
    pub fn len(&self) -> usize {
        self.picks.len()
    }

    /// Each record's JSON text, exactly as Paystack sent it, or normalised
    /// where a value was converted to its schema's type
    /// ([`crate::normalise`]).
    pub fn records(&self) -> impl Iterator<Item = &'a [u8]> + use<'a> {
        let page = self.page;
        self.picks
            .iter()
            .map(move |&i| page.bytes(&page.records[i]))
    }

    /// The values out of place in the records that have any.
    pub fn drift(&self) -> impl Iterator<Item = &'a Drift> + use<'a> {
        let page = self.page;
        self.picks
            .iter()
            .filter_map(move |&i| page.records[i].drift.as_deref())
    }
}

/// How a stream ended.
#[derive(Debug, Clone, Copy)]
pub enum Finished<'a> {
    /// Everything in its window was read, and its final state is out.
    Complete,
    /// It failed with this error; the other streams go on.
    Failed(&'a Error),
    /// Its endpoint is not available to this business (Paystack refused its
    /// first request while the key works elsewhere): nothing was read, its
    /// state is unchanged, and the read goes on (see `crate::read`).
    Skipped,
    /// It was not read to its end because the whole read stopped: Paystack
    /// rejected the key, or a signal asked the read to stop.
    Stopped,
}

/// How the read went.
#[derive(Debug, Default)]
pub struct ReadSummary {
    /// Streams selected.
    pub streams: usize,
    /// Records emitted.
    pub records: u64,
    /// Streams that did not complete, with why.
    pub failed: Vec<(&'static str, Error)>,
    /// Streams skipped: not available to this business.
    pub skipped: Vec<&'static str>,
    /// Paystack rejected the secret key: every stream that had not finished
    /// stopped, and this is said once for the whole read.
    pub rejected_key: Option<Error>,
    /// The signal that stopped the read before the end, if one did.
    pub stopped: Option<Stop>,
}

/// Hears the events of a read. Every event returns the sink's own failure
/// (a closed stdout), which ends the read.
#[allow(unused_variables)]
pub trait Sink {
    /// The read begins; `streams` are the selected streams, in catalog order.
    fn read_started(&mut self, streams: &[Stream]) -> Result<(), Error> {
        Ok(())
    }

    /// The read of `stream` begins.
    fn stream_started(&mut self, stream: Stream) -> Result<(), Error> {
        Ok(())
    }

    /// The first answer for `stream` arrived.
    fn stream_running(&mut self, stream: Stream) -> Result<(), Error> {
        Ok(())
    }

    /// A page of `stream` was read; `batch` holds the records it gave (none,
    /// for a page of parents or of records outside their slice).
    fn records(&mut self, stream: Stream, batch: &Batch<'_>) -> Result<(), Error> {
        Ok(())
    }

    /// Every record of `stream` before this state is out: it may be saved.
    fn checkpoint(&mut self, stream: Stream, update: StateUpdate) -> Result<(), Error> {
        Ok(())
    }

    /// Paystack announced `rows` records in the stream's window.
    fn estimate(&mut self, stream: Stream, rows: u64) -> Result<(), Error> {
        Ok(())
    }

    /// A child stream moved through its parents' lists: `lists` says how
    /// many of how many are read.
    fn parent_lists(&mut self, stream: Stream, lists: ParentLists) -> Result<(), Error> {
        Ok(())
    }

    /// A request of `stream` is held back by a rate limit until
    /// `resume_at_ms` (epoch milliseconds).
    fn rate_limited(&mut self, stream: Stream, resume_at_ms: i64) -> Result<(), Error> {
        Ok(())
    }

    /// Requests queue at the rate limiter's `pace`: the rate limit sets the
    /// speed of the read (once for each pace; see [`crate::ratelimit`]).
    fn paced(&mut self, pace: Pace) -> Result<(), Error> {
        Ok(())
    }

    /// A request of `stream` failed and is sent again; `rate_limited`: the
    /// answer was a 429.
    fn retrying(&mut self, stream: Stream, rate_limited: bool) -> Result<(), Error> {
        Ok(())
    }

    /// `stream` read what its refresh sweep was due (sent when the stream
    /// completes, before it ends).
    fn swept(&mut self, stream: Stream, report: &Report) -> Result<(), Error> {
        Ok(())
    }

    /// A list of `stream` (a time slice, an unfiltered list, a child list)
    /// was read to its end and checked, as `read` says.
    fn list_read(&mut self, stream: Stream, read: ListRead) -> Result<(), Error> {
        Ok(())
    }

    /// `stream` ended, as `how` says.
    fn stream_finished(&mut self, stream: Stream, how: Finished<'_>) -> Result<(), Error> {
        Ok(())
    }

    /// Every stream has ended.
    fn read_finished(&mut self, summary: &ReadSummary) -> Result<(), Error> {
        Ok(())
    }
}

/// Both sinks, in order: each event goes to the first, then the second.
pub struct Tee<'a>(pub &'a mut dyn Sink, pub &'a mut dyn Sink);

/// Writes, for each event given as `name(arg: Type, ...)`, the method of a
/// [`Tee`]: the event goes to the first sink, then, if the first took it,
/// to the second.
macro_rules! to_both {
    ($($event:ident($($arg:ident: $ty:ty),*);)*) => {
        $(
            fn $event(&mut self, $($arg: $ty),*) -> Result<(), Error> {
                self.0.$event($($arg),*)?;
                self.1.$event($($arg),*)
            }
        )*
    };
}

impl Sink for Tee<'_> {
    to_both! {
        read_started(streams: &[Stream]);
        stream_started(stream: Stream);
        stream_running(stream: Stream);
        records(stream: Stream, batch: &Batch<'_>);
        checkpoint(stream: Stream, update: StateUpdate);
        estimate(stream: Stream, rows: u64);
        parent_lists(stream: Stream, lists: ParentLists);
        rate_limited(stream: Stream, resume_at_ms: i64);
        paced(pace: Pace);
        retrying(stream: Stream, rate_limited: bool);
        list_read(stream: Stream, read: ListRead);
        swept(stream: Stream, report: &Report);
        stream_finished(stream: Stream, how: Finished<'_>);
        read_finished(summary: &ReadSummary);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ratelimit::Source;
    use crate::streams::find;

    /// Writes each event it hears as one line, and refuses the events
    /// named in `refuse`.
    #[derive(Default)]
    struct Log {
        lines: Vec<String>,
        refuse: &'static [&'static str],
    }

    impl Log {
        fn hear(&mut self, event: &str, what: String) -> Result<(), Error> {
            self.lines.push(format!("{event} {what}"));
            if self.refuse.contains(&event) {
                return Err(Error::Config(format!("{event} refused")));
            }
            Ok(())
        }
    }

    impl Sink for Log {
        fn read_started(&mut self, streams: &[Stream]) -> Result<(), Error> {
            let names: Vec<&str> = streams.iter().map(|s| s.name).collect();
            self.hear("read_started", names.join(","))
        }
        fn stream_started(&mut self, stream: Stream) -> Result<(), Error> {
            self.hear("stream_started", stream.name.into())
        }
        fn stream_running(&mut self, stream: Stream) -> Result<(), Error> {
            self.hear("stream_running", stream.name.into())
        }
        fn records(&mut self, stream: Stream, batch: &Batch<'_>) -> Result<(), Error> {
            let records: Vec<String> = batch
                .records()
                .map(|r| String::from_utf8_lossy(r).into_owned())
                .collect();
            let what = format!("{} {} {}", stream.name, batch.emitted_at, records.join(""));
            self.hear("records", what)
        }
        fn checkpoint(&mut self, stream: Stream, update: StateUpdate) -> Result<(), Error> {
            self.hear("checkpoint", format!("{} {update:?}", stream.name))
        }
        fn estimate(&mut self, stream: Stream, rows: u64) -> Result<(), Error> {
            self.hear("estimate", format!("{} {rows}", stream.name))
        }
        fn parent_lists(&mut self, stream: Stream, lists: ParentLists) -> Result<(), Error> {
            self.hear("parent_lists", format!("{} {lists:?}", stream.name))
        }
        fn rate_limited(&mut self, stream: Stream, resume_at_ms: i64) -> Result<(), Error> {
            self.hear("rate_limited", format!("{} {resume_at_ms}", stream.name))
        }
        fn paced(&mut self, pace: Pace) -> Result<(), Error> {
            self.hear("paced", format!("{pace:?}"))
        }
        fn retrying(&mut self, stream: Stream, rate_limited: bool) -> Result<(), Error> {
            self.hear("retrying", format!("{} {rate_limited}", stream.name))
        }
        fn list_read(&mut self, stream: Stream, read: ListRead) -> Result<(), Error> {
            self.hear("list_read", format!("{} {read:?}", stream.name))
        }
        fn swept(&mut self, stream: Stream, report: &Report) -> Result<(), Error> {
            self.hear("swept", format!("{} {report}", stream.name))
        }
        fn stream_finished(&mut self, stream: Stream, how: Finished<'_>) -> Result<(), Error> {
            let how = match how {
                Finished::Complete => "complete",
                Finished::Failed(_) => "failed",
                Finished::Skipped => "skipped",
                Finished::Stopped => "stopped",
            };
            self.hear("stream_finished", format!("{} {how}", stream.name))
        }
        fn read_finished(&mut self, summary: &ReadSummary) -> Result<(), Error> {
            let what = format!("{} {}", summary.streams, summary.records);
            self.hear("read_finished", what)
        }
    }

    /// One event sent to a sink.
    type Event<'e> = &'e mut dyn FnMut(&mut dyn Sink) -> Result<(), Error>;

    /// Sends one of each of the 14 events to `sink`, stopping at the first
    /// refusal; the names of the events sent.
    fn every_event(sink: &mut dyn Sink) -> Vec<&'static str> {
        let body = br#"{"data":[{"id":1},{"id":2},{"id":3}]}"#.to_vec();
        let page = crate::page::decode_page(body, Default::default()).unwrap();
        let customers = find("customers").unwrap();
        let batch = Batch::new(&page, &[0, 2], b"", 7);
        assert_eq!(batch.len(), 2);
        let update = StateUpdate {
            cursor: None,
            sweep: None,
            record_count: 2,
        };
        let lists = ParentLists { read: 1, of: 3 };
        let pace = Pace {
            per_minute: 90,
            source: Source::Config,
        };
        let read = ListRead {
            checked: true,
            ..ListRead::default()
        };
        let summary = ReadSummary {
            streams: 1,
            records: 2,
            ..ReadSummary::default()
        };
        let report = Report {
            parts: Vec::new(),
            records: 0,
            pages: 0,
            horizon_days: 30,
            nothing_older: true,
        };
        let events: [(&str, Event<'_>); 14] = [
            ("read_started", &mut |s| s.read_started(&[customers])),
            ("stream_started", &mut |s| s.stream_started(customers)),
            ("stream_running", &mut |s| s.stream_running(customers)),
            ("records", &mut |s| s.records(customers, &batch)),
            ("checkpoint", &mut |s| s.checkpoint(customers, update)),
            ("estimate", &mut |s| s.estimate(customers, 3)),
            ("parent_lists", &mut |s| s.parent_lists(customers, lists)),
            ("rate_limited", &mut |s| s.rate_limited(customers, 1_000)),
            ("paced", &mut |s| s.paced(pace)),
            ("retrying", &mut |s| s.retrying(customers, true)),
            ("list_read", &mut |s| s.list_read(customers, read)),
            ("swept", &mut |s| s.swept(customers, &report)),
            ("stream_finished", &mut |s| {
                s.stream_finished(customers, Finished::Complete)
            }),
            ("read_finished", &mut |s| s.read_finished(&summary)),
        ];
        let mut sent = Vec::new();
        for (name, event) in events {
            sent.push(name);
            if event(sink).is_err() {
                break;
            }
        }
        sent
    }

    #[test]
    fn a_tee_hands_every_event_to_both_sinks_in_order() {
        let mut alone = Log::default();
        let sent = every_event(&mut alone);
        assert_eq!(sent.len(), 14, "every event of a Sink");
        let want: Vec<&str> = alone.lines.iter().map(String::as_str).collect();
        assert_eq!(
            want.iter()
                .map(|l| l.split(' ').next().unwrap())
                .collect::<Vec<_>>(),
            sent,
            "one line per event"
        );
        assert!(
            want.contains(&r#"records customers 7 {"id":1}{"id":3}"#),
            "{want:?}"
        );
        let (mut a, mut b) = (Log::default(), Log::default());
        every_event(&mut Tee(&mut a, &mut b));
        assert_eq!(a.lines, want);
        assert_eq!(b.lines, want);
    }

    /// An event the first sink refuses does not reach the second, and its
    /// error is the tee's.
    #[test]
    fn a_tee_stops_an_event_the_first_sink_refuses() {
        let mut a = Log {
            refuse: &["checkpoint"],
            ..Log::default()
        };
        let mut b = Log::default();
        let sent = every_event(&mut Tee(&mut a, &mut b));
        assert_eq!(sent.last(), Some(&"checkpoint"), "the refusal is the tee's");
        assert_eq!(a.lines.len(), 5);
        assert_eq!(b.lines.len(), 4, "the second never heard the checkpoint");
        assert!(b.lines.iter().all(|l| !l.starts_with("checkpoint")));
    }
}
