//! Integration tests: one binary (see STYLE.md), modules by command.

mod check;
mod read_paging;
mod spec_discover;
mod support;
