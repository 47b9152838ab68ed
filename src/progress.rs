//! Progress for people at a terminal: one live line per selected stream on
//! stderr, drawn from the events of the read (a [`Sink`] beside the Airbyte
//! writer). Inside Airbyte, where stderr is not a terminal, there is no
//! display: ESTIMATE and STREAM_STATUS messages carry progress there.
//!
//! What a line says:
//! - every selected stream has a line from the start, its name padded to the
//!   longest selected name; `waiting` until its first page arrives;
//! - then its records, against the count Paystack announced when it did (a
//!   bar), the rate, and the time left (ETA);
//! - a child stream (`settlement_transactions`) has no count of its own: its
//!   bar and ETA follow its parents' lists (`12/40 settlements`);
//! - the rate is smoothed over the stream's own pages (an exponential moving
//!   average over [`SMOOTHING`]), and a stream with no page for [`HELD`]
//!   (its requests wait behind another stream's, or for a 429's pause) says
//!   so instead of an ETA, so an ETA never jumps to days;
//! - when the rate limit sets the pace, a first line says so (the limit and
//!   where it comes from);
//! - at the end each line says `complete` or `INCOMPLETE` (failed, stopped),
//!   with the stream's average rate; streams a stop left unstarted say so.
//!
//! Lines are drawn from a model and a clock, never from indicatif's own
//! rates, so what a line says is a function of the events and their times:
//! the tests give the clock and draw on an in-memory terminal.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::error::Error;
use crate::numbers::thousands;
use crate::ratelimit::Pace;
use crate::sink::{Batch, Finished, ParentLists, ReadSummary, Sink, Stream};

/// The time over which rates are smoothed (the EMA's time constant).
pub const SMOOTHING: Duration = Duration::from_secs(10);

/// A stream with no page for this long is held: it shows no ETA.
pub const HELD: Duration = Duration::from_secs(5);

/// Lines are redrawn at most this often as pages arrive (and by a timer).
const REDRAW: Duration = Duration::from_millis(250);

/// Cells of a bar, between its brackets.
const BAR_CELLS: usize = 12;

/// Live lines on stderr (or, in tests, any terminal).
pub struct Terminal {
    multi: MultiProgress,
    clock: Clock,
    display: Mutex<Display>,
}

impl std::fmt::Debug for Terminal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Terminal").finish_non_exhaustive()
    }
}

/// Where "now" comes from.
enum Clock {
    /// The time since the display was made.
    Real(Instant),
    /// Set by the test.
    #[cfg(test)]
    Manual(Mutex<Duration>),
}

impl Clock {
    fn now(&self) -> Duration {
        match self {
            Clock::Real(start) => start.elapsed(),
            #[cfg(test)]
            Clock::Manual(now) => *now.lock().unwrap_or_else(|p| p.into_inner()),
        }
    }
}

#[derive(Default)]
struct Display {
    /// The line saying what paces the read, once it is paced.
    header: Option<ProgressBar>,
    rows: Vec<Row>,
    /// The longest stream name.
    name_width: usize,
    drawn_at: Option<Duration>,
    finished: bool,
}

/// One stream's line.
struct Row {
    name: &'static str,
    /// A child stream: its parent stream's name.
    parent: Option<&'static str>,
    bar: ProgressBar,
    /// The text last drawn.
    shown: String,
    started: Option<Duration>,
    last_page: Option<Duration>,
    records: u64,
    /// Records Paystack announced for the window.
    estimate: Option<u64>,
    lists: Option<ParentLists>,
    /// Records a second, and (child streams) parent lists a second.
    record_rate: Rate,
    list_rate: Rate,
    ended: Option<(Ending, Duration)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Complete,
    /// Not available to this business.
    Skipped,
    Failed,
    Stopped,
    /// The read ended (stopped) before the stream started.
    NotStarted,
}

/// An exponential moving average of a rate: what arrived, and the time it
/// took, both weighted by age (`exp(-age / SMOOTHING)`).
#[derive(Debug, Default, Clone, Copy)]
struct Rate {
    amount: f64,
    time: f64,
}

