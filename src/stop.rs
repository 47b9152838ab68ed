//! Stopping a read early, on SIGINT (Ctrl-C) or SIGTERM (a cancelled sync).
//!
//! A stop is not a failure: the read stops requesting, every state already
//! earned has been written (states go out as soon as they are earned), the
//! streams that did not finish end INCOMPLETE, one log line says how far each
//! got, and the process exits with the shell's code for the signal (130 or
//! 143). A resume from the last STATE of each stream loses nothing.
//!
//! The handlers are installed only for `read` and only by the binary: a
//! library caller (and the in-process tests) keep their own signal handling.

/// The signal that asked the read to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// SIGINT: Ctrl-C at a terminal.
    Interrupt,
    /// SIGTERM: a cancelled sync, a stopped container, a dead parent shell.
    Terminate,
}

impl Stop {
    /// The signal's name, for logs.
    pub fn name(self) -> &'static str {
        match self {
            Stop::Interrupt => "SIGINT",
            Stop::Terminate => "SIGTERM",
        }
    }

    /// The exit code a shell reports for a process ended by this signal.
    pub fn exit_code(self) -> i32 {
        match self {
            Stop::Interrupt => 128 + 2,
            Stop::Terminate => 128 + 15,
        }
    }
}

/// SIGINT and SIGTERM, caught from the moment this is built.
#[derive(Debug)]
pub struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    /// Catches SIGINT and SIGTERM from now on (they no longer end the
    /// process by themselves). Must be called inside the Tokio runtime.
    ///
    /// # Errors
    /// When a handler cannot be installed; the signals then keep their
    /// default action.
    pub fn install() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Signals {})
        }
    }

    /// Resolves at the next SIGINT or SIGTERM.
    pub async fn recv(&mut self) -> Stop {
        #[cfg(unix)]
        {
            tokio::select! {
                Some(()) = self.interrupt.recv() => Stop::Interrupt,
                Some(()) = self.terminate.recv() => Stop::Terminate,
                else => std::future::pending().await,
            }
        }
        #[cfg(not(unix))]
        {
            std::future::pending().await
        }
    }
}
