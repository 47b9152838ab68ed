#!/usr/bin/env bash
# Quick start, no Paystack account needed: builds the connector and the fake
# Paystack, starts the fake on 127.0.0.1, runs a real `read` of every stream
# against it, and shows what came out, and the connector's accounting of each
# stream (records, pages, requests, retries, 429s, duplicates dropped, lists
# checked against Paystack's counts, shortfalls recovered).
#
#   bash scripts/quickstart.sh            # 1,000 records per stream
#   RECORDS=20000 bash scripts/quickstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/fake.sh

records=${RECORDS:-1000}
echo "== Building (release) source-paystack and fake-paystack"
echo "   (the first build compiles about 140 crates: a few minutes on 2 cores; cargo shows its progress)"
cargo build --release --locked -p source-paystack -p fake-paystack

work=$(mktemp -d)
fake_pid=
cleanup() {
  [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== Starting the fake Paystack ($records records per stream)"
start_fake "$work" --records "$records"
fake_pid=$FAKE_PID
url=$FAKE_URL
echo "   $url"

# The fake accepts sk_test_fakepaystack000. A test key is held to 100 requests a
# minute by default (Paystack's limit); the fake is not rate limited, so the
# demo lifts the cap.
cat >"$work/config.json" <<JSON
{"secret_key": "sk_test_fakepaystack000", "start_date": "2024-01-01T00:00:00Z",
 "lookback_window_days": 0, "requests_per_minute": 100000}
JSON

echo "== source-paystack check"
PAYSTACK_API_URL=$url target/release/source-paystack check --config "$work/config.json"

echo "== source-paystack read (every stream of sample_files/configured_catalog.json)"
start=$(date +%s.%N)
PAYSTACK_API_URL=$url target/release/source-paystack read \
  --config "$work/config.json" --catalog sample_files/configured_catalog.json \
  >"$work/messages.jsonl" 2>"$work/read.log"
end=$(date +%s.%N)

# discover gives each stream's cursor, for "the newest record" of each.
target/release/source-paystack discover --config "$work/config.json" >"$work/catalog.jsonl"
python3 scripts/summary.py "$work/messages.jsonl" "$work/catalog.jsonl" \
  "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "$work/read.log"
