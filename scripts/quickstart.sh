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
cargo build --release --locked -q -p source-paystack -p fake-paystack

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

python3 - "$work/messages.jsonl" "$start" "$end" "$work/read.log" <<'PY'
import json, re, sys
from collections import defaultdict
path, start, end, log = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
records, states, status, first, last_state = defaultdict(int), defaultdict(int), {}, {}, {}
errors, lines = [], 0
for line in open(path):
    lines += 1
    m = json.loads(line)
    t = m["type"]
    if t == "RECORD":
        s = m["record"]["stream"]
        records[s] += 1
        first.setdefault(s, m["record"]["data"])
    elif t == "STATE":
        s = m["state"]["stream"]["stream_descriptor"]["name"]
        states[s] += 1
        last_state[s] = m["state"]["stream"]["stream_state"]
    elif t == "TRACE" and m["trace"]["type"] == "STREAM_STATUS":
        ss = m["trace"]["stream_status"]
        status[ss["stream_descriptor"]["name"]] = ss["status"]
    elif t == "TRACE" and m["trace"]["type"] == "ERROR":
        errors.append(m["trace"]["error"]["message"])
secs = end - start
print(f"\n{lines} protocol messages in {secs:.2f} s\n")
print(f"{'stream':<25}{'records':>9}{'states':>8}  {'status':<10} final state")
for s in sorted(set(status) | set(records)):
    print(f"{s:<25}{records[s]:>9}{states[s]:>8}  {status.get(s, '?'):<10} {json.dumps(last_state.get(s))}")
total = sum(records.values())
print(f"\n{total} records, {total / secs:,.0f} records/s")
# The connector's accounting line for each stream (its log, stderr): what it
# read, and how each list checked out against Paystack's own count.
accounting = {}
for line in open(log):
    m = re.search(r'Stream (?:complete|incomplete): (.*)\. stream="(\w+)"', line)
    if m:
        accounting[m.group(2)] = m.group(1)
print("\nper stream, from the connector's log:")
for s in sorted(accounting):
    print(f"  {s:<25}{accounting[s]}")
for s in sorted(first):
    text = json.dumps(first[s])
    print(f"\nnewest {s} record: {text[:300]}{'...' if len(text) > 300 else ''}")
for e in errors:
    print("ERROR:", e)
sys.exit(1 if errors else 0)
PY
