//! The `source-paystack` binary: parse the command line, set up logging and
//! the runtime, run the command, exit with its code. No panic reaches the
//! user as a crash: it becomes an Airbyte ERROR trace and exit code 1.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};
use source_paystack::app::{self, Settings};
use source_paystack::cli::{Cli, Command};
use source_paystack::{Emitter, Error, SuspendingWriter, Terminal};
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    follow_parent_shell();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            // No command at all: a person trying the binary; the help.
            let _ = Cli::command().print_help();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            // The usage text goes to stderr; Airbyte gets a config_error trace.
            eprintln!("{e}");
            let mut out = Emitter::new(std::io::stdout());
            let usage = Error::config(usage_error(&e.to_string()));
            let _ = out.error(&usage, None);
            let _ = out.flush();
            return ExitCode::from(1);
        }
    };

    let filter = if cli.debug {
        EnvFilter::new("debug,hyper=info,reqwest=info,rustls=info,h2=info")
    } else {
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"))
    };
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        // Colours only for a person at a terminal, never in Airbyte's logs.
        .with_ansi(std::io::stderr().is_terminal());
    // A person at a terminal gets live progress bars; log lines are written
    // around them. Airbyte (stderr not a terminal) gets plain logs.
    let show_progress =
        matches!(cli.command, Command::Read { .. }) && std::io::stderr().is_terminal();
    let progress: Option<Arc<Terminal>> = if show_progress {
        let (terminal, multi) = Terminal::stderr();
        logs.with_writer(SuspendingWriter(multi)).init();
        Some(terminal)
    } else {
        logs.with_writer(std::io::stderr).init();
        None
    };

    let stdout = std::io::stdout();
    let mut out = Emitter::new(stdout.lock());
    let mut settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => return fail(&mut out, &e),
    };
    settings.progress = progress;
    settings.catch_signals = true;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return fail(
                &mut out,
                &Error::Internal(format!("could not start the runtime: {e}")),
            );
        }
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        runtime.block_on(app::run(&cli.command, &settings, &mut out))
    }));
    match result {
        Ok(code) => ExitCode::from(code.clamp(0, 255) as u8),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            fail(&mut out, &Error::Internal(what))
        }
    }
}

/// Under a shell, asks the kernel for a SIGTERM when that shell dies.
///
/// Airbyte's launcher runs `sh -c` with the connector in a background
/// subshell, `(eval "$AIRBYTE_ENTRYPOINT read ...") &`, and cancels by
/// killing that subshell. dash forks for the `eval`, so the kill reaches the
/// subshell, not the connector. In Airbyte's pods the wrapper is PID 1 and its
/// exit ends the container's every process anyway; where the same kind of
/// wrapper is not PID 1 (another launcher, a script, a shell one types into),
/// the connector would read on unseen as an orphan. With this, the shell's
/// death is a SIGTERM, and the connector stops cleanly (see `stop.rs`). Only
/// a shell parent is followed: the kernel ties the signal to the parent
/// *thread*, and a multi-threaded parent (Python, the JVM) may start the
/// connector from a thread that ends before the connector does.
#[cfg(target_os = "linux")]
fn follow_parent_shell() {
    // SAFETY: getppid has no preconditions and cannot fail.
    let parent = unsafe { libc::getppid() };
    if parent <= 1 {
        return; // PID 1 of a container, or already orphaned
    }
    let Ok(comm) = std::fs::read_to_string(format!("/proc/{parent}/comm")) else {
        return;
    };
    if !matches!(comm.trim(), "sh" | "dash" | "bash" | "ash" | "busybox") {
        return;
    }
    // SAFETY: PR_SET_PDEATHSIG takes a signal number and only sets an
    // attribute of this process.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM as libc::c_ulong);
        // The shell may have died before the call, when no signal comes.
        if libc::getppid() != parent {
            libc::raise(libc::SIGTERM);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn follow_parent_shell() {}

/// clap's error text as one line for an Airbyte message: what is wrong
/// (the missing argument named) and the usage of the command.
fn usage_error(text: &str) -> String {
    let mut what = Vec::new();
    let mut usage = None;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(u) = line.strip_prefix("Usage: ") {
            usage = Some(u);
        } else if !line.starts_with("For more information") {
            what.push(line.trim_start_matches("error: ").trim_end_matches(':'));
        }
    }
    // A line of possible values (`[possible values: …]`) completes the
    // line before it.
    let what = what
        .iter()
        .enumerate()
        .fold(String::new(), |mut acc, (i, line)| {
            if i > 0 {
                acc.push_str(if line.starts_with('[') { " " } else { ": " });
            }
            acc.push_str(line);
            acc
        });
    let what = if what.is_empty() {
        "invalid arguments".to_owned()
    } else {
        what
    };
    match usage {
        Some(usage) => format!(
            "Invalid command line: {what}. Usage: {usage}. Run source-paystack --help for more."
        ),
        None => format!("Invalid command line: {what}. Run source-paystack --help for the usage."),
    }
}

fn fail<W: Write>(out: &mut Emitter<W>, e: &Error) -> ExitCode {
    tracing::error!(error = %e, "Failed.");
    let _ = out.error(e, None);
    let _ = out.flush();
    ExitCode::from(1)
}