impl Rate {
    /// `dt` seconds passed.
    fn pass(&mut self, dt: f64) {
        let tau = SMOOTHING.as_secs_f64();
        let decay = (-dt / tau).exp();
        self.amount *= decay;
        self.time = self.time * decay + tau * (1.0 - decay);
    }

    /// Per second; `None` until a second's worth of time is in it.
    fn per_sec(&self) -> Option<f64> {
        (self.time >= 1.0).then(|| self.amount / self.time)
    }
}

impl Row {
    fn new(stream: Stream, bar: ProgressBar) -> Self {
        Row {
            name: stream.name,
            parent: stream.parent.map(|p| p.stream),
            bar,
            shown: String::new(),
            started: None,
            last_page: None,
            records: 0,
            estimate: None,
            lists: None,
            record_rate: Rate::default(),
            list_rate: Rate::default(),
            ended: None,
        }
    }

    /// A page arrived at `now` with `records`.
    fn page(&mut self, now: Duration, records: u64) {
        // A stream held back counts for at most HELD: after a long hold
        // the rate is not dragged down to nothing.
        let since = self.last_page.or(self.started).unwrap_or(now);
        let dt = now.saturating_sub(since).min(HELD).as_secs_f64();
        self.record_rate.pass(dt);
        self.list_rate.pass(dt);
        self.record_rate.amount += records as f64;
        self.records += records;
        self.last_page = Some(now);
        if self.estimate.is_some_and(|e| e < self.records) {
            self.estimate = Some(self.records);
        }
    }

    fn parent_lists(&mut self, lists: ParentLists) {
        let before = self.lists.map_or(0, |l| l.read);
        self.list_rate.amount += lists.read.saturating_sub(before) as f64;
        self.lists = Some(lists);
    }

    /// Done and to do, in the unit of the bar: records against the
    /// estimate, or for a child stream its parents' lists.
    fn fraction(&self) -> Option<(u64, u64, Option<f64>)> {
        match (self.parent, self.lists) {
            (Some(_), Some(l)) => Some((l.read, l.of, self.list_rate.per_sec())),
            (Some(_), None) => None,
            (None, _) => self
                .estimate
                .map(|e| (self.records, e, self.record_rate.per_sec())),
        }
    }

    /// The line, at `now`, with names padded to `width`: the name, the
    /// bar, what the bar counts, records a second, then the ETA or how the
    /// stream ended; for a child stream, its records last.
    fn line(&self, now: Duration, width: usize) -> String {
        let mut line = format!("{:<width$}  ", self.name);
        let Some(started) = self.started else {
            line.push_str(if self.ended.is_some() {
                "not started (stopped)"
            } else {
                "waiting"
            });
            return line;
        };
        if self.last_page.is_none() {
            line.push_str(match self.ended {
                None => "waiting",
                Some((Ending::Complete, _)) => "complete",
                Some((Ending::Skipped, _)) => "skipped: not available to this business",
                Some((Ending::Failed, _)) => "INCOMPLETE (failed) before its first page",
                Some(_) => "INCOMPLETE (stopped) before its first page",
            });
            return line;
        }
        let fraction = self.fraction();
        let complete = matches!(self.ended, Some((Ending::Complete, _)));
        let bar = match fraction {
            _ if complete => Some(1.0),
            Some((done, of, _)) => Some(ratio(done, of)),
            None => None,
        };
        let records = format!("{} records", thousands(self.records));
        let count = match (self.parent, self.lists, self.estimate) {
            (Some(parent), Some(l), _) => {
                format!("{}/{} {parent}", thousands(l.read), thousands(l.of))
            }
            (None, _, Some(e)) if !complete => {
                format!("{}/{} records", thousands(self.records), thousands(e))
            }
            _ => records.clone(),
        };
        let (rate, status) = match self.ended {
            Some((how, at)) => {
                // The stream's average over its whole read.
                let secs = at.saturating_sub(started).as_secs_f64();
                let rate = (secs >= 1.0).then(|| self.records as f64 / secs);
                let status = match how {
                    Ending::Complete => "complete",
                    Ending::Skipped => "skipped",
                    Ending::Failed => "INCOMPLETE (failed)",
                    Ending::Stopped | Ending::NotStarted => "INCOMPLETE (stopped)",
                };
                (rate, status.to_owned())
            }
            None => {
                let idle = now.saturating_sub(self.last_page.unwrap_or(now));
                let status = match fraction {
                    _ if idle > HELD => format!("no page for {}", duration(idle)),
                    Some((done, of, Some(per_sec))) if per_sec > 0.0 && of >= done => {
                        let left = (of - done) as f64 / per_sec;
                        format!("ETA {}", duration(Duration::from_secs_f64(left)))
                    }
                    _ => String::new(),
                };
                (self.record_rate.per_sec(), status)
            }
        };
        match bar {
            Some(r) => {
                let full = ((r * BAR_CELLS as f64).floor() as usize).min(BAR_CELLS);
                let head = usize::from(full < BAR_CELLS && full > 0);
                let _ = write!(
                    line,
                    "[{}{}{}]",
                    "=".repeat(full - head),
                    ">".repeat(head),
                    " ".repeat(BAR_CELLS - full)
                );
            }
            None => line.push_str(&" ".repeat(BAR_CELLS + 2)),
        }
        let rate = rate.map(per_second).unwrap_or_default();
        let _ = write!(line, "  {count:>21}  {rate:>7}  {status:<10}");
        if self.parent.is_some() {
            let _ = write!(line, "  {records}");
        }
        line.truncate(line.trim_end().len());
        line
    }
}

