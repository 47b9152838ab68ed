//! `source-paystack`: an Airbyte source connector for the Paystack API.
//!
//! # Layout
//! - [`cli`]: the command line (`spec`, `check`, `discover`, `read`).
//! - [`app`]: one function per command, and the run [`app::Settings`].
//! - [`config`]: the user's config, validated; the secret key type.
//! - [`catalog`]: the configured catalog.
//! - [`state`]: input state in every shape Airbyte writes; cursor values.
//! - [`streams`]: the streams, as a table of data.
//! - [`stop`]: stopping a read early on SIGINT or SIGTERM.
//! - [`read`]: the generic reader that serves every stream.
//! - [`slice`]: one stream's window, slices, pages and state (pure logic).
//! - [`client`]: HTTP, retries, and decoding a page without copying records.
//! - [`retry`]: the retry policy (a pure function).
//! - [`ratelimit`]: the request-rate limiter shared by all requests.
//! - [`protocol`]: the Airbyte messages we read and write.
//! - [`emit`]: the one writer of stdout.
//! - [`progress`]: live progress bars on stderr when it is a terminal.
//! - [`error`]: the error type and its mapping to Airbyte failure types.
#![deny(clippy::print_stdout)]

pub mod app;
pub mod catalog;
pub mod cli;
pub mod client;
pub mod config;
pub mod emit;
pub mod error;
pub mod progress;
pub mod protocol;
pub mod ratelimit;
pub mod read;
pub mod retry;
pub mod slice;
pub mod state;
pub mod stop;
pub mod streams;
