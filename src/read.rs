//! `read`: every selected stream through one generic paginated reader.
//!
//! One task (this one) owns the output and all bookkeeping. Page requests run
//! as spawned tasks, at most `concurrency` at a time across all streams, all
//! through the client's one rate limiter; their pages come back here, where
//! records are written straight from the response bodies and
//! [`StreamProgress`] decides when a state may be emitted. With
//! `concurrency = 1` this is a plain sequential reader.
//!
//! Streams are served in catalog order: a stream's requests go out as soon as
//! they are known, and the next stream starts when the earlier ones cannot use
//! the free request slots. A stream that fails ends INCOMPLETE with an ERROR
//! trace naming it, and the others go on; a rejected key ends them all.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::catalog::Selected;
use crate::client::{Client, Fields, ListQuery, Notice, Page};
use crate::config::Config;
use crate::emit::{Emitter, now_millis};
use crate::error::{Error, FailureType};
use crate::progress::Progress;
use crate::protocol::{
    AirbyteMessage, AirbyteStateMessage, AirbyteStateStats, AirbyteStateType, AirbyteStreamState,
    AirbyteStreamStatus, StreamDescriptor, SyncMode,
};
use crate::slice::{ChildPlan, PageRequest, Plan, StateUpdate, StreamProgress, Tuning, window};
use crate::state::{InputState, format_cursor};
use crate::stop::{Signals, Stop};
use crate::streams::{Mode, StreamDef};

/// How a read runs.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions {
    pub tuning: Tuning,
    /// Requests in flight at once, across all streams.
    pub concurrency: usize,
    /// The end of every stream's window.
    pub sync_started: DateTime<Utc>,
}

/// How the read went.
#[derive(Debug, Default)]
pub struct ReadSummary {
    pub records: u64,
    /// Streams that did not complete, with why.
    pub failed: Vec<(&'static str, Error)>,
    /// The signal that stopped the read before the end, if one did.
    pub stopped: Option<Stop>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Waiting,
    Active,
    Done,
}

struct Run {
    sel: Selected,
    phase: Phase,
    progress: Option<StreamProgress>,
    running_sent: bool,
    records: u64,
    /// The cursor of the last STATE emitted (`None`: none yet, or none carries one).
    last_state: Option<String>,
}

type Fetched = (usize, PageRequest, Result<Page, Error>);

struct Reader<'a, W: Write> {
    client: Arc<Client>,
    config: &'a Config,
    state: &'a InputState,
    opts: ReadOptions,
    progress: &'a dyn Progress,
    out: &'a mut Emitter<W>,
    runs: Vec<Run>,
    tasks: JoinSet<Fetched>,
    task_stream: HashMap<tokio::task::Id, usize>,
    notices: mpsc::UnboundedSender<(usize, Notice)>,
    summary: ReadSummary,
    /// Whether the key works (`None`: not known yet).
    key_works: Option<bool>,
}

/// Reads `selected` streams and writes their messages to `out`. With
/// `signals`, a SIGINT or SIGTERM stops the read early (see [`crate::stop`]).
///
/// # Errors
/// Only output failures end the read early; stream failures are reported in
/// the summary (and as traces) while the other streams go on.
#[allow(clippy::too_many_arguments)]
pub async fn read<W: Write>(
    client: Arc<Client>,
    config: &Config,
    selected: &[Selected],
    state: &InputState,
    opts: ReadOptions,
    progress: &dyn Progress,
    mut signals: Option<Signals>,
    out: &mut Emitter<W>,
) -> Result<ReadSummary, Error> {
    let (notices, mut notice_rx) = mpsc::unbounded_channel();
    let mut reader = Reader {
        client,
        config,
        state,
        opts,
        progress,
        out,
        runs: selected
            .iter()
            .map(|&sel| Run {
                sel,
                phase: Phase::Waiting,
                progress: None,
                running_sent: false,
                records: 0,
                last_state: None,
            })
            .collect(),
        tasks: JoinSet::new(),
        task_stream: HashMap::new(),
        notices,
        summary: ReadSummary::default(),
        key_works: None,
    };
    loop {
        reader.fill()?;
        if reader.tasks.is_empty() {
            // fill() starts every stream and completes those with nothing
            // left to fetch, so every stream should be done by now.
            for i in 0..reader.runs.len() {
                if reader.runs[i].phase != Phase::Done {
                    let e = Error::Internal("a stream stopped with pages left to read".into());
                    reader.fail(i, e)?;
                }
            }
            break;
        }
        tokio::select! {
            biased;
            stop = next_stop(&mut signals) => {
                reader.stop(stop)?;
                break;
            }
            Some((stream, notice)) = notice_rx.recv() => reader.on_notice(stream, notice)?,
            Some(joined) = reader.tasks.join_next_with_id() => match joined {
                Ok((id, (stream, req, result))) => {
                    reader.task_stream.remove(&id);
                    reader.on_fetched(stream, req, result).await?;
                }
                Err(e) => {
                    let stream = reader.task_stream.remove(&e.id()).unwrap_or(0);
                    let error = Error::Internal(format!("a request task failed: {e}"));
                    reader.fail(stream, error)?;
                }
            },
        }
    }
    reader.finish_summary()?;
    Ok(reader.summary)
}

