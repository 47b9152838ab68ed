//! `read`: every selected stream through one generic paginated reader.
//!
//! One task (this one) owns all bookkeeping and reports what happens as
//! events on one [`Sink`] (the Airbyte writer, and a terminal display beside
//! it): it never writes output itself. Page requests run as spawned tasks,
//! at most `concurrency` at a time across all streams, all through the
//! client's one rate limiter; their pages come back here, where
//! [`StreamProgress`] says which records to emit (they go to the sink
//! straight from the response bodies) and when a state may be emitted. With
//! `concurrency = 1` requests go one at a time (the streams still take
//! turns).
//!
//! # Sharing the requests
//! Streams take turns: each free request slot goes to the next stream, in
//! catalog order and round again, that has a request to make, first among
//! the streams with no request in flight (a stream starts at its first
//! turn). So under a pace every selected stream moves, each at its share of
//! the rate, rather than the first one taking every slot while the others
//! wait; and while many streams share the pool, each reads its slices one
//! page after another, oldest first, so its first slice (and state) comes
//! early. The rate limiter then sends the requests in the order they were
//! made.
//!
//! Under a pace, slices are also cut smaller, so that each stream reaches a
//! state about every [`CHECKPOINT_EVERY`] at its share of the rate: with a
//! test key's 100 requests a minute shared by 8 streams, slices of about 6
//! pages instead of 25 (see [`paced_tuning`]). A stop then loses at most
//! about that much of each stream's work. A pace fast enough keeps the
//! tuning as it is.
//!
//! A stream that fails ends INCOMPLETE with an ERROR
//! trace naming it, and the others go on; a rejected key ends them all.
//!
//! # A business without a feature
//! Some endpoints answer only when the business has their feature (Terminal,
//! dedicated virtual accounts, Commerce), and refuse otherwise: HTTP 400,
//! 401, 403 or 404 (see [`Error::refusal`]). A stream whose *first* request
//! (the plain list, no page or cursor beyond the first) is refused while the
//! key works elsewhere is skipped, as Airbyte's CDK skips an unavailable
//! stream: one WARN naming it, Paystack's answer and what enables it; no
//! records; no STATE, so the state saved for it stays as it was (Airbyte
//! keeps each stream's last state); status COMPLETE. A refusal later in a
//! list is a failure of that stream like any other (a 400 there is a bad
//! query, and a child list answering 404 is a parent gone).
//!
//! The key works when any answer of this read was a page. Until one is, a
//! refused stream is held: a 401 asks a probe at once (see
//! [`Client::probe_key`]), and when nothing else is left to read the probe
//! decides for every held stream. A probe refused too means the key is
//! rejected: one config_error for the whole read.
//!
//! Each page's outcome also says when it completed a list and how that list
//! checked out against Paystack's count (`crate::completeness`), and the
//! client says when a request is retried: both go to the sink as events,
//! where `crate::accounting` counts them per stream. When the rate limit is
//! what holds requests back, the client says so too (once for each pace):
//! one INFO line says the limit, where it comes from and how to change it,
//! and the sink hears it (the terminal display shows it).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::catalog::Selected;
use crate::client::{Client, Notice};
use crate::config::Config;
use crate::error::Error;
use crate::page::Page;
use crate::protocol::SyncMode;
use crate::ratelimit::Pace;
use crate::sink::{Batch, Finished, ParentLists, ReadSummary, Sink, Stream};
use crate::slice::{PageRequest, StreamProgress, Tuning};
use crate::state::InputState;
use crate::stop::{Signals, Stop};
use crate::sweep;
use crate::time::{format_cursor, now_millis};
use crate::window::window;

/// Under a pace, each stream should reach a state about this often.
pub const CHECKPOINT_EVERY: Duration = Duration::from_secs(30);

/// Slices are never cut below this many pages for the sake of a checkpoint
/// (each slice's last page is part-full: small slices cost requests).
const MIN_SLICE_PAGES: u32 = 6;

