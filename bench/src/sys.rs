//! What the harness asks of the operating system (Linux): the machine, the
//! commit, CPU time of processes and threads, and the exact peak RSS of a
//! child process.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde::Serialize;

/// The machine and the code the figures belong to.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub cores: usize,
    pub cpu_model: String,
    pub memory_gib: f64,
    pub kernel: String,
    pub commit: String,
    /// Top-level directories (or files) of the workspace with uncommitted
    /// changes to tracked files when the benchmark ran.
    pub dirty: Vec<String>,
    pub rustc: String,
}

impl Machine {
    pub fn detect(root: &Path) -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu_model = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .and_then(|l| l.split_once(':'))
            .map_or_else(|| "unknown".to_owned(), |(_, m)| m.trim().to_owned());
        let memory_kib = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| {
                m.lines()
                    .find_map(|l| l.strip_prefix("MemTotal:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            })
            .unwrap_or(0.0);
        let git = |args: &[&str]| {
            Command::new("git")
                .args(args)
                // Read only: no opportunistic refresh of the index.
                .env("GIT_OPTIONAL_LOCKS", "0")
                .current_dir(root)
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        };
        let commit = git(&["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "unknown".into());
        // Porcelain lines are `XY PATH`; the first one may start with a space.
        let status = Command::new("git")
            .args(["status", "--porcelain", "--untracked-files=no"])
            .env("GIT_OPTIONAL_LOCKS", "0")
            .current_dir(root)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        let mut dirty: Vec<String> = status
            .lines()
            .filter_map(|l| l.get(3..))
            .filter_map(|p| p.split('/').next())
            .map(str::to_owned)
            .collect();
        dirty.dedup();
        let rustc = Command::new("rustc")
            .arg("--version")
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default();
        Machine {
            cores: std::thread::available_parallelism().map_or(0, usize::from),
            cpu_model,
            memory_gib: memory_kib / 1024.0 / 1024.0,
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|s| s.trim().to_owned())
                .unwrap_or_default(),
            commit,
            dirty,
            rustc,
        }
    }
}

/// How a child ended, and what the kernel accounted for it.
#[derive(Debug, Clone, Copy)]
pub struct Reaped {
    /// `Some(code)` for a normal exit.
    pub code: Option<i32>,
    /// The signal that killed it, if one did.
    pub signal: Option<i32>,
    /// Peak resident set size in KiB (`ru_maxrss`).
    pub max_rss_kib: u64,
    pub user: Duration,
    pub system: Duration,
}

fn timeval(t: libc::timeval) -> Duration {
    Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
}

/// Waits for the child `pid` with `wait4`, which returns its exit status and
/// its resource usage: `ru_maxrss` is the kernel's high-water mark of the
/// child's resident set (KiB on Linux), exact, not sampled.
///
/// The caller must not also wait for the child through `std::process::Child`.
pub fn wait4(pid: u32) -> std::io::Result<Reaped> {
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data; zero is a valid bit pattern.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: valid pointers to locals; pid is our own child.
        let r = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
        if r == pid as libc::pid_t {
            break;
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
    let (code, signal) = if libc::WIFEXITED(status) {
        (Some(libc::WEXITSTATUS(status)), None)
    } else if libc::WIFSIGNALED(status) {
        (None, Some(libc::WTERMSIG(status)))
    } else {
        (None, None)
    };
    Ok(Reaped {
        code,
        signal,
        max_rss_kib: u64::try_from(usage.ru_maxrss).unwrap_or(0),
        user: timeval(usage.ru_utime),
        system: timeval(usage.ru_stime),
    })
}

/// The first argument that turns this binary into the measuring trampoline.
pub const TRAMPOLINE: &str = "__measure";

/// Why the connector is started through a trampoline: Linux records, when a
/// process calls `exec`, the peak RSS of the memory image it leaves behind in
/// that process's `ru_maxrss`. A child spawned by the harness (vfork or fork,
/// then exec) therefore reports at least the *harness's* peak RSS, which
/// grows with the ground truth it holds (every record id of the run), not the
/// connector's. So the harness starts this same small binary
/// (`bench __measure RESULT PROGRAM ARGS…`), which forks the connector from
/// its own small image (smaller than any connector figure) and waits
/// for it with `wait4`: the connector's `ru_maxrss` is then its own.
///
/// `trampoline` runs the program with the inherited stdio and environment,
/// writes `code signal maxrss_kib user_us system_us pid` to RESULT and exits
/// 0; on failure it writes nothing and exits 2.
pub fn trampoline(args: &[std::ffi::OsString]) -> std::process::ExitCode {
    use std::os::unix::process::CommandExt;
    let [result, program, rest @ ..] = args else {
        eprintln!("usage: bench {TRAMPOLINE} RESULT PROGRAM [ARGS...]");
        return std::process::ExitCode::from(2);
    };
    let mut cmd = Command::new(program);
    cmd.args(rest);
    // A no-op pre_exec makes std fork (copying only this process's few
    // anonymous pages) instead of vfork (which would hand this image's whole
    // RSS, binary pages included, to the child's ru_maxrss at exec).
    // SAFETY: the closure does nothing, so it is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| Ok(()));
    }
    let child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!(
                "bench {TRAMPOLINE}: cannot start {}: {e}",
                program.to_string_lossy()
            );
            return std::process::ExitCode::from(2);
        }
    };
    let pid = child.id();
    let reaped = match wait4(pid) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("bench {TRAMPOLINE}: wait4: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    drop(child);
    let line = format!(
        "{} {} {} {} {} {pid}\n",
        reaped.code.unwrap_or(-1),
        reaped.signal.unwrap_or(0),
        reaped.max_rss_kib,
        reaped.user.as_micros(),
        reaped.system.as_micros()
    );
    match std::fs::write(result, line) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench {TRAMPOLINE}: {}: {e}", result.to_string_lossy());
            std::process::ExitCode::from(2)
        }
    }
}

