#!/usr/bin/env bash
# The dbt package (dbt/) built on real data: two fake Paystack businesses
# (other seeds, sizes and spans) are read with PyAirbyte into two schemas of
# one DuckDB file (the second one twice, see below), then `dbt build`
# (models, data tests, unit tests) runs for one business and for the two
# unioned, and for the second one landed as Airbyte's destinations name
# and type columns. Any failing model or test fails the script, as do a
# staging model that keeps a stale copy of a record and marts that differ
# between the two namings (ci/dbt_summary.py); it ends with the rows of
# each mart and the test counts.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
. scripts/fake.sh
. ci/pyairbyte-venv.sh
dbt_venv=$(realpath -m "${DBT_VENV:-target/dbt-venv}")
# dbt-core and its DuckDB adapter, and the DuckDB PyAirbyte writes with (a
# file is read by the DuckDB that wrote it or a newer one; one version for
# both keeps the file readable by each).
dbt_packages=(dbt-core==1.11.16 dbt-duckdb==1.11.1 duckdb==1.4.3)

step() { printf -- '-- %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }
started=$(date +%s)

step "build the connector and the fake Paystack (release)"
cargo build --release --locked -q -p source-paystack -p fake-paystack

ensure_pyairbyte
if ! "$dbt_venv/bin/pip" freeze 2>/dev/null | grep -qxF "${dbt_packages[0]}"; then
  step "install ${dbt_packages[*]} into $dbt_venv"
  python3 -m venv "$dbt_venv"
  "$dbt_venv/bin/pip" install -q --disable-pip-version-check "${dbt_packages[@]}"
fi

work=$(mktemp -d)
fake_pids=()
cleanup() {
  for pid in "${fake_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
warehouse=$work/warehouse.duckdb

# Reads the fake at $FAKE_URL into schema $1 ($2: `append`, or nothing).
load() {
  local schema=$1 mode=${2:-}
  mkdir -p "$work/$schema"
  (cd "$work/$schema" && env "${PYAIRBYTE_ENV[@]}" "$PYAIRBYTE_VENV/bin/python" \
    "$root/ci/dbt_load.py" "$RELEASE_DIR/source-paystack" "$FAKE_URL" "$warehouse" "$schema" \
    $mode >load.log 2>&1) || { cat "$work/$schema/load.log"; exit 1; }
  tail -n 1 "$work/$schema/load.log"
}
# METHOD PATH: the fake's admin endpoint's answer (python3: CI has no curl).
admin() {
  python3 -c 'import sys, urllib.request as u
req = u.Request(sys.argv[2], method=sys.argv[1])
sys.stdout.write(u.build_opener(u.ProxyHandler({})).open(req, timeout=60).read().decode())' \
    "$1" "$FAKE_URL/__admin/$2"
}

step "business ng: fake-paystack --records 300 --seed 1, read with PyAirbyte"
start_fake "$work" --records 300 --seed 1
fake_pids+=("$FAKE_PID")
load paystack_ng
kill "$FAKE_PID"

# Business gh is read twice, in append mode the second time, with records
# changed in between (subscriptions cancelled, charges' status moved): the
# staging models must keep one row per record, its newest copy. The
# subscriptions change twice, so that active ones (paid once, an unpaid
# invoice for the next period) end up cancelled: with no cancelledAt nor
# updatedAt, their end comes from that invoice (ci/dbt_summary.py).
step "business gh: fake-paystack --records 120 --seed 7 over 2025, read, changed, read again (append)"
mkdir -p "$work/gh"
start_fake "$work/gh" --records 120 --seed 7 --start 2025-01-01 --end 2026-01-01
fake_pids+=("$FAKE_PID")
load paystack_gh
for change in subscriptions:2025-12-10 subscriptions:2025-12-15 transactions:2025-12-15; do
  stream=${change%%:*}
  admin POST "change?stream=$stream&older_than=2025-12-01T00:00:00Z&count=12&at=${change#*:}T00:00:00Z" >/dev/null
  admin GET "records?stream=$stream" >"$work/gh-$stream.json"
done
load paystack_gh append
kill "$FAKE_PID"

build() {
  local name=$1 sources=$2
  step "dbt build: $name"
  (cd dbt && PAYSTACK_DUCKDB=$warehouse DBT_SCHEMA=$name \
    DBT_TARGET_PATH=$work/dbt-$name DBT_LOG_PATH=$work/dbt-$name DBT_SEND_ANONYMOUS_USAGE_STATS=false \
    "$dbt_venv/bin/dbt" build --profiles-dir "$root/ci/dbt" --vars "{paystack_sources: $sources}" \
    >"$work/dbt-$name.log" 2>&1) || { cat "$work/dbt-$name.log"; exit 1; }
  grep -E "Done\. PASS" "$work/dbt-$name.log" | sed 's/^.*Done/Done/'
  # The tests that warn (relationships the fake's data cannot satisfy), and
  # how many rows each found.
  grep -E "Warning in test|Got [0-9]+ result" "$work/dbt-$name.log" |
    sed -E 's/\x1b\[[0-9;]*m//g; s/^[0-9:]+ +//; s/ \(models.*//; s/^/  /' | paste -d' ' - - || true
}
build one_business '[{schema: paystack_ng, name: ng}]'
build two_businesses '[{schema: paystack_ng, name: ng}, {schema: paystack_gh, name: gh}]'

# Business gh again, its tables as Airbyte's destinations name and type
# them: the marts must be the same as on PyAirbyte's (ci/dbt_summary.py).
step "business gh as Airbyte's destinations land it"
"$dbt_venv/bin/python" "$root/ci/dbt_airbyte_naming.py" "$warehouse" paystack_gh paystack_gh_airbyte "$root/schemas"
build airbyte_naming '[{schema: paystack_gh_airbyte, name: gh}]'

step "what the marts hold"
"$dbt_venv/bin/python" "$root/ci/dbt_summary.py" "$warehouse" "$work" \
  "one_business:$work/dbt-one_business" "two_businesses:$work/dbt-two_businesses" \
  "airbyte_naming:$work/dbt-airbyte_naming"
echo "ci/dbt.sh: OK in $(($(date +%s) - started)) s"
