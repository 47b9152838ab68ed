#!/usr/bin/env bash
# The benchmark (see bench/README.md): builds the release binaries, then runs
# source-paystack against the fake Paystack in ten scenarios,
# each with concurrency on (the defaults) and off, and prints one table of
# records/s, requests/s, MB/s and peak RSS next to the targets; and an
# eleventh, a month of daily syncs with and without the refresh sweep, with
# its own table of the requests the sweep adds.
#
#   bash scripts/bench.sh              # the full benchmark, about 25 minutes
#   bash scripts/bench.sh --quick      # a smoke check (not a measurement)
#   bash scripts/bench.sh --only 1     # one scenario; --help for every flag
#   bash scripts/bench.sh --only 11    # the refresh sweep's cost (~35 s)
#
# Exit status: 0 when every target is met, 1 when one is not, 2 on an error.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q -p source-paystack -p fake-paystack -p bench
. scripts/release_dir.sh
exec "$RELEASE_DIR/bench" "$@"
