#!/usr/bin/env bash
# A real client: PyAirbyte (the `airbyte` package from PyPI) runs the built
# connector as a local-executable source against the fake Paystack, reads
# every stream into its default DuckDB cache, and the tables are checked
# against what the fake served (ci/pyairbyte_read.py): row counts, the type
# of every column (from the stream's schema, as PyAirbyte maps it) and the
# values in each, drifted ones included.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
. scripts/fake.sh
. ci/pyairbyte-venv.sh
records=${RECORDS:-300}

step() { printf -- '-- %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }

step "build the connector and the fake Paystack (release)"
cargo build --release --locked -q -p source-paystack -p fake-paystack

ensure_pyairbyte

work=$(mktemp -d)
fake_pid=
cleanup() {
  [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

step "start the fake Paystack ($records records per stream)"
start_fake "$work" --records "$records"
fake_pid=$FAKE_PID
url=$FAKE_URL

step "read every stream with PyAirbyte into DuckDB"
cd "$work"
env "${PYAIRBYTE_ENV[@]}" "$PYAIRBYTE_VENV/bin/python" "$root/ci/pyairbyte_read.py" \
  "$RELEASE_DIR/source-paystack" "$url"
