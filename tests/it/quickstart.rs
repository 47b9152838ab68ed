//! The quick start's first minute: a missing or old prerequisite stops it
//! at once with what to install, before any build; and the scripts find the
//! release binaries under `CARGO_TARGET_DIR` when it is set.

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::Files;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The first `name` on this machine's PATH.
fn which(name: &str) -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{name} is not on PATH"))
}

/// A PATH of one folder holding the tools the script's first lines use,
/// and `stubs`: (name, shell body) scripts standing in for the rest.
fn path_with(files: &Files, stubs: &[(&str, &str)]) -> PathBuf {
    let dir = files.dir.path().join("bin");
    std::fs::create_dir(&dir).unwrap();
    for tool in ["dirname", "awk"] {
        symlink(which(tool), dir.join(tool)).unwrap();
    }
    for (name, body) in stubs {
        let path = files.write(&format!("bin/{name}"), &format!("#!/bin/sh\n{body}\n"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    dir
}

/// Runs the quick start with only `path` on PATH: exit code and output.
fn quickstart(path: &Path) -> (Option<i32>, String) {
    let out = Command::new(which("bash"))
        .arg(root().join("scripts/quickstart.sh"))
        .env("PATH", path)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code(), text)
}

#[test]
fn a_missing_or_old_prerequisite_stops_the_quick_start_with_what_to_install() {
    let cargo = ("cargo", "echo cargo was run >&2; exit 3");
    let rustc = |v: &str| format!("echo 'rustc {v} (0000000 2025-01-01)'");
    // (the stubs on PATH, what the message says)
    type Case<'a> = (Vec<(&'a str, String)>, &'a [&'a str]);
    let cases: [Case; 4] = [
        (
            vec![],
            &[
                "cargo and rustc are needed, Rust 1.85 or later",
                "https://rustup.rs",
            ],
        ),
        (
            vec![(cargo.0, cargo.1.into()), ("rustc", rustc("1.84.1"))],
            &[
                "Rust 1.84.1 is too old",
                "1.85 or later (edition 2024)",
                "rustup update",
            ],
        ),
        (
            vec![(cargo.0, cargo.1.into()), ("rustc", rustc("0.99.0"))],
            &["Rust 0.99.0 is too old"],
        ),
        (
            vec![(cargo.0, cargo.1.into()), ("rustc", rustc("1.85.0"))],
            &["python3 is needed", "3.8 or later"],
        ),
    ];
    for (stubs, needles) in cases {
        let files = Files::new();
        let stubs: Vec<(&str, &str)> = stubs.iter().map(|(n, b)| (*n, b.as_str())).collect();
        let (code, text) = quickstart(&path_with(&files, &stubs));
        assert_eq!(code, Some(1), "{stubs:?}: {text}");
        for needle in needles {
            assert!(text.contains(needle), "{needle}: {text}");
        }
        assert!(text.starts_with("quickstart: "), "{text}");
        assert!(
            !text.contains("cargo was run"),
            "stopped before any build: {text}"
        );
    }
    // A recent enough Rust gets past the check, to the build (cargo's stub).
    let files = Files::new();
    // The interpreter itself: python3 on PATH may be a launcher that needs
    // more tools than this PATH has.
    let python = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .expect("python3, which the quick start needs");
    let python3 = format!(
        "exec {} \"$@\"",
        String::from_utf8_lossy(&python.stdout).trim()
    );
    let (code, text) = quickstart(&path_with(
        &files,
        &[cargo, ("rustc", &rustc("1.85.0")), ("python3", &python3)],
    ));
    assert_eq!(code, Some(3), "{text}");
    assert!(text.contains("cargo was run"), "{text}");
    assert!(text.contains("Rust 1.85.0"), "{text}");
}

/// scripts/release_dir.sh (sourced by the quick start, scripts/fake.sh, the
/// benchmark and the ci/ scripts) follows CARGO_TARGET_DIR, relative to the
/// repository's root as cargo reads it.
#[test]
fn the_scripts_find_the_binaries_under_cargo_target_dir() {
    let dir = |target: Option<&str>| {
        let mut c = Command::new(which("bash"));
        c.args(["-c", ". scripts/release_dir.sh && echo \"$RELEASE_DIR\""])
            .current_dir(root());
        match target {
            Some(t) => c.env("CARGO_TARGET_DIR", t),
            None => c.env_remove("CARGO_TARGET_DIR"),
        };
        let out = c.output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    let files = Files::new();
    let elsewhere = files.dir.path().join("build");
    assert_eq!(
        dir(Some(elsewhere.to_str().unwrap())),
        format!("{}/release", elsewhere.display())
    );
    assert_eq!(
        dir(Some("alt-target")),
        format!("{}/alt-target/release", root().display())
    );
    assert!(dir(None).ends_with("/release"));
}
