//! Progress for people at a terminal: one live line per stream on stderr
//! (records, rate, estimated completion), drawn from the events of the read
//! (a [`Sink`] beside the Airbyte writer). Inside Airbyte, where stderr is
//! not a terminal, there is no display: ESTIMATE and STREAM_STATUS messages
//! carry progress there.

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::Mutex;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::error::Error;
use crate::sink::{Batch, Finished, Sink, Stream};

/// Live bars on stderr.
#[derive(Debug)]
pub struct Terminal {
    multi: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
}

const COUNTING: &str = "{prefix:<14} {spinner} {human_pos:>9} records  {rate:>10}  {msg}";
const BAR: &str =
    "{prefix:<14} [{bar:28}] {human_pos:>9}/{human_len:<9} {rate:>10}  ETA {eta:<4} {msg}";

impl Terminal {
    /// Bars drawn on `multi` (see [`Terminal::stderr`]).
    pub fn new(multi: MultiProgress) -> Self {
        Terminal {
            multi,
            bars: Mutex::new(HashMap::new()),
        }
    }

    /// Bars on stderr, and the handle to route log lines around them.
    pub fn stderr() -> (Self, MultiProgress) {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(4));
        (Terminal::new(multi.clone()), multi)
    }

    fn bar(&self, stream: &str) -> Option<ProgressBar> {
        self.bars
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(stream)
            .cloned()
    }

    /// The records counted for a stream so far (tests).
    pub fn position(&self, stream: &str) -> Option<(u64, Option<u64>)> {
        self.bar(stream).map(|b| (b.position(), b.length()))
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key(
            "rate",
            |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0}/s", state.per_sec());
            },
        )
        .progress_chars("=> ")
}

impl Terminal {
    fn stream_started(&self, stream: &str) {
        let bar = self.multi.add(ProgressBar::no_length());
        bar.set_style(style(COUNTING));
        bar.set_prefix(stream.to_owned());
        bar.set_message("reading");
        bar.enable_steady_tick(std::time::Duration::from_millis(250));
        self.bars
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(stream.to_owned(), bar);
    }

    fn estimate(&self, stream: &str, rows: u64) {
        if let Some(bar) = self.bar(stream) {
            bar.set_length(rows.max(bar.position()));
            bar.set_style(style(BAR));
        }
    }

    fn records(&self, stream: &str, count: u64) {
        if let Some(bar) = self.bar(stream) {
            bar.inc(count);
            if bar.length().is_some_and(|l| bar.position() > l) {
                bar.set_length(bar.position());
            }
        }
    }

    fn stream_finished(&self, stream: &str, complete: bool) {
        if let Some(bar) = self.bar(stream) {
            if let Some(len) = bar.length() {
                if complete && len < bar.position() {
                    bar.set_length(bar.position());
                }
            }
            bar.finish_with_message(if complete { "complete" } else { "INCOMPLETE" });
        }
    }
}

/// The display follows the read's events.
impl Sink for &Terminal {
    fn stream_started(&mut self, stream: Stream) -> Result<(), Error> {
        Terminal::stream_started(self, stream.name);
        Ok(())
    }

    fn records(&mut self, stream: Stream, batch: &Batch<'_>) -> Result<(), Error> {
        Terminal::records(self, stream.name, batch.len() as u64);
        Ok(())
    }

    fn estimate(&mut self, stream: Stream, rows: u64) -> Result<(), Error> {
        Terminal::estimate(self, stream.name, rows);
        Ok(())
    }

    fn stream_finished(&mut self, stream: Stream, how: Finished<'_>) -> Result<(), Error> {
        let complete = matches!(how, Finished::Complete);
        Terminal::stream_finished(self, stream.name, complete);
        Ok(())
    }
}

/// A log writer that lifts the progress bars out of the way of each line.
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

    #[test]
    fn bars_count_records_against_the_estimate() {
        let t = Terminal::new(MultiProgress::with_draw_target(ProgressDrawTarget::hidden()));
        t.stream_started("customers");
        assert_eq!(t.position("customers"), Some((0, None)));
        t.estimate("customers", 1000);
        t.records("customers", 200);
        t.records("customers", 300);
        assert_eq!(t.position("customers"), Some((500, Some(1000))));
        // More records than estimated (lookback, ties): the bar grows.
        t.records("customers", 700);
        assert_eq!(t.position("customers"), Some((1200, Some(1200))));
        t.stream_finished("customers", true);
        // Unknown streams are ignored.
        t.records("nope", 1);
        assert_eq!(t.position("nope"), None);
    }
}
