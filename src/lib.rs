//! `source-paystack`: an Airbyte source connector for the Paystack API.
//!
//! # Layout
//! Commands:
//! - [`cli`]: the command line (`spec`, `check`, `discover`, `read`).
//! - [`app`]: one function per command, and the run [`app::Settings`].
//! - `config`: the user's config, validated; the secret key type; each
//!   stream's lookback (`stream_lookback_days`, else `lookback_window_days`).
//! - `catalog`: the configured catalog.
//! - `input`: reading the config, catalog and state files, and what to do
//!   when one cannot be read.
//! - `state`: input state in every shape Airbyte writes.
//! - `state_review`: the input state checked against the selected streams.
//! - `stop`: stopping a read early on SIGINT or SIGTERM.
//!
//! The streams: a stream is one row of `streams::STREAMS` (name, path,
//! cursor, paging kind, parent), one schema (`schemas/<name>.json`) and one
//! fixture (`tests/fixtures/records/<name>.json`, which the tests and the
//! fake Paystack use).
//!
//! Reading, from the outside in:
//! - `read`: the one generic reader: a pool of page requests across the
//!   selected streams; it reports what happens as events on one sink.
//! - `slice`: one stream's walk through its window (slices, splitting,
//!   child lists, checkpoint order), over its `&'static StreamDef`.
//! - `window`: the time arithmetic: windows, the `from`/`to` of a slice,
//!   cutting a dense slice.
//! - `paging`: one type per paging kind (offset, cursor) behind one trait,
//!   each writing its own query parameters; the kind is a column of the
//!   stream table (`streams::Paging`). Its doc says what adding Paystack's
//!   keyset kind would touch.
//! - `completeness`: each offset list's records checked against the
//!   `meta.total` its pages announced; a list that falls short is read
//!   again, and the two reads together are held to the count: short still,
//!   the stream fails (or, set to warn, goes on with a WARN).
//! - `sweep`: the refresh sweep's arithmetic: which older history a sync
//!   re-reads so that every record is read again within the stream's
//!   refresh horizon, and the sweep's place in the state.
//! - `unplaced`: records the connector cannot place (no id, created in the
//!   future), counted per stream and told in one WARN.
//! - `client`: HTTP (a path and its query pairs), the retry loop, the key
//!   probe.
//! - `page`: decoding an answer's body: a page without copying its records,
//!   an error's message.
//! - `schema_plan`: each stream's schema compiled into the checks a page's
//!   records go through while it is decoded.
//! - `json_scan`: a walk through JSON text that builds nothing.
//! - `normalise`: Paystack's known drift made to fit the schema; only a
//!   record that needs a change is rewritten.
//! - `error`: the error type, and the one place that says what an answer
//!   means (retry, from which budget, or fail with which failure type).
//! - `rate_headers`: the one reader of Paystack's rate headers
//!   (`Retry-After`, `x-ratelimit-*`) in every form they may take.
//! - `retry`: how long to wait before another attempt (a pure function),
//!   counting 5xx and 429 attempts in their own budgets.
//! - `ratelimit`: the request-rate limiter shared by all requests, and
//!   Paystack's documented limits.
//! - `time`: the clock and cursor values (parsed and formatted); the bottom
//!   layer.
//! - `numbers`: numbers as people read them (`6,000`).
//!
//! Output:
//! - `sink`: the events of a read (the `Sink` trait), their payloads, and
//!   `Tee`.
//! - `emit`: the Airbyte writer ([`Emitter`]), the one writer of stdout and
//!   the only builder of protocol messages; a sink.
//! - `progress`: one live line per selected stream on stderr at a terminal
//!   ([`Terminal`]), drawn from a model and a clock; a sink.
//! - `drift`: per stream, the values that did not arrive in their schema's
//!   type, logged when the stream ends; a sink.
//! - `accounting`: one INFO line per stream at its end (records, pages,
//!   requests, retries, 429s, duplicates, lists checked); a sink.
//! - `protocol`: the Airbyte messages we read and write, and their enums
//!   (`FailureType`).
//!
//! Only what the binary and the integration tests use is public: the
//! modules [`app`] and [`cli`] and the items re-exported below.
#![deny(clippy::print_stdout)]

pub mod app;
pub mod cli;

mod accounting;
mod api_url;
mod catalog;
mod client;
mod completeness;
mod config;
mod drift;
mod emit;
mod error;
mod input;
mod json_scan;
mod normalise;
mod numbers;
mod page;
mod paging;
mod progress;
mod protocol;
mod rate_headers;
mod ratelimit;
mod read;
mod retry;
mod schema_plan;
mod sink;
mod slice;
mod state;
mod state_review;
mod stop;
mod streams;
mod suggest;
mod sweep;
#[cfg(test)]
mod testing;
mod time;
mod unplaced;
mod window;

pub use client::HttpSettings;
pub use emit::Emitter;
pub use error::Error;
pub use progress::{SuspendingWriter, Terminal};
pub use retry::RetryPolicy;
pub use slice::Tuning;
pub use streams::{STREAMS, StreamDef};
