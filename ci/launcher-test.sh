#!/usr/bin/env bash
# Airbyte's launcher contract, run by .ci/run: the image (built by
# ci/container.sh) run exactly as Airbyte's workload launcher runs it, with
# the platform's own `sh -c` scripts, as UID 1000 on a read-only root file
# system, stdout and stderr on named pipes, against the fake Paystack:
# spec/check/discover pods (jobOutput.json), a read without and with a state
# file, a cancelled sync (TERMINATED) and a `docker stop`, each resumed with
# nothing lost. ci/launcher_test.py has the cases and cites the platform's
# source for each rule.
#
#   bash ci/launcher-test.sh        # as root, on Debian 12; idempotent
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/fake.sh
. ci/container.sh

work=$(mktemp -d /tmp/launcher-test.XXXXXX)
chmod 0755 "$work"
fake_pid=
cleanup() {
  local rc=$?
  [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null
  rm -rf --one-file-system "$work"
  [ "$rc" -eq 0 ] || echo "launcher-test: FAILED (exit $rc)" >&2
  exit "$rc"
}
trap cleanup EXIT
t0=$(date +%s)

container_setup "$work"
release_build >"$work/cargo.log" 2>&1 || { ci_show "$work/cargo.log" 40; ci_die "cargo build --release failed"; }
image_build "$work"
start_fake "$work" --records "${RECORDS:-500}" || ci_die "the fake Paystack did not start"
fake_pid=$FAKE_PID
echo "   $IMAGE, fake Paystack at $FAKE_URL"
python3 ci/launcher_test.py "$IMAGE" "$FAKE_URL" "$FAKE_KEY" "$work"
echo "-- launcher test passed in $(($(date +%s) - t0)) s"
