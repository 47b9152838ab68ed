# shellcheck shell=bash
# Sourced by scripts/quickstart.sh and the ci/ scripts:
#   start_fake DIR [fake-paystack flags...]
# starts the release build's fake-paystack ($RELEASE_DIR, see
# scripts/release_dir.sh) in the background with its output in DIR, waits
# for its "listening on" line, and sets FAKE_URL and FAKE_PID.
# FAKE_KEY is the key it accepts.
# It returns 1 (its log on stderr) when the fake does not start. Source it
# from the repository's root.
. scripts/release_dir.sh
FAKE_BIN=${FAKE_BIN:-$RELEASE_DIR/fake-paystack}
# The test key the fake accepts by default (it has digits, so secret-leak
# checks that only search values with a digit look for it).
FAKE_KEY=sk_test_fakepaystack000
start_fake() {
  local dir=$1
  shift
  "$FAKE_BIN" "$@" >"$dir/fake.out" 2>"$dir/fake.log" &
  FAKE_PID=$!
  local _
  for _ in $(seq 100); do
    grep -q "listening on" "$dir/fake.out" 2>/dev/null && break
    sleep 0.1
  done
  FAKE_URL=$(sed -n 's/.*listening on //p' "$dir/fake.out")
  if [ -z "$FAKE_URL" ]; then
    cat "$dir/fake.log" >&2
    echo "the fake Paystack did not start" >&2
    return 1
  fi
}
