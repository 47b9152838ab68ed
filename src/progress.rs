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
//!   bar and ETA follow its parents' lists (`12/40 settlements`), and its
//!   records come last;
//! - the rate is smoothed over the stream's own pages (an exponential moving
//!   average over [`SMOOTHING`]; in a stream's first second, its average so
//!   far), and a stream with no page for [`HELD`] (its requests wait behind
//!   another stream's, or for a 429's pause; under a pace, longer when the
//!   streams' turns are: see [`Display::hold`]) says so instead of an ETA,
//!   so an ETA never jumps to days; a stream with no records reads `0/s`;
//! - when the rate limit sets the pace, a first line says so (the limit and
//!   where it comes from);
//! - at the end each line says `complete` or `INCOMPLETE` (failed, stopped),
//!   with the stream's average rate; streams a stop left unstarted say so.
//!
//! The lines fit the terminal: the columns (counts, rates) are as wide as
//! their widest value, so they line up; at a narrow terminal the bars go
//! first, then the long endings (`INCOMPLETE (stopped)` becomes `stopped`),
//! then the second space between columns, and only then is a line cut
//! (with `…`). When there are more streams than
//! lines, the streams being read are shown first, then the unfinished and
//! the finished ones (the latest first), then the waiting ones, in catalog
//! order, with a last line saying what the others are (`… 9 more: 4
//! complete, 5 waiting`).
//!
//! Lines are drawn from a model and a clock, never from indicatif's own
//! rates, so what a line says is a function of the events and their times:
//! the tests give the clock and the terminal's size and draw on an
//! in-memory terminal.

use std::cmp::Reverse;
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
    /// The terminal's rows and columns, now.
    size: Box<dyn Fn() -> (usize, usize) + Send + Sync>,
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
    /// The line saying what paces the read, once it is paced, and the pace.
    header: Option<ProgressBar>,
    pace: Option<Pace>,
    rows: Vec<Row>,
    /// The lines on the terminal below the header, and the text last drawn
    /// on each: the rows shown, then the line for the others.
    lines: Vec<(ProgressBar, String)>,
    /// The longest stream name.
    name_width: usize,
    /// The widest count and rate shown so far (columns never narrow, so
    /// they do not jump), and how narrow the lines had to be, at a width.
    count_width: usize,
    rate_width: usize,
    fit: Option<(usize, Fit)>,
    drawn_at: Option<Duration>,
    finished: bool,
}

impl Display {
    /// How long a stream goes without a page before it is held: [`HELD`],
    /// or under a pace, when longer, half as long again as a stream's turn
    /// (the streams being read share the pace, so each waits for the
    /// others' requests between its pages).
    fn hold(&self) -> Duration {
        let Some(pace) = self.pace else {
            return HELD;
        };
        let reading = self.rows.iter().filter(|r| r.rank() == Rank::Reading);
        let turn = 60.0 * reading.count().max(1) as f64 / f64::from(pace.per_minute.max(1));
        HELD.max(Duration::from_secs_f64(1.5 * turn))
    }
}

/// How much a line gives up to fit the terminal, least first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fit {
    Whole,
    NoBar,
    ShortEndings,
    /// One space between columns, not two.
    Tight,
}

/// One stream's line.
struct Row {
    name: &'static str,
    /// A child stream: its parent stream's name.
    parent: Option<&'static str>,
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

    /// `amount` arrived over the last `dt` seconds: it is weighted by its
    /// mean age over that time, so pages further apart than [`SMOOTHING`]
    /// (a stream waiting its turn) still average to what they bring.
    fn arrived(&mut self, amount: f64, dt: f64) {
        let tau = SMOOTHING.as_secs_f64();
        let decay = (-dt / tau).exp();
        let weight = if dt > 0.0 {
            tau * (1.0 - decay) / dt
        } else {
            1.0
        };
        self.pass(dt);
        self.amount += amount * weight;
    }

    /// Per second; `None` until a second's worth of time is in it.
    fn per_sec(&self) -> Option<f64> {
        (self.time >= 1.0).then(|| self.amount / self.time)
    }
}

/// What the rows not shown are, in the order the line for them says.
const KINDS: [&str; 6] = [
    "reading",
    "incomplete",
    "complete",
    "skipped",
    "not started",
    "waiting",
];

/// What a line shows after the stream's name.
enum Cells {
    /// One text: `waiting`, `not started (stopped)`, ...; and its short
    /// form.
    Text(&'static str, &'static str),
    Columns {
        /// How full the bar is; `None`: no bar (nothing to count against).
        bar: Option<f64>,
        count: String,
        rate: String,
        status: Status,
        /// A child stream's records.
        records: Option<String>,
    },
}

