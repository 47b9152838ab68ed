//! Integration tests: one binary (see STYLE.md), modules by command.

mod acceptance;
mod bad_input;
mod binary;
mod check;
mod completeness;
mod docs;
mod drift;
mod faults;
mod first_hour;
mod interrupt;
mod layers;
mod matrix;
mod metadata;
mod more_streams;
#[cfg(unix)]
mod quickstart;
mod rate_limits;
mod read_errors;
mod read_paging;
mod read_state;
mod refresh;
mod scenarios;
mod schema_types;
mod secrets;
mod sharing;
#[cfg(target_os = "linux")]
mod signals;
mod spec_discover;
mod support;
mod unavailable;