/// The next SIGINT or SIGTERM; never, without handlers.
async fn next_stop(signals: &mut Option<Signals>) -> Stop {
    match signals {
        Some(signals) => signals.recv().await,
        None => std::future::pending().await,
    }
}

impl<W: Write> Reader<'_, W> {
    /// Starts requests until the pool is full or nothing can be started.
    fn fill(&mut self) -> Result<(), Error> {
        'pool: while self.tasks.len() < self.opts.concurrency.max(1) {
            for i in 0..self.runs.len() {
                match self.runs[i].phase {
                    Phase::Done => continue,
                    Phase::Waiting => {
                        self.start(i)?;
                        if self.runs[i].phase == Phase::Done {
                            continue;
                        }
                    }
                    Phase::Active => {}
                }
                let progress = self.runs[i]
                    .progress
                    .as_mut()
                    .expect("active streams have progress");
                if let Some(req) = progress.next_request() {
                    self.spawn(i, req);
                    continue 'pool;
                }
                if progress.is_done() {
                    self.complete(i)?;
                }
            }
            break;
        }
        Ok(())
    }

    fn start(&mut self, i: usize) -> Result<(), Error> {
        let run = &mut self.runs[i];
        let def = run.sel.def;
        self.out
            .stream_status(def.name, AirbyteStreamStatus::Started)?;
        self.progress.stream_started(def.name);
        let saved = self.state.cursor(def.name);
        let plan = plan(
            def,
            run.sel.mode,
            saved,
            self.config,
            self.opts.sync_started,
        );
        match (plan.filtered, plan.window) {
            (true, Some(w)) => tracing::info!(
                stream = def.name,
                mode = ?run.sel.mode,
                from = %format_cursor(w.from),
                to = %format_cursor(w.to),
                "Reading stream."
            ),
            (true, None) => tracing::info!(
                stream = def.name,
                "Nothing to read: the saved cursor is at or past the end of the window."
            ),
            (false, _) => tracing::info!(stream = def.name, "Reading stream (full refresh)."),
        }
        run.progress = Some(StreamProgress::new(
            plan,
            saved,
            self.config.start_date,
            self.opts.tuning,
        ));
        run.phase = Phase::Active;
        if run.progress.as_ref().is_some_and(StreamProgress::is_done) {
            self.complete(i)?;
        }
        Ok(())
    }

    fn spawn(&mut self, i: usize, req: PageRequest) {
        let client = Arc::clone(&self.client);
        let notices = self.notices.clone();
        let def = self.runs[i].sel.def;
        let handle = self.tasks.spawn(async move {
            let notify = move |n: Notice| {
                let _ = notices.send((i, n));
            };
            let (path, fields) = match &req.path {
                // A child list: its records are emitted whole; nothing to read.
                Some(child) => (child.as_str(), Fields::default()),
                None => (def.path, fields_of(def)),
            };
            let result = client.list(path, fields, &req.query, &notify).await;
            (i, req, result)
        });
        self.task_stream.insert(handle.id(), i);
    }

    fn on_notice(&mut self, i: usize, notice: Notice) -> Result<(), Error> {
        if self.runs[i].phase != Phase::Active {
            return Ok(());
        }
        match notice {
            Notice::RateLimited { resume_at_ms } => self
                .out
                .rate_limited(self.runs[i].sel.def.name, Some(resume_at_ms)),
        }
    }

    async fn on_fetched(
        &mut self,
        i: usize,
        req: PageRequest,
        result: Result<Page, Error>,
    ) -> Result<(), Error> {
        if self.runs[i].phase != Phase::Active {
            return Ok(()); // a late answer for a stream that already failed
        }
        let page = match result {
            Ok(page) => page,
            Err(e) if e.is_bad_key() => {
                let e = self.confirm_bad_key(e).await;
                return self.fail(i, e);
            }
            Err(e) => return self.fail(i, e),
        };
        let run = &mut self.runs[i];
        let name = run.sel.def.name;
        if !run.running_sent {
            run.running_sent = true;
            self.out.stream_status(name, AirbyteStreamStatus::Running)?;
        }
        let progress = run.progress.as_mut().expect("active streams have progress");
        let emitted_at = now_millis();
        let out = &mut *self.out;
        let outcome = progress.on_page(&req, &page, |tag, r| {
            out.record_tagged(name, tag, page.bytes(r), emitted_at)
        });
        let outcome = match outcome {
            Ok(o) => o,
            Err(e @ Error::Io(_)) => return Err(e),
            Err(e) => return self.fail(i, e),
        };
        run.records += outcome.emitted;
        self.summary.records += outcome.emitted;
        self.progress.records(name, outcome.emitted);
        if let Some(rows) = outcome.estimate {
            self.out.estimate(name, rows)?;
            self.progress.estimate(name, rows);
        }
        while let Some(update) = progress.take_state() {
            if let Some(cursor) = write_state(self.out, run.sel.def, update)? {
                run.last_state = Some(cursor);
            }
        }
        if progress.is_done() {
            self.complete(i)?;
        }
        Ok(())
    }

    /// A 401 on one endpoint may mean a bad key, or a feature this key's
    /// business does not have. Asking `/transaction`, which every merchant
    /// can list, tells them apart (once per run).
    async fn confirm_bad_key(&mut self, error: Error) -> Error {
        let key_works = match self.key_works {
            Some(known) => known,
            None => {
                let probe = self
                    .client
                    .list(
                        "/transaction",
                        Fields::default(),
                        &ListQuery::page(1, 1),
                        &|_| {},
                    )
                    .await;
                // Only another 401 proves the key wrong.
                let works = !matches!(&probe, Err(e) if e.is_bad_key());
                self.key_works = Some(works);
                works
            }
        };
        if key_works {
            error.unavailable()
        } else {
            error
        }
    }

    /// A stream read everything: final state, then COMPLETE.
    fn complete(&mut self, i: usize) -> Result<(), Error> {
        let run = &mut self.runs[i];
        let progress = run
            .progress
            .as_mut()
            .expect("started streams have progress");
        if let Some(update) = progress.final_state() {
            write_state(self.out, run.sel.def, update)?;
        }
        run.phase = Phase::Done;
        self.progress.stream_finished(run.sel.def.name, true);
        tracing::info!(
            stream = run.sel.def.name,
            records = run.records,
            "Stream complete."
        );
        self.out
            .stream_status(run.sel.def.name, AirbyteStreamStatus::Complete)
    }

    /// A stream failed: ERROR trace naming it, then INCOMPLETE. A rejected
    /// key fails every stream that has not finished.
    fn fail(&mut self, i: usize, error: Error) -> Result<(), Error> {
        if error.is_broken_pipe() {
            return Err(error);
        }
        let name = self.runs[i].sel.def.name;
        tracing::error!(stream = name, error = %error, "Stream failed.");
        self.out.error(&error, Some(name))?;
        self.out
            .stream_status(name, AirbyteStreamStatus::Incomplete)?;
        self.progress.stream_finished(name, false);
        self.runs[i].phase = Phase::Done;
        let bad_key = error.is_bad_key();
        self.summary.failed.push((name, error));
        if bad_key {
            for j in 0..self.runs.len() {
                let run = &mut self.runs[j];
                if run.phase == Phase::Done {
                    continue;
                }
                if run.phase == Phase::Waiting {
                    self.out
                        .stream_status(run.sel.def.name, AirbyteStreamStatus::Started)?;
                }
                self.out
                    .stream_status(run.sel.def.name, AirbyteStreamStatus::Incomplete)?;
                self.progress.stream_finished(run.sel.def.name, false);
                run.phase = Phase::Done;
                self.summary.failed.push((
                    run.sel.def.name,
                    Error::config("not read because Paystack rejected the secret key"),
                ));
            }
            self.tasks.abort_all();
        }
        Ok(())
    }

    /// A signal asked the read to stop: no more requests; the streams that
    /// did not finish end INCOMPLETE (their states so far are all out), and
    /// one line says how far each got.
    fn stop(&mut self, stop: Stop) -> Result<(), Error> {
        self.tasks.abort_all();
        let (mut unfinished, mut not_started) = (Vec::new(), Vec::new());
        for run in &mut self.runs {
            let name = run.sel.def.name;
            match run.phase {
                Phase::Done => continue,
                Phase::Waiting => not_started.push(name),
                Phase::Active => {
                    unfinished.push(match &run.last_state {
                        Some(cursor) => {
                            format!("{name} ({} records, state at {cursor})", run.records)
                        }
                        None => format!("{name} ({} records, no state yet)", run.records),
                    });
                    self.out
                        .stream_status(name, AirbyteStreamStatus::Incomplete)?;
                    self.progress.stream_finished(name, false);
                }
            }
            run.phase = Phase::Done;
        }
        self.summary.stopped = Some(stop);
        let mut left = Vec::new();
        if !unfinished.is_empty() {
            left.push(format!("unfinished: {}", unfinished.join(", ")));
        }
        if !not_started.is_empty() {
            left.push(format!("not started: {}", not_started.join(", ")));
        }
        if left.is_empty() {
            left.push("every stream had finished".to_owned());
        }
        tracing::warn!(
            "Stopped by {} before the read finished; {}. Every STATE written so far is valid: \
             read again with the last STATE of each stream as --state to resume there (Airbyte \
             does this by itself).",
            stop.name(),
            left.join("; ")
        );
        Ok(())
    }

    /// One closing ERROR trace when any stream failed.
    fn finish_summary(&mut self) -> Result<(), Error> {
        let failed = &self.summary.failed;
        if failed.is_empty() {
            return Ok(());
        }
        let kinds: Vec<FailureType> = failed.iter().map(|(_, e)| e.failure_type()).collect();
        let failure_type = if kinds.iter().all(|k| *k == FailureType::ConfigError) {
            FailureType::ConfigError
        } else if kinds.iter().all(|k| *k != FailureType::SystemError) {
            FailureType::TransientError
        } else {
            FailureType::SystemError
        };
        let list = failed
            .iter()
            .map(|(name, e)| format!("{name}: {e}"))
            .collect::<Vec<_>>()
            .join(" | ");
        let message = format!(
            "{} of {} streams did not complete. Records and states emitted before the failure are \
             valid; fix the cause and run the sync again to continue from the last state. {list}",
            failed.len(),
            self.runs.len()
        );
        self.out.error_message(message, failure_type, None)
    }
}

