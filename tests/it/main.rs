//! Integration tests: one binary (see STYLE.md), modules by command.

mod binary;
mod check;
mod read_errors;
mod read_paging;
mod read_state;
mod spec_discover;
mod support;
