//! The command line, as Airbyte calls it.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// An Airbyte source connector for the Paystack payments API.
///
/// Writes Airbyte protocol messages to stdout (one JSON object per line) and
/// logs to stderr.
#[derive(Debug, Parser)]
#[command(name = "source-paystack", version, about, long_about = None)]
pub struct Cli {
    /// Log at DEBUG level (the secret key is never logged).
    #[arg(long, global = true)]
    pub debug: bool,

    #[command(subcommand)]
    pub command: Command,
}

/// The four Airbyte commands, and `catalog` for people at a shell.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Print the connector specification.
    Spec,
    /// Validate the config and try the key against Paystack.
    Check {
        /// Path of the config JSON file.
        #[arg(long)]
        config: PathBuf,
    },
    /// Print the catalog of streams (no network).
    Discover {
        /// Path of the config JSON file.
        #[arg(long)]
        config: PathBuf,
    },
    /// Print a configured catalog for read --catalog (no network).
    Catalog {
        /// Streams to read, comma-separated (default: every stream).
        #[arg(long)]
        streams: Option<String>,
        /// Sync mode of the streams that have a cursor (the others are
        /// always full_refresh).
        #[arg(long, default_value = "incremental", value_parser = ["incremental", "full_refresh"])]
        mode: String,
    },
    /// Read the catalog's streams.
    Read {
        /// Path of the config JSON file.
        #[arg(long)]
        config: PathBuf,
        /// Path of the configured catalog JSON file.
        #[arg(long)]
        catalog: PathBuf,
        /// Path of the state JSON file from an earlier sync.
        #[arg(long)]
        state: Option<PathBuf>,
    },
}
