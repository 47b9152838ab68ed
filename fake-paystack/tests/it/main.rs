//! Integration tests of `fake-paystack`: the server over HTTP, the records
//! against the connector's schemas, and the binary.

mod admin;
mod auth;
mod behaviours;
mod changes;
mod cli;
mod extra;
mod faults;
mod listing;
mod records;
mod support;
