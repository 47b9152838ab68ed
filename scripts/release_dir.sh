# shellcheck shell=bash
# Sourced (from the repository's root) by scripts/fake.sh, the quick start,
# the benchmark and the ci/ scripts: sets RELEASE_DIR to where
# `cargo build --release` puts the binaries: target/release, or the release
# folder of the target directory CARGO_TARGET_DIR (or cargo's
# build.target-dir setting) names.
RELEASE_DIR=$(cargo metadata --format-version 1 --no-deps 2>/dev/null |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])' 2>/dev/null) ||
  RELEASE_DIR=
RELEASE_DIR=${RELEASE_DIR:-${CARGO_TARGET_DIR:-$PWD/target}}/release