/// Writes a STATE message; returns the cursor it carries, formatted.
fn write_state<W: Write>(
    out: &mut Emitter<W>,
    def: &StreamDef,
    update: StateUpdate,
) -> Result<Option<String>, Error> {
    let mut blob = serde_json::Map::new();
    let mut written = None;
    if let (Some(field), Some(cursor)) = (def.cursor_field(), update.cursor) {
        let cursor = format_cursor(cursor);
        blob.insert(field.to_owned(), serde_json::Value::String(cursor.clone()));
        written = Some(cursor);
    }
    out.message(&AirbyteMessage::State {
        state: AirbyteStateMessage {
            kind: AirbyteStateType::Stream,
            stream: AirbyteStreamState {
                stream_descriptor: StreamDescriptor::named(def.name),
                stream_state: serde_json::Value::Object(blob),
            },
            source_stats: AirbyteStateStats {
                record_count: update.record_count as f64,
            },
        },
    })?;
    Ok(written)
}

/// The fields read from the records a stream lists.
fn fields_of(def: &'static StreamDef) -> Fields<'static> {
    let listed = def.listed();
    Fields {
        cursor: listed.cursor_field(),
        cursor_alias: listed.cursor_alias,
        key: def.parent.map(|p| p.key),
    }
}

/// How a stream is read in this sync.
fn plan(
    def: &'static StreamDef,
    mode: SyncMode,
    saved: Option<DateTime<Utc>>,
    config: &Config,
    sync_started: DateTime<Utc>,
) -> Plan {
    let w = window(
        mode,
        config.start_date,
        config.end_date,
        saved,
        config.lookback_window_days,
        sync_started,
    );
    let split = matches!(def.mode, Mode::Incremental { split: true, .. });
    Plan {
        path: def.path,
        window: w,
        filtered: def.cursor_field().is_some(),
        split,
        paging: def.paging,
        children: def.parent.map(|p| ChildPlan {
            path: p.path,
            key_tag: p.key_tag,
            cursor_tag: p.cursor_tag,
        }),
    }
}