/// The tuning of a read at `pace` shared by `streams` streams: at most as
/// many pages to a slice as one stream's share of the pace fetches in
/// [`CHECKPOINT_EVERY`] (a dense slice is cut into slices of about half its
/// `max_pages_per_slice`, so that is twice those pages), never below
/// [`MIN_SLICE_PAGES`], never above the given tuning.
pub fn paced_tuning(tuning: Tuning, pace: Option<Pace>, streams: usize) -> Tuning {
    let Some(pace) = pace else { return tuning };
    let per_stream = f64::from(pace.per_minute) / streams.max(1) as f64;
    let pages = per_stream * CHECKPOINT_EVERY.as_secs_f64() / 60.0;
    let max = ((2.0 * pages) as u32).max(MIN_SLICE_PAGES);
    Tuning {
        max_pages_per_slice: tuning.max_pages_per_slice.min(max),
        ..tuning
    }
}

/// How a read runs.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions {
    pub tuning: Tuning,
    /// Requests in flight at once, across all streams.
    pub concurrency: usize,
    /// The end of every stream's window.
    pub sync_started: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Waiting,
    Active,
    /// Its first request was refused; skipped once the key is known to
    /// work (see the module docs).
    Held,
    Done,
}

struct Run {
    sel: Selected,
    phase: Phase,
    progress: Option<StreamProgress>,
    running_sent: bool,
    /// Its requests in flight.
    in_flight: usize,
    records: u64,
    /// The cursor of the last STATE emitted (`None`: none yet, or none carries one).
    last_state: Option<String>,
    /// A child stream: its progress through its parents' lists, as last told.
    parent_lists: Option<ParentLists>,
    /// The refusal of its first request, while held.
    refused: Option<Error>,
}

type Fetched = (usize, PageRequest, Result<Page, Error>);

struct Reader<'a> {
    client: Arc<Client>,
    config: &'a Config,
    state: &'a InputState,
    opts: ReadOptions,
    sink: &'a mut dyn Sink,
    runs: Vec<Run>,
    tasks: JoinSet<Fetched>,
    task_stream: HashMap<tokio::task::Id, usize>,
    notices: mpsc::UnboundedSender<(usize, Notice)>,
    summary: ReadSummary,
    /// A page of this read arrived, or the probe was answered: the key works.
    key_works: bool,
    /// The stream whose turn it is to start a request.
    turn: usize,
}

/// Reads `selected` streams, reporting to `sink`. With `signals`, a SIGINT
/// or SIGTERM stops the read early (see [`crate::stop`]).
///
/// # Errors
/// Only a failure of the sink (a closed stdout) ends the read early; stream
/// failures are reported to the sink and in the summary while the other
/// streams go on.
pub async fn read(
    client: Arc<Client>,
    config: &Config,
    selected: &[Selected],
    state: &InputState,
    opts: ReadOptions,
    mut signals: Option<Signals>,
    sink: &mut dyn Sink,
) -> Result<ReadSummary, Error> {
    let (notices, mut notice_rx) = mpsc::unbounded_channel();
    let opts = ReadOptions {
        tuning: paced_tuning(opts.tuning, client.pace(), selected.len()),
        ..opts
    };
    let mut reader = Reader {
        client,
        config,
        state,
        opts,
        sink,
        runs: selected
            .iter()
            .map(|&sel| Run {
                sel,
                phase: Phase::Waiting,
                progress: None,
                running_sent: false,
                in_flight: 0,
                records: 0,
                last_state: None,
                parent_lists: None,
                refused: None,
            })
            .collect(),
        tasks: JoinSet::new(),
        task_stream: HashMap::new(),
        notices,
        summary: ReadSummary {
            streams: selected.len(),
            ..ReadSummary::default()
        },
        key_works: false,
        turn: 0,
    };
    let streams: Vec<Stream> = selected.iter().map(|s| s.def).collect();
    reader.sink.read_started(&streams)?;
    loop {
        reader.fill()?;
        if reader.tasks.is_empty() && reader.settle_held().await? {
            continue;
        }
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
        // Every event that moves the read on is a branch here.
        tokio::select! {
            biased;
            stop = next_stop(&mut signals) => {
                reader.stop(stop)?;
                break;
            }
            Some((stream, notice)) = notice_rx.recv() => reader.on_notice(stream, notice)?,
            Some(joined) = reader.tasks.join_next_with_id() => match joined {
                Ok((id, (stream, req, result))) => {
                    reader.landed(id);
                    reader.on_fetched(stream, req, result).await?;
                }
                Err(e) => {
                    let stream = reader.landed(e.id());
                    // A request dropped because its stream had ended (the
                    // key was rejected) is no failure of its own.
                    if !e.is_cancelled() && reader.runs[stream].phase != Phase::Done {
                        let error = Error::Internal(format!("a request task failed: {e}"));
                        reader.fail(stream, error)?;
                    }
                }
            },
        }
    }
    reader.sink.read_finished(&reader.summary)?;
    Ok(reader.summary)
}

