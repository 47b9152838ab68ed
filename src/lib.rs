//! `source-paystack`: an Airbyte source connector for the Paystack API.
//!
//! # Layout
//! - [`cli`]: the command line (`spec`, `check`, `discover`, `read`).
//! - [`app`]: one function per command, and the run [`app::Settings`].
//! - [`config`]: the user's config, validated; the secret key type.
//! - [`catalog`]: the configured catalog.
//! - [`state`]: input state in every shape Airbyte writes; cursor values.
//! - [`streams`]: the streams, as a table of data.
//! - [`read`]: the generic reader that serves every stream.
//! - [`window`]: the time arithmetic: windows, slice bounds, splitting.
//! - [`slice`]: one stream's walk: slices, children, state (pure logic).
//! - [`paging`]: the paging kinds (offset, cursor), one type each.
//! - [`client`]: HTTP, retries, and decoding a page without copying records.
//! - [`retry`]: the retry policy (a pure function).
//! - [`ratelimit`]: the request-rate limiter shared by all requests.
//! - [`protocol`]: the Airbyte messages we read and write.
//! - [`sink`]: the events of a read, and the tee that hands them to two sinks.
//! - [`emit`]: the Airbyte writer, the one writer of stdout (a sink).
//! - [`progress`]: live progress bars on stderr when it is a terminal (a sink).
//! - [`error`]: the error type and its mapping to Airbyte failure types.
#![deny(clippy::print_stdout)]

pub mod app;
pub mod cli;

mod catalog;
mod client;
mod config;
mod emit;
mod error;
mod paging;
mod progress;
mod protocol;
mod ratelimit;
mod read;
mod retry;
mod sink;
mod slice;
mod state;
mod streams;
#[cfg(test)]
mod testing;
mod window;

pub use client::HttpSettings;
pub use emit::Emitter;
pub use error::Error;
pub use progress::{SuspendingWriter, Terminal};
pub use retry::RetryPolicy;
pub use slice::Tuning;
pub use streams::{STREAMS, StreamDef};