fn ratio(done: u64, of: u64) -> f64 {
    if of == 0 {
        0.0
    } else {
        (done as f64 / of as f64).min(1.0)
    }
}

fn per_second(rate: f64) -> String {
    if rate >= 9.95 {
        format!("{}/s", thousands(rate.round() as u64))
    } else {
        format!("{rate:.1}/s")
    }
}

/// `45s`, `3m20s`, `1h02m`, `2d03h`.
fn duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        3600..86400 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d{:02}h", s / 86400, s % 86400 / 3600),
    }
}

fn style() -> ProgressStyle {
    // The whole line is ours; too long a line is cut at the terminal's width.
    ProgressStyle::with_template("{wide_msg}").unwrap_or_else(|_| ProgressStyle::default_bar())
}

impl Terminal {
    fn new(multi: MultiProgress, clock: Clock) -> Self {
        Terminal {
            multi,
            clock,
            display: Mutex::new(Display::default()),
        }
    }

    /// Lines on stderr, redrawn by a timer too, and the handle to route log
    /// lines around them.
    pub fn stderr() -> (Arc<Self>, MultiProgress) {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(4));
        let terminal = Arc::new(Terminal::new(multi.clone(), Clock::Real(Instant::now())));
        // Times move on between pages too (ETAs, held streams); the timer
        // stops when the read has finished or the display is dropped.
        let weak = Arc::downgrade(&terminal);
        let _ = std::thread::Builder::new()
            .name("progress".to_owned())
            .spawn(move || {
                loop {
                    std::thread::sleep(REDRAW);
                    match weak.upgrade() {
                        Some(t) if !t.lock().finished => t.redraw(false),
                        _ => break,
                    }
                }
            });
        (terminal, multi)
    }

    fn lock(&self) -> MutexGuard<'_, Display> {
        self.display.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Updates the line of `stream` (made if the read did not announce it)
    /// with `f`, then redraws (at once when `force`).
    fn update(&self, stream: Stream, force: bool, f: impl FnOnce(&mut Row, Duration)) {
        let now = self.clock.now();
        {
            let mut d = self.lock();
            let i = match d.rows.iter().position(|r| r.name == stream.name) {
                Some(i) => i,
                None => {
                    let bar = self.add_bar();
                    d.name_width = d.name_width.max(stream.name.len());
                    d.rows.push(Row::new(stream, bar));
                    d.rows.len() - 1
                }
            };
            f(&mut d.rows[i], now);
        }
        self.redraw(force);
    }

    fn add_bar(&self) -> ProgressBar {
        let bar = self.multi.add(ProgressBar::no_length());
        bar.set_style(style());
        bar
    }

    /// Draws every line that changed; unless `force`, at most once every
    /// [`REDRAW`].
    fn redraw(&self, force: bool) {
        let now = self.clock.now();
        let mut d = self.lock();
        if !force && d.drawn_at.is_some_and(|at| now.saturating_sub(at) < REDRAW) {
            return;
        }
        d.drawn_at = Some(now);
        let width = d.name_width;
        for row in &mut d.rows {
            let line = row.line(now, width);
            if line != row.shown {
                row.bar.set_message(line.clone());
                row.shown = line;
            }
        }
    }

    fn start_rows(&self, streams: &[Stream]) {
        let mut d = self.lock();
        for &stream in streams {
            if d.rows.iter().all(|r| r.name != stream.name) {
                let bar = self.add_bar();
                d.rows.push(Row::new(stream, bar));
            }
        }
        d.name_width = d.rows.iter().map(|r| r.name.len()).max().unwrap_or(0);
        drop(d);
        self.redraw(true);
    }

    fn show_pace(&self, pace: Pace) {
        let mut d = self.lock();
        let header = d.header.get_or_insert_with(|| {
            let bar = self.multi.insert(0, ProgressBar::no_length());
            bar.set_style(style());
            bar
        });
        header.set_message(format!("paced at {pace}"));
    }

    /// Every line ends: the streams still waiting were not started.
    fn end_rows(&self) {
        let now = self.clock.now();
        {
            let mut d = self.lock();
            for row in &mut d.rows {
                if row.ended.is_none() {
                    let how = if row.started.is_some() {
                        Ending::Stopped
                    } else {
                        Ending::NotStarted
                    };
                    row.ended = Some((how, now));
                }
            }
        }
        self.redraw(true);
        let mut d = self.lock();
        d.finished = true;
        for row in &d.rows {
            row.bar.finish();
        }
        if let Some(header) = &d.header {
            header.finish();
        }
    }
}

