#!/usr/bin/env bash
# Quick start, no Paystack account needed: checks the prerequisites, builds
# the connector and the fake Paystack, starts the fake on 127.0.0.1, runs a
# real `read` of every stream against it, and shows what came out, and the
# connector's accounting of each stream (records, pages, requests, retries,
# 429s, duplicates dropped, lists checked against Paystack's counts,
# shortfalls recovered). It ends with the next steps.
#
#   bash scripts/quickstart.sh            # 1,000 records per stream
#   RECORDS=20000 bash scripts/quickstart.sh
#
# The binaries go where cargo puts them: target/release, or under
# CARGO_TARGET_DIR when it is set.
set -euo pipefail
cd "$(dirname "$0")/.."

# Prerequisites: Rust 1.85 or later (the crates use edition 2024), python3
# (the summary). curl is not needed here, only by the README's "Try it by
# hand".
missing() {
  echo "quickstart: $1" >&2
  exit 1
}
command -v cargo >/dev/null && command -v rustc >/dev/null ||
  missing "cargo and rustc are needed, Rust 1.85 or later: install them from https://rustup.rs (then open a new shell), and run this again."
rust=$(rustc --version | awk '{print $2}')
case $(printf '%s\n' "$rust" | awk -F. '{ print ($1 > 1 || ($1 == 1 && $2 >= 85)) ? "ok" : "old" }') in
ok) ;;
*) missing "Rust $rust is too old: this project needs 1.85 or later (edition 2024). Run 'rustup update' (or install Rust from https://rustup.rs), and run this again." ;;
esac
command -v python3 >/dev/null ||
  missing "python3 is needed (it prints the summary): install Python 3.8 or later (for example 'apt install python3' or 'brew install python'), and run this again."
python3 -c 'import sys; sys.exit(sys.version_info < (3, 8))' ||
  missing "python3 is $(python3 --version 2>&1 | awk '{print $2}'); the summary needs 3.8 or later: install a newer Python 3, and run this again."
command -v curl >/dev/null ||
  echo "   (curl is not installed: the quick start does not need it, but the README's \"Try it by hand\" does)"

. scripts/fake.sh

records=${RECORDS:-1000}
echo "== Building (release) source-paystack and fake-paystack, Rust $rust, into $RELEASE_DIR"
echo "   (the first build compiles about 140 crates: a few minutes on 2 cores; cargo shows its progress)"
cargo build --release --locked -p source-paystack -p fake-paystack
connector=$RELEASE_DIR/source-paystack

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
PAYSTACK_API_URL=$url "$connector" check --config "$work/config.json"

echo "== source-paystack read (every stream of sample_files/configured_catalog.json)"
start=$(date +%s.%N)
PAYSTACK_API_URL=$url "$connector" read \
  --config "$work/config.json" --catalog sample_files/configured_catalog.json \
  >"$work/messages.jsonl" 2>"$work/read.log"
end=$(date +%s.%N)

# discover gives each stream's cursor, for "the newest record" of each.
"$connector" discover --config "$work/config.json" >"$work/catalog.jsonl"
python3 scripts/summary.py "$work/messages.jsonl" "$work/catalog.jsonl" \
  "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "$work/read.log"

# Where the binaries are, as a path to type: relative when under here.
shown=${connector#"$PWD"/}
cat <<NEXT

== Next steps
The connector is built: $shown
- Try it by hand, one command at a time, against the fake Paystack: check, discover,
  read, and a second read that resumes from the state (README.md, "Try it by hand").
- Against Paystack: cp sample_files/config.json config.json, put your secret key
  and start date in it, then
    $shown check --config config.json
- Docker: docker build -t airbyte/source-paystack:dev . (README.md, "Docker").
- In Airbyte (OSS and Self-Managed): add the image as a custom Docker connector
  (README.md, "Docker"; docs/paystack.md has the steps). From Python: README.md,
  "From PyAirbyte".
NEXT