/// The next SIGINT or SIGTERM; never, without handlers.
async fn next_stop(signals: &mut Option<Signals>) -> Stop {
    match signals {
        Some(signals) => signals.recv().await,
        None => std::future::pending().await,
    }
}

impl Reader<'_> {
    /// Starts requests until the pool is full or nothing can be started:
    /// each free slot goes to the next stream, in turn, that has a request
    /// to make, first among those with none in flight (see the module
    /// docs).
    fn fill(&mut self) -> Result<(), Error> {
        let streams = self.runs.len();
        'pool: while self.tasks.len() < self.opts.concurrency.max(1) {
            for k in (0..streams).chain(0..streams) {
                let i = (self.turn + k) % streams;
                let first_pass = k < streams;
                if first_pass && self.runs[i].in_flight > 0 {
                    continue;
                }
                match self.runs[i].phase {
                    Phase::Done | Phase::Held => continue,
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
                    self.turn = i + 1;
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
        self.sink.stream_started(def)?;
        let saved = self.state.cursor(def.name);
        let config = self.config;
        let lookback_days = config.lookback_days(def);
        let w = window(
            run.sel.mode,
            config.start_date,
            config.end_date,
            saved,
            lookback_days,
            self.opts.sync_started,
        );
        match (def.cursor_field().is_some(), w) {
            (true, Some(w)) => tracing::info!(
                stream = def.name,
                mode = ?run.sel.mode,
                from = %format_cursor(w.from),
                to = %format_cursor(w.to),
                lookback_days,
                "Reading stream."
            ),
            (true, None) => tracing::info!(
                stream = def.name,
                "Nothing to read: the saved cursor is at or past the end of the window."
            ),
            (false, _) => tracing::info!(stream = def.name, "Reading stream (full refresh)."),
        }
        let mut progress = StreamProgress::new(def, w, saved, config.start_date, self.opts.tuning)
            .with_completeness(config.completeness(def));
        // (No horizon for a stream without a cursor: see `Config::refresh_days`.)
        if let (Some(days), Some(w), SyncMode::Incremental) =
            (config.refresh_days(def), w, run.sel.mode)
        {
            let now = self.opts.sync_started;
            let plan = sweep::plan(
                self.state.sweep(def.name),
                config.start_date,
                w.from,
                now,
                days,
            );
            match (plan.parts.first(), plan.parts.last()) {
                (Some(first), Some(last)) => tracing::info!(
                    stream = def.name,
                    from = %format_cursor(first.range.0),
                    to = %format_cursor(last.range.1),
                    parts = plan.parts.len(),
                    refresh_days = days,
                    "Sweeping older history (records created before the window), to keep every \
                     record re-read within the refresh horizon."
                ),
                _ => tracing::info!(
                    stream = def.name,
                    refresh_days = days,
                    "No older history due for its refresh sweep in this sync."
                ),
            }
            progress = progress.with_sweep(plan, now);
        }
        run.progress = Some(progress);
        run.phase = Phase::Active;
        if run.progress.as_ref().is_some_and(StreamProgress::is_done) {
            self.complete(i)?;
        }
        Ok(())
    }

    /// The request task `id` ended: its stream.
    fn landed(&mut self, id: tokio::task::Id) -> usize {
        let stream = self.task_stream.remove(&id).unwrap_or(0);
        let run = &mut self.runs[stream];
        run.in_flight = run.in_flight.saturating_sub(1);
        stream
    }

    fn spawn(&mut self, i: usize, req: PageRequest) {
        self.runs[i].in_flight += 1;
        let client = Arc::clone(&self.client);
        let notices = self.notices.clone();
        let handle = self.tasks.spawn(async move {
            let notify = move |n: Notice| {
                let _ = notices.send((i, n));
            };
            let result = client
                .list(&req.path, req.fields, req.ask.query.pairs(), &notify)
                .await;
            (i, req, result)
        });
        self.task_stream.insert(handle.id(), i);
    }

    fn on_notice(&mut self, i: usize, notice: Notice) -> Result<(), Error> {
        if let Notice::Paced(pace) = notice {
            // The whole read's pace, whichever request noticed it.
            tracing::info!("{}", pace.explain());
            return self.sink.paced(pace);
        }
        if self.runs[i].phase != Phase::Active {
            return Ok(());
        }
        let def = self.runs[i].sel.def;
        match notice {
            Notice::Retrying { rate_limited } => self.sink.retrying(def, rate_limited),
            Notice::RateLimited { resume_at_ms } => self.sink.rate_limited(def, resume_at_ms),
            Notice::Paced(_) => Ok(()),
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
        let first = !self.runs[i].running_sent && req.ask.page_no == 1;
        let page = match result {
            Ok(page) => page,
            Err(e) if first && e.refusal().is_some() => return self.refused(i, e).await,
            // This stream's own first page came: the key works.
            Err(e) => return self.fail(i, e.unavailable()),
        };
        if !self.key_works {
            self.key_works = true;
            self.skip_held()?;
        }
        let run = &mut self.runs[i];
        let def = run.sel.def;
        if !run.running_sent {
            run.running_sent = true;
            self.sink.stream_running(def)?;
        }
        let progress = run.progress.as_mut().expect("active streams have progress");
        let outcome = match progress.on_page(&req, &page) {
            Ok(o) => o,
            Err(e) => return self.fail(i, e),
        };
        let tag = outcome.tag.as_deref().unwrap_or_default();
        let batch = Batch::new(&page, &outcome.emit, tag, now_millis());
        self.sink.records(def, &batch)?;
        let emitted = batch.len() as u64;
        run.records += emitted;
        self.summary.records += emitted;
        if let Some(rows) = outcome.estimate {
            self.sink.estimate(def, rows)?;
        }
        if let Some(read) = outcome.list_read {
            self.sink.list_read(def, read)?;
        }
        if let Some(lists) = progress.parent_lists() {
            if run.parent_lists != Some(lists) {
                run.parent_lists = Some(lists);
                self.sink.parent_lists(def, lists)?;
            }
        }
        while let Some(update) = progress.take_state() {
            self.sink.checkpoint(def, update)?;
            if let Some(cursor) = update.cursor {
                run.last_state = Some(format_cursor(cursor));
            }
        }
        if progress.is_done() {
            self.complete(i)?;
        }
        Ok(())
    }

    /// A stream read everything: final state, then COMPLETE.
    fn complete(&mut self, i: usize) -> Result<(), Error> {
        let run = &mut self.runs[i];
        let progress = run
            .progress
            .as_mut()
            .expect("started streams have progress");
        let def = run.sel.def;
        if let Some(update) = progress.final_state() {
            self.sink.checkpoint(def, update)?;
        }
        if let Some(report) = progress.sweep_report() {
            self.sink.swept(def, &report)?;
        }
        if let Some(warning) = progress.unplaced_warning() {
            tracing::warn!("{warning}");
        }
        run.phase = Phase::Done;
        self.sink.stream_finished(def, Finished::Complete)
    }

    /// A stream failed: the sink hears why, and the other streams go on.
    fn fail(&mut self, i: usize, error: Error) -> Result<(), Error> {
        if error.is_broken_pipe() {
            return Err(error);
        }
        let def = self.runs[i].sel.def;
        tracing::error!(stream = def.name, error = %error, "Stream failed.");
        self.sink.stream_finished(def, Finished::Failed(&error))?;
        self.runs[i].phase = Phase::Done;
        self.summary.failed.push((def.name, error));
        Ok(())
    }

    /// The first request of stream `i` was refused: skipped if the key
    /// works, else held until that is known. A 401 is what a wrong key gets,
    /// so it asks the probe at once: a wrong key then costs two requests.
    async fn refused(&mut self, i: usize, error: Error) -> Result<(), Error> {
        let bad_key = error.is_bad_key();
        self.runs[i].phase = Phase::Held;
        self.runs[i].refused = Some(error);
        if self.key_works {
            return self.skip_held();
        }
        if bad_key {
            match self.probe().await {
                Ok(()) => return self.skip_held(),
                Err(e) if e.is_bad_key() => return self.reject_key(e),
                // Not told yet: decided with the others (settle_held).
                Err(_) => {}
            }
        }
        Ok(())
    }

    /// Asks whether the key works (see [`Client::probe_key`]), avoiding the
    /// endpoints that refused.
    async fn probe(&mut self) -> Result<(), Error> {
        let refused: Vec<&str> = self
            .runs
            .iter()
            .filter_map(|r| r.refused.as_ref()?.refusal().map(|r| r.path))
            .collect();
        let answer = self.client.probe_key(&refused).await;
        if answer.is_ok() {
            self.key_works = true;
        }
        answer
    }

    /// Nothing is left to read but held streams: the probe decides. The
    /// key works: they are skipped. Refused there too: the key is rejected.
    /// No answer, while every held stream was refused with a 401 (what
    /// Paystack answers a wrong key) and none was read: the key is
    /// rejected, said once. No answer otherwise: each held stream fails
    /// with its own refusal. Returns false when no stream was held.
    async fn settle_held(&mut self) -> Result<bool, Error> {
        if !self.runs.iter().any(|r| r.phase == Phase::Held) {
            return Ok(false);
        }
        match self.probe().await {
            Ok(()) => self.skip_held()?,
            Err(e) if e.refusal().is_some() => self.reject_key(e.key_rejected())?,
            Err(e) if self.all_held_refused_the_key() => {
                tracing::warn!(error = %e, "Could not ask another endpoint whether the secret key works; every stream's first request was refused with HTTP 401.");
                let refused = self.runs.iter_mut().find_map(|r| r.refused.take());
                self.reject_key(refused.expect("a held stream has its refusal"))?;
            }
            Err(e) => {
                tracing::warn!(error = %e, "Could not tell whether the secret key works.");
                for i in 0..self.runs.len() {
                    if let Some(refused) = self.runs[i].refused.take() {
                        self.fail(i, refused)?;
                    }
                }
            }
        }
        Ok(true)
    }

    /// Whether every held stream's refusal is a 401 and no stream has
    /// delivered a page (see [`Self::settle_held`]).
    fn all_held_refused_the_key(&self) -> bool {
        !self.key_works
            && self
                .runs
                .iter()
                .filter(|r| r.phase == Phase::Held)
                .all(|r| r.refused.as_ref().is_some_and(Error::is_bad_key))
    }

    /// The key works: every held stream is skipped, each with one WARN
    /// saying what Paystack answered and what enables the stream.
    fn skip_held(&mut self) -> Result<(), Error> {
        for run in &mut self.runs {
            let Some(refused) = run.refused.take() else {
                continue;
            };
            let def = run.sel.def;
            let answer = refused
                .refusal()
                .map_or_else(|| refused.to_string(), |r| r.to_string());
            tracing::warn!(
                stream = def.name,
                "Stream skipped: it is not available to this Paystack business ({answer}, while \
                 the key works on other endpoints). No records and no state for it in this sync; \
                 the other streams are read as usual. To read it: {}. Or deselect the stream to \
                 silence this warning.",
                def.feature()
            );
            run.phase = Phase::Done;
            self.summary.skipped.push(def.name);
            self.sink.stream_finished(def, Finished::Skipped)?;
        }
        Ok(())
    }

    /// Paystack rejected the secret key: every stream that has not
    /// finished ends INCOMPLETE, every request in flight is dropped, and
    /// the error is said once, for the whole read.
    fn reject_key(&mut self, error: Error) -> Result<(), Error> {
        tracing::error!(error = %error, "Read failed.");
        for run in &mut self.runs {
            let def = run.sel.def;
            if run.phase == Phase::Done {
                continue;
            }
            if run.phase == Phase::Waiting {
                self.sink.stream_started(def)?;
            }
            self.sink.stream_finished(def, Finished::Stopped)?;
            run.phase = Phase::Done;
            run.refused = None;
        }
        self.tasks.abort_all();
        self.summary.rejected_key = Some(error);
        Ok(())
    }

    /// A signal asked the read to stop: no more requests; the streams that
    /// did not finish end INCOMPLETE (their states so far are all out), and
    /// one line says how far each got.
    fn stop(&mut self, stop: Stop) -> Result<(), Error> {
        self.tasks.abort_all();
        let (mut unfinished, mut not_started) = (Vec::new(), Vec::new());
        for run in &mut self.runs {
            let def = run.sel.def;
            match run.phase {
                Phase::Done => continue,
                Phase::Waiting => not_started.push(def.name),
                Phase::Active | Phase::Held => {
                    unfinished.push(match &run.last_state {
                        Some(cursor) => {
                            format!("{} ({} records, state at {cursor})", def.name, run.records)
                        }
                        None => format!("{} ({} records, no state yet)", def.name, run.records),
                    });
                    self.sink.stream_finished(def, Finished::Stopped)?;
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Selected;
    use crate::client::HttpSettings;
    use crate::protocol::SyncMode;
    use crate::ratelimit::{RateLimiter, Source};
    use crate::sink::StateUpdate;
    use crate::streams::{Mode, StreamDef, find};
    use crate::testing::t;
    use fake_paystack::{FakePaystack, Options};
    use std::collections::BTreeMap;
    use tokio::time::{Duration, Instant};

    const NOW: &str = "2026-06-01T00:00:00Z";

    /// A fake holding `records` created from 2024-01-01 to `end`, a config
    /// for its key, and a client going through `limiter`.
    async fn fake_and_client(
        records: &[(&'static str, u64)],
        end: &str,
        limiter: RateLimiter,
    ) -> (FakePaystack, Config, Arc<Client>) {
        let key = "sk_test_readtests000";
        let fake = FakePaystack::start(Options {
            keys: vec![key.to_owned()],
            records: records.iter().copied().collect(),
            start: t("2024-01-01T00:00:00Z"),
            end: t(end),
            ..Options::default()
        })
        .await
        .unwrap();
        let config = crate::config::parse(
            &format!(r#"{{"secret_key":"{key}","start_date":"2024-01-01T00:00:00Z"}}"#),
            t(NOW),
        )
        .unwrap();
        let http = HttpSettings {
            base_url: fake.uri(),
            connect_timeout: std::time::Duration::from_secs(5),
            request_timeout: std::time::Duration::from_secs(5),
            retry: crate::retry::RetryPolicy::default(),
        };
        let client = Client::new(&config.secret_key, http, Arc::new(limiter)).unwrap();
        (fake, config, Arc::new(client))
    }

    /// Reads `names` incrementally with `tuning` and `concurrency`, at
    /// [`NOW`], into `sink`; no stream fails.
    async fn read_all(
        client: Arc<Client>,
        config: &Config,
        names: &[&str],
        tuning: Tuning,
        concurrency: usize,
        sink: &mut dyn Sink,
    ) {
        let selected: Vec<Selected> = names
            .iter()
            .map(|name| Selected {
                def: find(name).unwrap(),
                mode: SyncMode::Incremental,
            })
            .collect();
        let opts = ReadOptions {
            tuning,
            concurrency,
            sync_started: t(NOW),
        };
        let state = InputState::default();
        let summary = read(client, config, &selected, &state, opts, None, sink)
            .await
            .unwrap();
        assert!(summary.failed.is_empty(), "{:?}", summary.failed);
    }

    /// The events the display needs, as heard.
    #[derive(Default)]
    struct Heard {
        selected: Vec<&'static str>,
        lists: Vec<ParentLists>,
        finished: Vec<&'static str>,
    }

    impl Sink for Heard {
        fn read_started(&mut self, streams: &[Stream]) -> Result<(), Error> {
            self.selected = streams.iter().map(|s| s.name).collect();
            Ok(())
        }

        fn parent_lists(&mut self, stream: Stream, lists: ParentLists) -> Result<(), Error> {
            assert_eq!(stream.name, "settlement_transactions");
            self.lists.push(lists);
            Ok(())
        }

        fn stream_finished(&mut self, stream: Stream, how: Finished<'_>) -> Result<(), Error> {
            assert!(matches!(how, Finished::Complete), "{how:?}");
            self.finished.push(stream.name);
            Ok(())
        }
    }

    /// The sink hears the selected streams before anything else, and a
    /// child stream's way through its parents' lists, up to all of them.
    #[tokio::test]
    async fn the_sink_hears_the_selected_streams_and_a_childs_parent_lists() {
        let records = [("settlements", 30), ("customers", 10)];
        let (_fake, config, client) =
            fake_and_client(&records, "2024-03-01T00:00:00Z", RateLimiter::new(None)).await;
        let mut heard = Heard::default();
        let names = ["settlement_transactions", "customers"];
        let tuning = Tuning {
            per_page: 7,
            max_pages_per_slice: 50,
        };
        read_all(client, &config, &names, tuning, 4, &mut heard).await;
        assert_eq!(heard.selected, ["settlement_transactions", "customers"]);
        assert_eq!(heard.finished.len(), 2);
        let all = ParentLists { read: 30, of: 30 };
        assert_eq!(heard.lists.last(), Some(&all), "{:?}", heard.lists);
        assert_eq!(heard.lists[0].of, 30, "the first page announces them all");
        assert!(
            heard.lists.windows(2).all(|w| w[0].read <= w[1].read),
            "{:?}",
            heard.lists
        );
        assert!(heard.lists.len() > 2, "told as they are read");
    }

    /// The first `n` top-level streams whose dense slices are split.
    fn split_streams(n: usize) -> Vec<&'static str> {
        let split = |d: &&StreamDef| matches!(d.mode, Mode::Incremental { split: true, .. });
        let names: Vec<_> = crate::streams::STREAMS
            .iter()
            .filter(|d| d.parent.is_none())
            .filter(split)
            .map(|d| d.name)
            .take(n)
            .collect();
        assert_eq!(names.len(), n, "the table has {n} such streams");
        names
    }

    /// Each stream's pages, and when its first state came (with its records
    /// by then), on tokio's (paused) clock.
    #[derive(Default)]
    struct Times {
        started: Option<Instant>,
        pages: BTreeMap<&'static str, u32>,
        first_state: BTreeMap<&'static str, (Duration, u64)>,
        records: BTreeMap<&'static str, u64>,
    }

    impl Sink for Times {
        fn read_started(&mut self, _: &[Stream]) -> Result<(), Error> {
            self.started = Some(Instant::now());
            Ok(())
        }

        fn records(&mut self, stream: Stream, batch: &Batch<'_>) -> Result<(), Error> {
            *self.pages.entry(stream.name).or_default() += 1;
            *self.records.entry(stream.name).or_default() += batch.len() as u64;
            Ok(())
        }

        fn checkpoint(&mut self, stream: Stream, _: StateUpdate) -> Result<(), Error> {
            let now = self.started.expect("started").elapsed();
            let records = self.records.get(stream.name).copied().unwrap_or(0);
            self.first_state
                .entry(stream.name)
                .or_insert((now, records));
            Ok(())
        }
    }

    /// Slices are cut for a state about every half minute of one stream's
    /// share of the pace; a fast pace, or none, keeps the tuning.
    #[test]
    fn a_tight_pace_cuts_smaller_slices() {
        let pages = |per_minute, source, streams| {
            let pace = Some(Pace { per_minute, source });
            paced_tuning(Tuning::default(), pace, streams).max_pages_per_slice
        };
        // A test key: 12.5 requests a minute per stream, 6 pages in 30 s.
        assert_eq!(pages(100, Source::TestKey, 8), 12);
        assert_eq!(pages(100, Source::TestKey, 1), 50);
        assert_eq!(pages(100, Source::TestKey, 23), MIN_SLICE_PAGES);
        assert_eq!(pages(600, Source::LiveKey, 8), 50);
        assert_eq!(pages(600, Source::LiveKey, 23), 26);
        assert_eq!(
            paced_tuning(Tuning::default(), None, 23).max_pages_per_slice,
            50
        );
        let small = Tuning {
            per_page: 20,
            max_pages_per_slice: 4,
        };
        let pace = Some(Pace {
            per_minute: 100,
            source: Source::Config,
        });
        assert_eq!(paced_tuning(small, pace, 8).max_pages_per_slice, 4);
    }

    /// 4, then 12 streams of 10,000 records each, read with a test key's
    /// pace (100 requests a minute) and the connector's own page size,
    /// slices and request pool, and stopped after a minute of tokio's
    /// paused clock: by then each stream got at least half its share of the
    /// requests, and has a state.
    #[tokio::test(start_paused = true)]
    async fn under_a_tight_pace_every_stream_moves_and_checkpoints() {
        for n in [4, 12] {
            let names = &split_streams(n);
            let records: Vec<_> = names.iter().map(|s| (*s, 10_000)).collect();
            let limiter = RateLimiter::from_source(Some(100), Source::TestKey);
            let (_fake, config, client) =
                fake_and_client(&records, "2026-01-01T00:00:00Z", limiter).await;
            let mut times = Times::default();
            let concurrency = crate::app::DEFAULT_CONCURRENCY;
            let read = read_all(
                client,
                &config,
                names,
                Tuning::default(),
                concurrency,
                &mut times,
            );
            let stopped = tokio::time::timeout(Duration::from_secs(60), read).await;
            assert!(stopped.is_err(), "{n} streams: the read takes minutes");
            let report = format!(
                "{n} streams: pages {:?}; first states (at, records by then) {:?}",
                times.pages, times.first_state
            );
            for name in names {
                let pages = times.pages.get(name).copied().unwrap_or(0);
                assert!(pages as usize >= 100 / n / 2, "{name}: {report}");
                assert!(times.first_state.contains_key(name), "{name}: {report}");
            }
        }
    }
}