/// The display follows the read's events.
impl Sink for &Terminal {
    fn read_started(&mut self, streams: &[Stream]) -> Result<(), Error> {
        self.start_rows(streams);
        Ok(())
    }

    fn stream_started(&mut self, stream: Stream) -> Result<(), Error> {
        self.update(stream, true, |row, now| {
            row.started.get_or_insert(now);
        });
        Ok(())
    }

    fn records(&mut self, stream: Stream, batch: &Batch<'_>) -> Result<(), Error> {
        let n = batch.len() as u64;
        self.update(stream, false, |row, now| row.page(now, n));
        Ok(())
    }

    fn estimate(&mut self, stream: Stream, rows: u64) -> Result<(), Error> {
        self.update(stream, true, |row, _| {
            row.estimate = Some(rows.max(row.records));
        });
        Ok(())
    }

    fn parent_lists(&mut self, stream: Stream, lists: ParentLists) -> Result<(), Error> {
        self.update(stream, false, |row, _| row.parent_lists(lists));
        Ok(())
    }

    fn paced(&mut self, pace: Pace) -> Result<(), Error> {
        self.show_pace(pace);
        Ok(())
    }

    fn stream_finished(&mut self, stream: Stream, how: Finished<'_>) -> Result<(), Error> {
        let how = match how {
            Finished::Complete => Ending::Complete,
            Finished::Skipped => Ending::Skipped,
            Finished::Failed(_) => Ending::Failed,
            Finished::Stopped => Ending::Stopped,
        };
        self.update(stream, true, |row, now| {
            row.started.get_or_insert(now);
            row.ended = Some((how, now));
        });
        let d = self.lock();
        if let Some(row) = d.rows.iter().find(|r| r.name == stream.name) {
            row.bar.finish();
        }
        Ok(())
    }

    fn read_finished(&mut self, _summary: &ReadSummary) -> Result<(), Error> {
        self.end_rows();
        Ok(())
    }
}