/// Reads what [`trampoline`] wrote.
pub fn read_trampoline_result(path: &Path) -> Result<(Reaped, u32), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let f: Vec<i64> = text
        .split_whitespace()
        .map(|x| x.parse::<i64>())
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let [code, signal, rss, user, system, pid] = f[..] else {
        return Err(format!("{}: unexpected contents {text:?}", path.display()));
    };
    let us = |v: i64| Duration::from_micros(u64::try_from(v).unwrap_or(0));
    Ok((
        Reaped {
            code: (code >= 0).then_some(code as i32),
            signal: (signal > 0).then_some(signal as i32),
            max_rss_kib: u64::try_from(rss).unwrap_or(0),
            user: us(user),
            system: us(system),
        },
        u32::try_from(pid).unwrap_or(0),
    ))
}

/// The first child of process `pid` (from `/proc/PID/task/PID/children`).
pub fn first_child(pid: u32) -> Option<u32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// CPU time used so far by the calling thread.
pub fn thread_cpu() -> Duration {
    // SAFETY: timespec is plain data; clock_gettime writes it.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointer to a local.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(
        ts.tv_sec.max(0) as u64,
        ts.tv_nsec.clamp(0, 999_999_999) as u32,
    )
}

fn clock_ticks() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 { t as f64 } else { 100.0 }
}

/// The ids of this process's threads named `name`.
pub fn threads_named(name: &str) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    dir.filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|tid| {
            std::fs::read_to_string(format!("/proc/self/task/{tid}/comm"))
                .is_ok_and(|c| c.trim() == name)
        })
        .collect()
}

/// CPU time (user + system) used so far by this whole process (all its
/// threads: the fake, the reader, the rest of the harness).
pub fn process_cpu() -> Duration {
    // SAFETY: rusage is plain data; getrusage writes it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointer to a local.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    timeval(usage.ru_utime) + timeval(usage.ru_stime)
}

/// CPU time (user + system) of one of this process's threads, from
/// `/proc/self/task/TID/stat` (clock-tick resolution, 10 ms).
pub fn task_cpu(tid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")).ok()?;
    // Fields after the parenthesised name; utime and stime are fields 14, 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_secs_f64(ticks as f64 / clock_ticks()))
}

/// Machine-wide CPU counters from `/proc/stat`, in ticks: (busy, total).
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuTotals {
    busy: u64,
    total: u64,
}

impl CpuTotals {
    pub fn now() -> Self {
        let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let Some(line) = stat.lines().find(|l| l.starts_with("cpu ")) else {
            return CpuTotals::default();
        };
        let v: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .filter_map(|x| x.parse().ok())
            .collect();
        // user nice system idle iowait irq softirq steal (guest counted in user)
        let total: u64 = v.iter().take(8).sum();
        let idle = v.get(3).copied().unwrap_or(0) + v.get(4).copied().unwrap_or(0);
        CpuTotals {
            busy: total.saturating_sub(idle),
            total,
        }
    }

    /// CPU seconds all cores spent busy between `earlier` and `self`.
    pub fn busy_seconds_since(&self, earlier: &CpuTotals) -> f64 {
        self.busy.saturating_sub(earlier.busy) as f64 / clock_ticks()
    }

    /// Share of all cores busy between `earlier` and `self` (0..=1).
    pub fn busy_since(&self, earlier: &CpuTotals) -> f64 {
        let total = self.total.saturating_sub(earlier.total);
        if total == 0 {
            return 0.0;
        }
        self.busy.saturating_sub(earlier.busy) as f64 / total as f64
    }
}

/// `VmHWM` (peak RSS) and `VmRSS` of a live process, in KiB.
pub fn vm_hwm_rss(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}