/// The last column: how a stream ended, or how it goes.
enum Status {
    Ending(Ending),
    Live(String),
}

impl Status {
    fn text(&self, fit: Fit) -> &str {
        let short = fit >= Fit::ShortEndings;
        match self {
            Status::Live(text) => text,
            Status::Ending(Ending::Complete) => "complete",
            Status::Ending(Ending::Skipped) => "skipped",
            Status::Ending(Ending::Failed) if short => "failed",
            Status::Ending(Ending::Failed) => "INCOMPLETE (failed)",
            Status::Ending(_) if short => "stopped",
            Status::Ending(_) => "INCOMPLETE (stopped)",
        }
    }
}

/// Which rows a small terminal shows first (the least first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Reading,
    Unfinished,
    Finished,
    Waiting,
}

impl Row {
    fn new(stream: Stream) -> Self {
        Row {
            name: stream.name,
            parent: stream.parent.map(|p| p.stream),
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
    fn page(&mut self, now: Duration, records: u64, hold: Duration) {
        // A stream held back counts for at most `hold`: after a long hold
        // the rate is not dragged down to nothing.
        let since = self.last_page.or(self.started).unwrap_or(now);
        let dt = now.saturating_sub(since).min(hold).as_secs_f64();
        self.record_rate.arrived(records as f64, dt);
        self.list_rate.pass(dt);
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

    /// Records a second at `now`: the stream's average over its whole read
    /// once it ended, else the smoothed rate (in its first second, its
    /// average so far); `None` when no time has passed.
    fn rate(&self, started: Duration, now: Duration) -> Option<f64> {
        if self.records == 0 {
            return Some(0.0);
        }
        let average = |until: Duration| {
            let secs = until.saturating_sub(started).as_secs_f64();
            (secs > 0.0).then(|| self.records as f64 / secs)
        };
        match self.ended {
            Some((_, at)) => average(at),
            None => self.record_rate.per_sec().or_else(|| average(now)),
        }
    }

    fn rank(&self) -> Rank {
        match (self.started, self.ended) {
            (Some(_), None) => Rank::Reading,
            (None, _) => Rank::Waiting,
            (_, Some((Ending::Complete | Ending::Skipped, _))) => Rank::Finished,
            (_, Some(_)) => Rank::Unfinished,
        }
    }

    /// The word for this row in the line for the rows not shown (one of
    /// [`KINDS`]).
    fn kind(&self) -> &'static str {
        match (self.started, self.ended) {
            (None, None) => "waiting",
            (None, Some(_)) | (_, Some((Ending::NotStarted, _))) => "not started",
            (Some(_), None) => "reading",
            (_, Some((Ending::Complete, _))) => "complete",
            (_, Some((Ending::Skipped, _))) => "skipped",
            (_, Some(_)) => "incomplete",
        }
    }

    /// What the line shows at `now`: the bar, what the bar counts, records
    /// a second, then the ETA or how the stream ended; for a child stream,
    /// its records last.
    fn cells(&self, now: Duration, hold: Duration) -> Cells {
        let Some(started) = self.started else {
            let text = if self.ended.is_some() {
                "not started (stopped)"
            } else {
                "waiting"
            };
            return Cells::Text(text, text);
        };
        if self.last_page.is_none() {
            let (text, short) = match self.ended {
                None => ("waiting", "waiting"),
                Some((Ending::Complete, _)) => ("complete", "complete"),
                Some((Ending::Skipped, _)) => (
                    "skipped: not available to this business",
                    "skipped: not available to this business",
                ),
                Some((Ending::Failed, _)) => (
                    "INCOMPLETE (failed) before its first page",
                    "failed before its first page",
                ),
                Some(_) => (
                    "INCOMPLETE (stopped) before its first page",
                    "stopped before its first page",
                ),
            };
            return Cells::Text(text, short);
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
        let status = match self.ended {
            Some((how, _)) => Status::Ending(how),
            None => {
                let idle = now.saturating_sub(self.last_page.unwrap_or(now));
                Status::Live(match fraction {
                    _ if idle > hold => format!("no page for {}", duration(idle)),
                    Some((done, of, Some(per_sec))) if per_sec > 0.0 && of >= done => {
                        let left = (of - done) as f64 / per_sec;
                        format!("ETA {}", duration(Duration::from_secs_f64(left)))
                    }
                    _ => String::new(),
                })
            }
        };
        Cells::Columns {
            bar,
            count,
            rate: self
                .rate(started, now)
                .map_or_else(|| "-".to_owned(), per_second),
            status,
            records: self.parent.is_some().then_some(records),
        }
    }
}

/// The widths of a frame's columns, and what its lines give up to fit.
struct Layout {
    name: usize,
    count: usize,
    rate: usize,
    fit: Fit,
}

impl Layout {
    fn line(&self, name: &str, cells: &Cells) -> String {
        let gap = if self.fit == Fit::Tight { " " } else { "  " };
        let mut line = format!("{name:<width$}{gap}", width = self.name);
        match cells {
            Cells::Text(_, short) if self.fit >= Fit::ShortEndings => line.push_str(short),
            Cells::Text(text, _) => line.push_str(text),
            Cells::Columns {
                bar,
                count,
                rate,
                status,
                records,
            } => {
                if self.fit == Fit::Whole {
                    match bar {
                        Some(r) => {
                            let full = ((r * BAR_CELLS as f64).floor() as usize).min(BAR_CELLS);
                            let head = usize::from(full < BAR_CELLS && full > 0);
                            let _ = write!(
                                line,
                                "[{}{}{}]  ",
                                "=".repeat(full - head),
                                ">".repeat(head),
                                " ".repeat(BAR_CELLS - full)
                            );
                        }
                        None => line.push_str(&" ".repeat(BAR_CELLS + 4)),
                    }
                }
                let (count_w, rate_w) = (self.count, self.rate);
                let status = status.text(self.fit);
                let _ = write!(line, "{count:>count_w$}{gap}{rate:>rate_w$}{gap}{status}");
                if let Some(records) = records {
                    let _ = write!(line, "{gap}{records}");
                }
            }
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
    } else if rate < 0.05 {
        "0/s".to_owned()
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

/// `line` cut to `width` characters, with `…` where it was cut.
fn cut(line: String, width: usize) -> String {
    if line.chars().count() <= width {
        return line;
    }
    let mut cut: String = line.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// The rows to show in `lines` lines (indices, in catalog order), and
/// whether a last line is needed for the others.
fn shown(rows: &[Row], lines: usize) -> (Vec<usize>, bool) {
    if rows.len() <= lines {
        return ((0..rows.len()).collect(), false);
    }
    let mut order: Vec<usize> = (0..rows.len()).collect();
    // The streams being read, then the unfinished ones, then the finished
    // ones (each the latest, to the second, first), then the waiting ones;
    // otherwise in catalog order, so that lines do not jump.
    order.sort_by_key(|&i| {
        let r = &rows[i];
        let ended = r.ended.map(|(_, at)| at.as_secs());
        (r.rank(), Reverse(ended), i)
    });
    let mut shown = order[..lines.saturating_sub(1)].to_vec();
    shown.sort_unstable();
    (shown, true)
}

/// `… 9 more: 4 complete, 5 waiting`: the rows not shown.
fn others(rows: &[Row], shown: &[usize]) -> String {
    let mut kinds = KINDS.map(|k| (k, 0));
    for (i, row) in rows.iter().enumerate() {
        if shown.binary_search(&i).is_err() {
            if let Some((_, n)) = kinds.iter_mut().find(|(k, _)| *k == row.kind()) {
                *n += 1;
            }
        }
    }
    let all: usize = kinds.iter().map(|(_, n)| n).sum();
    let parts: Vec<String> = kinds
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    format!("… {all} more: {}", parts.join(", "))
}

fn style() -> ProgressStyle {
    // The whole line is ours, made to fit the terminal's width.
    ProgressStyle::with_template("{wide_msg}").unwrap_or_else(|_| ProgressStyle::default_bar())
}

impl Terminal {
    fn new(
        multi: MultiProgress,
        clock: Clock,
        size: Box<dyn Fn() -> (usize, usize) + Send + Sync>,
    ) -> Self {
        Terminal {
            multi,
            clock,
            size,
            display: Mutex::new(Display::default()),
        }
    }

    /// Lines on stderr, redrawn by a timer too, and the handle to route log
    /// lines around them.
    pub fn stderr() -> (Arc<Self>, MultiProgress) {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(4));
        let size = Box::new(|| {
            let (rows, cols) = console::Term::stderr().size();
            (usize::from(rows), usize::from(cols))
        });
        let terminal = Arc::new(Terminal::new(
            multi.clone(),
            Clock::Real(Instant::now()),
            size,
        ));
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
    fn update(&self, stream: Stream, force: bool, f: impl FnOnce(&mut Row, Duration, Duration)) {
        let now = self.clock.now();
        {
            let mut d = self.lock();
            let i = match d.rows.iter().position(|r| r.name == stream.name) {
                Some(i) => i,
                None => {
                    d.name_width = d.name_width.max(stream.name.len());
                    d.rows.push(Row::new(stream));
                    d.rows.len() - 1
                }
            };
            let hold = d.hold();
            f(&mut d.rows[i], now, hold);
        }
        self.redraw(force);
    }

    /// Draws every line that changed; unless `force`, at most once every
    /// [`REDRAW`].
    fn redraw(&self, force: bool) {
        let now = self.clock.now();
        let (height, width) = (self.size)();
        let mut d = self.lock();
        if !force && d.drawn_at.is_some_and(|at| now.saturating_sub(at) < REDRAW) {
            return;
        }
        d.drawn_at = Some(now);
        // The terminal's last row stays free; the header takes one.
        let room = height
            .saturating_sub(1 + usize::from(d.header.is_some()))
            .max(1);
        let (shown, more) = shown(&d.rows, room);
        let hold = d.hold();
        let cells: Vec<Cells> = shown.iter().map(|&i| d.rows[i].cells(now, hold)).collect();
        for c in &cells {
            if let Cells::Columns { count, rate, .. } = c {
                d.count_width = d.count_width.max(count.chars().count());
                d.rate_width = d.rate_width.max(rate.chars().count());
            }
        }
        let mut layout = Layout {
            name: d.name_width,
            count: d.count_width,
            rate: d.rate_width,
            fit: match d.fit {
                Some((w, fit)) if w == width => fit,
                _ => Fit::Whole,
            },
        };
        let names: Vec<&str> = shown.iter().map(|&i| d.rows[i].name).collect();
        let frame = |layout: &Layout| -> Vec<String> {
            names
                .iter()
                .zip(&cells)
                .map(|(name, c)| layout.line(name, c))
                .collect()
        };
        let mut lines = frame(&layout);
        while layout.fit < Fit::Tight && lines.iter().any(|l| l.chars().count() > width) {
            layout.fit = match layout.fit {
                Fit::Whole => Fit::NoBar,
                Fit::NoBar => Fit::ShortEndings,
                _ => Fit::Tight,
            };
            lines = frame(&layout);
        }
        d.fit = Some((width, layout.fit));
        let mut lines: Vec<String> = lines.into_iter().map(|l| cut(l, width)).collect();
        if more {
            lines.push(cut(others(&d.rows, &shown), width));
        }
        while d.lines.len() < lines.len() {
            let bar = self.multi.add(ProgressBar::no_length());
            bar.set_style(style());
            d.lines.push((bar, String::new()));
        }
        while d.lines.len() > lines.len() {
            if let Some((bar, _)) = d.lines.pop() {
                self.multi.remove(&bar);
            }
        }
        for ((bar, drawn), line) in d.lines.iter_mut().zip(lines) {
            if line != *drawn {
                bar.set_message(line.clone());
                *drawn = line;
            }
        }
    }

    fn start_rows(&self, streams: &[Stream]) {
        let mut d = self.lock();
        for &stream in streams {
            if d.rows.iter().all(|r| r.name != stream.name) {
                d.rows.push(Row::new(stream));
            }
        }
        d.name_width = d.rows.iter().map(|r| r.name.len()).max().unwrap_or(0);
        drop(d);
        self.redraw(true);
    }

    fn show_pace(&self, pace: Pace) {
        {
            let mut d = self.lock();
            let header = d.header.get_or_insert_with(|| {
                let bar = self.multi.insert(0, ProgressBar::no_length());
                bar.set_style(style());
                bar
            });
            header.set_message(format!("paced at {pace}"));
            d.pace = Some(pace);
        }
        // The header takes a line from the streams.
        self.redraw(true);
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
        for (bar, _) in &d.lines {
            bar.finish();
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
        self.update(stream, true, |row, now, _| {
            row.started.get_or_insert(now);
        });
        Ok(())
    }

    fn records(&mut self, stream: Stream, batch: &Batch<'_>) -> Result<(), Error> {
        let n = batch.len() as u64;
        self.update(stream, false, |row, now, hold| row.page(now, n, hold));
        Ok(())
    }

    fn estimate(&mut self, stream: Stream, rows: u64) -> Result<(), Error> {
        self.update(stream, true, |row, _, _| {
            row.estimate = Some(rows.max(row.records));
        });
        Ok(())
    }

    fn parent_lists(&mut self, stream: Stream, lists: ParentLists) -> Result<(), Error> {
        self.update(stream, false, |row, _, _| row.parent_lists(lists));
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
        self.update(stream, true, |row, now, _| {
            row.started.get_or_insert(now);
            row.ended = Some((how, now));
        });
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
    use std::collections::BTreeSet;

    /// A display on an in-memory terminal, at time 0.
    struct Screen {
        term: InMemoryTerm,
        display: Terminal,
    }

    impl Screen {
        /// 16 rows of 110 columns.
        fn new() -> Self {
            Screen::sized(16, 110)
        }

        fn sized(rows: u16, cols: u16) -> Self {
            let term = InMemoryTerm::new(rows, cols);
            let target = ProgressDrawTarget::term_like(Box::new(term.clone()));
            let multi = MultiProgress::with_draw_target(target);
            let clock = Clock::Manual(Mutex::new(Duration::ZERO));
            let sized = term.clone();
            let size = Box::new(move || (usize::from(sized.height()), usize::from(sized.width())));
            Screen {
                term,
                display: Terminal::new(multi, clock, size),
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

    /// Under a test key's pace shared by every stream, a stream's pages
    /// come a turn (about 14 s) apart: its rate is what those pages make
    /// (200 records every 13.8 s: 14/s), and between pages it is not held.
    #[test]
    fn under_a_shared_pace_a_stream_is_not_held_between_its_turns() {
        let screen = Screen::sized(40, 120);
        let all: Vec<Stream> = crate::streams::STREAMS.iter().map(|d| s(d.name)).collect();
        let mut sink = screen.at(0.0);
        sink.read_started(&all).unwrap();
        for &stream in &all {
            sink.stream_started(stream).unwrap();
        }
        let pace = Pace {
            per_minute: 100,
            source: Source::TestKey,
        };
        sink.paced(pace).unwrap();
        screen.at(0.5).estimate(s("customers"), 20_000).unwrap();
        for turn in 1..=8 {
            records(screen.at(13.8 * f64::from(turn)), "customers", 200);
        }
        let line = |screen: &Screen| {
            let shown = screen.shows();
            let line = shown.lines().find(|l| l.starts_with("customers"));
            line.unwrap().to_owned()
        };
        screen.at(13.8 * 8.0 + 10.0);
        let between = line(&screen);
        assert!(between.contains(" 14/s "), "{between}");
        assert!(between.contains("ETA 2"), "{between}");
        screen.at(13.8 * 8.0 + 40.0);
        let held = line(&screen);
        assert!(held.contains("no page for 40s"), "{held}");
    }

    #[test]
    fn numbers_and_durations_read_well() {
        assert_eq!(per_second(2.54), "2.5/s");
        assert_eq!(per_second(0.0), "0/s");
        assert_eq!(per_second(1234.4), "1,234/s");
        let d = |s| duration(Duration::from_secs(s));
        assert_eq!(
            [d(45), d(200), d(3720), d(2 * 86400 + 3 * 3600)],
            ["45s", "3m20s", "1h02m", "2d03h"]
        );
    }
    /// A read of every stream with a pace, at `t` seconds a mid-read frame
    /// and after a stop the last frame: streams complete in under a second
    /// (one with no records), one skipped, one failed, several reading (a
    /// child stream with large counts, one held), the rest waiting.
    fn every_stream_story(screen: &Screen) -> (String, String) {
        let all: Vec<Stream> = crate::streams::STREAMS.iter().map(|d| s(d.name)).collect();
        let mut sink = screen.at(0.0);
        sink.read_started(&all).unwrap();
        let pace = Pace {
            per_minute: 6000,
            source: Source::Config,
        };
        // Quick streams: started, one page, complete within a second.
        let quick = [
            ("disputes", 0),
            ("refunds", 37),
            ("plans", 12),
            ("products", 150),
            ("payment_pages", 3),
            ("subaccounts", 0),
        ];
        for (i, (name, n)) in quick.iter().enumerate() {
            let at = 0.1 * i as f64;
            screen.at(at).stream_started(s(name)).unwrap();
            records(screen.at(at + 0.3), name, *n);
            screen
                .at(at + 0.4)
                .stream_finished(s(name), Finished::Complete)
                .unwrap();
        }
        screen.at(1.0).paced(pace).unwrap();
        screen
            .at(0.2)
            .stream_started(s("virtual_terminals"))
            .unwrap();
        screen
            .at(0.5)
            .stream_finished(s("virtual_terminals"), Finished::Skipped)
            .unwrap();
        for name in [
            "customers",
            "invoices",
            "transactions",
            "transfers",
            "settlement_transactions",
            "terminals",
        ] {
            screen.at(0.1).stream_started(s(name)).unwrap();
        }
        screen.at(0.5).estimate(s("customers"), 120_000).unwrap();
        screen
            .at(0.5)
            .estimate(s("transactions"), 1_234_567)
            .unwrap();
        screen.at(0.5).estimate(s("invoices"), 9_000).unwrap();
        let mut sink = screen.at(0.5);
        sink.parent_lists(
            s("settlement_transactions"),
            ParentLists { read: 0, of: 5_678 },
        )
        .unwrap();
        pages(screen, "customers", 200, 0.6, 30.0);
        pages(screen, "transactions", 200, 0.9, 30.0);
        pages(screen, "invoices", 200, 0.7, 18.0);
        pages(screen, "transfers", 50, 1.0, 29.5);
        let mut read = 0;
        let mut at = 0.8;
        while at <= 29.9 {
            records(screen.at(at), "settlement_transactions", 100);
            read += 25;
            screen
                .at(at)
                .parent_lists(
                    s("settlement_transactions"),
                    ParentLists { read, of: 5_678 },
                )
                .unwrap();
            at += 0.6;
        }
        records(screen.at(2.0), "terminals", 20);
        screen
            .at(3.0)
            .stream_finished(
                s("terminals"),
                Finished::Failed(&Error::Internal("test".into())),
            )
            .unwrap();
        screen.at(4.0).stream_started(s("settlements")).unwrap();
        pages(screen, "settlements", 100, 4.5, 9.0);
        screen
            .at(9.0)
            .stream_finished(s("settlements"), Finished::Complete)
            .unwrap();
        screen.at(25.0).stream_started(s("orders")).unwrap();
        screen.at(30.0);
        let mid = screen.shows();
        let mut sink = screen.at(31.0);
        for name in [
            "customers",
            "invoices",
            "transactions",
            "transfers",
            "orders",
        ] {
            sink.stream_finished(s(name), Finished::Stopped).unwrap();
        }
        sink.stream_finished(s("settlement_transactions"), Finished::Stopped)
            .unwrap();
        sink.read_finished(&ReadSummary::default()).unwrap();
        (mid, screen.shows())
    }

    /// The same read at the common terminal sizes: every line fits, the
    /// streams being read are shown (with a line for the others when they
    /// do not all fit), and the columns line up.
    #[test]
    fn every_stream_at_common_sizes() {
        for (rows, cols) in [(15, 80), (24, 80), (40, 120)] {
            let screen = Screen::sized(rows, cols);
            let (mid, end) = every_stream_story(&screen);
            let size = format!("{cols}x{rows}");
            insta::assert_snapshot!(format!("{size}_reading"), mid);
            insta::assert_snapshot!(format!("{size}_stopped"), end);
            for frame in [&mid, &end] {
                let lines: Vec<&str> = frame.lines().collect();
                assert!(lines.len() < usize::from(rows), "{size}:\n{frame}");
                for line in &lines {
                    assert!(line.chars().count() <= usize::from(cols), "{line}");
                    assert!(!line.ends_with('…'), "cut: {line}");
                }
                let rate_ends: BTreeSet<usize> = lines
                    .iter()
                    .filter_map(|l| l.find("/s").map(|i| i + 2))
                    .collect();
                assert_eq!(rate_ends.len(), 1, "rates line up ({size}):\n{frame}");
            }
            for name in ["customers", "transactions", "settlement_transactions"] {
                assert!(mid.contains(name), "{name} is being read ({size}):\n{mid}");
            }
            let child = mid
                .lines()
                .find(|l| l.starts_with("settlement_transactions"))
                .unwrap();
            assert!(child.contains("1,225/5,678 settlements"), "{child}");
            assert!(child.ends_with("4,900 records"), "{child}");
            let refunds = end.lines().find(|l| l.starts_with("refunds"));
            if let Some(line) = refunds {
                assert!(line.contains("93/s") && line.contains("complete"), "{line}");
            }
            if usize::from(rows) < crate::streams::STREAMS.len() + 2 {
                let more = mid.lines().last().unwrap();
                assert!(more.starts_with("… ") && more.contains(" more: "), "{more}");
            }
        }
    }
}