/// A log writer that lifts the progress lines out of the way of each line.
#[derive(Clone, Debug)]
pub struct SuspendingWriter(pub MultiProgress);

impl Write for SuspendingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.suspend(|| io::stderr().write_all(buf))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for SuspendingWriter {
    type Writer = SuspendingWriter;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::{Fields, Page, decode_page};
    use crate::ratelimit::Source;
    use crate::streams::find;
    use indicatif::{InMemoryTerm, TermLike};

    /// A display on an in-memory terminal of 110 columns, at time 0.
    struct Screen {
        term: InMemoryTerm,
        display: Terminal,
    }

    impl Screen {
        fn new() -> Self {
            let term = InMemoryTerm::new(16, 110);
            let target = ProgressDrawTarget::term_like(Box::new(term.clone()));
            let multi = MultiProgress::with_draw_target(target);
            let clock = Clock::Manual(Mutex::new(Duration::ZERO));
            Screen {
                term,
                display: Terminal::new(multi, clock),
            }
        }

        /// The sink, at `secs` seconds.
        fn at(&self, secs: f64) -> &Terminal {
            let Clock::Manual(now) = &self.display.clock else {
                unreachable!("tests use a manual clock")
            };
            *now.lock().unwrap() = Duration::from_secs_f64(secs);
            &self.display
        }

        /// What the terminal shows, every line drawn as of now.
        fn shows(&self) -> String {
            self.display.redraw(true);
            self.term.contents()
        }
    }

    fn s(name: &str) -> Stream {
        find(name).unwrap()
    }

    /// A page of `n` records.
    fn page(n: usize) -> (Page, Vec<usize>) {
        let records = vec![r#"{"id":1}"#; n].join(",");
        let body = format!(r#"{{"data":[{records}]}}"#).into_bytes();
        (
            decode_page(body, Fields::default()).unwrap(),
            (0..n).collect(),
        )
    }

    fn records(mut sink: &Terminal, stream: &str, n: usize) {
        let (page, picks) = page(n);
        sink.records(s(stream), &Batch::new(&page, &picks, b"", 0))
            .unwrap();
    }

    /// Pages of `n` records of `stream` every 0.6 s from `from` to `to`.
    fn pages(screen: &Screen, stream: &str, n: usize, from: f64, to: f64) {
        let mut at = from;
        while at <= to + 1e-9 {
            records(screen.at(at), stream, n);
            at += 0.6;
        }
    }

    const SELECTED: [&str; 5] = [
        "customers",
        "settlement_transactions",
        "terminals",
        "balance_history",
        "invoices",
    ];

    /// A read told as events, with the screen at a few moments: the start,
    /// a stream with its estimate while another waits for its first page
    /// and the pace is announced, a child stream following its parents'
    /// lists while the first stream is held, a stream complete, and a stop
    /// (SIGINT) that ends every line, the stop line printed above them.
    #[test]
    fn the_display_through_a_read_and_a_stop() {
        let screen = Screen::new();
        let selected = SELECTED.map(s);
        let mut sink = screen.at(0.0);
        sink.read_started(&selected).unwrap();
        insta::assert_snapshot!("1_start", screen.shows());

        sink.stream_started(s("customers")).unwrap();
        records(screen.at(0.5), "customers", 200);
        screen.at(0.5).estimate(s("customers"), 5_000).unwrap();
        screen
            .at(1.0)
            .stream_started(s("settlement_transactions"))
            .unwrap();
        let pace = Pace {
            per_minute: 100,
            source: Source::TestKey,
        };
        screen.at(1.2).paced(pace).unwrap();
        pages(&screen, "customers", 200, 1.1, 3.5);
        insta::assert_snapshot!("2_estimate_waiting_paced", screen.shows());

        // customers gets no page from 3.5 s: the request slots go to the
        // settlements' lists, then to terminals.
        let mut sink = screen.at(4.0);
        records(sink, "settlement_transactions", 0);
        sink.parent_lists(
            s("settlement_transactions"),
            ParentLists { read: 0, of: 40 },
        )
        .unwrap();
        for (i, at) in (0..10).map(|i| (i, 4.6 + 0.6 * i as f64)) {
            sink = screen.at(at);
            records(sink, "settlement_transactions", 25);
            let lists = ParentLists {
                read: i + 1,
                of: 40,
            };
            sink.parent_lists(s("settlement_transactions"), lists)
                .unwrap();
        }
        screen.at(5.0).stream_started(s("terminals")).unwrap();
        for at in [6.0, 7.0, 8.0, 9.0, 10.0] {
            records(screen.at(at), "terminals", 100);
        }
        screen.at(10.2);
        insta::assert_snapshot!("3_child_lists_and_a_held_stream", screen.shows());

        // customers resumes: its rate and ETA carry on from before the hold.
        pages(&screen, "customers", 200, 10.4, 21.2);
        screen
            .at(21.2)
            .stream_finished(s("customers"), Finished::Complete)
            .unwrap();
        records(screen.at(21.5), "terminals", 100);
        insta::assert_snapshot!("4_complete", screen.shows());

        // invoices' first request waits for its slot.
        screen.at(21.8).stream_started(s("invoices")).unwrap();

        // Ctrl-C: the reader ends the started streams, logs the stop line
        // (through the log writer, which lifts the lines out of its way),
        // and the read ends.
        let mut sink = screen.at(22.0);
        sink.stream_finished(s("settlement_transactions"), Finished::Stopped)
            .unwrap();
        sink.stream_finished(s("terminals"), Finished::Stopped)
            .unwrap();
        screen.display.multi.suspend(|| {
            screen
                .term
                .write_line(
                    "WARN Stopped by SIGINT before the read finished; unfinished: \
                     settlement_transactions (250 records, no state yet), ...",
                )
                .unwrap()
        });
        sink.read_finished(&ReadSummary::default()).unwrap();
        let end = screen.shows();
        insta::assert_snapshot!("5_stopped", end);
        for name in SELECTED {
            let line = end.lines().find(|l| l.starts_with(name)).unwrap();
            assert!(
                line.contains("complete") || line.contains("(stopped)"),
                "every line ends: {line}"
            );
        }
        assert!(screen.display.lock().finished);
    }

    /// A stream held for a minute (no page: another stream has the
    /// request slots) shows no ETA, and when its pages come back its rate
    /// and ETA take up about where they were, not days away.
    #[test]
    fn a_held_stream_shows_no_eta_and_resumes_its_rate() {
        let screen = Screen::new();
        let mut sink = screen.at(0.0);
        sink.read_started(&[s("customers")]).unwrap();
        sink.stream_started(s("customers")).unwrap();
        sink.estimate(s("customers"), 100_000).unwrap();
        pages(&screen, "customers", 200, 0.6, 30.0);
        let rate = |screen: &Screen| {
            let d = screen.display.lock();
            d.rows[0].record_rate.per_sec().unwrap()
        };
        let before = rate(&screen);
        assert!((320.0..=345.0).contains(&before), "{before}");
        assert!(screen.shows().contains("ETA 4m"), "{}", screen.shows());
        screen.at(90.0);
        let held = screen.shows();
        assert!(held.contains("no page for 1m00s"), "{held}");
        assert!(!held.contains("ETA"), "{held}");
        records(screen.at(90.6), "customers", 200);
        let after = rate(&screen);
        assert!(after > 0.6 * before, "{before} then {after}");
        let line = screen.shows();
        assert!(line.contains("ETA 5m") || line.contains("ETA 6m"), "{line}");
    }

    #[test]
    fn numbers_and_durations_read_well() {
        assert_eq!(per_second(2.54), "2.5/s");
        assert_eq!(per_second(1234.4), "1,234/s");
        let d = |s| duration(Duration::from_secs(s));
        assert_eq!(
            [d(45), d(200), d(3720), d(2 * 86400 + 3 * 3600)],
            ["45s", "3m20s", "1h02m", "2d03h"]
        );
    }
}
