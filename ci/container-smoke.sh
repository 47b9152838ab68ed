#!/usr/bin/env bash
# Container smoke test, run by .ci/run: builds the image (ci/container.sh)
# and checks it: size under MAX_IMAGE_MB, user airbyte with UID/GID 1000,
# /airbyte owned and writable by it, sh/sleep/kill/mv present, an entrypoint,
# AIRBYTE_ENTRYPOINT and labels that match metadata.yaml; then runs it with
# `docker run`-style arguments against the fake Paystack on 127.0.0.1: spec,
# check (right and wrong key), discover, and a read of every stream of
# sample_files/configured_catalog.json, asserting the output. How Airbyte's
# platform runs it is ci/launcher-test.sh.
#
#   bash ci/container-smoke.sh        # as root, on Debian 12; idempotent
#
# The release build runs in the background while apt and debootstrap wait on
# the mirror. Environment: RECORDS (500 per stream), MAX_IMAGE_MB (30),
# KEEP_WORK=1 (keep the temporary directory, for debugging).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
. scripts/fake.sh
. ci/container.sh

records=${RECORDS:-500}
max_mb=${MAX_IMAGE_MB:-30}
key=$FAKE_KEY
wrong_key=sk_test_notthefakekey0000
helper=$root/ci/container_smoke.py

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
phase=setup
phase_t0=$(now)
timings=()
begin() {
  phase=$1
  phase_t0=$(now)
  printf -- '-- %s (%s)\n' "$phase" "$(date -u +%H:%M:%S)"
}
end() { timings+=("$(printf '%-22s %7s s  %s' "$phase" "$(secs "$phase_t0" "$(now)")" "${1:-}")"); }

work=$(mktemp -d /tmp/container-smoke.XXXXXX)
fake_pid=
cargo_pid=
cleanup() {
  local rc=$?
  set +e
  [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null
  if [ -n "$cargo_pid" ]; then # stop the background build: cargo, then its subshell
    [ -s "$work/cargo.pid" ] && kill "$(cat "$work/cargo.pid")" 2>/dev/null
    kill "$cargo_pid" 2>/dev/null
    wait "$cargo_pid" 2>/dev/null
  fi
  # a debootstrap that failed half-way may leave proc or sys mounted in the rootfs
  grep -o " $work/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
  if [ "${KEEP_WORK:-}" = 1 ]; then
    echo "container-smoke: kept $work" >&2
  else
    rm -rf --one-file-system "$work"
  fi
  [ "$rc" -eq 0 ] || echo "container-smoke: FAILED during '$phase' (exit $rc)" >&2
  exit "$rc"
}
trap cleanup EXIT
t_start=$(now)

# --- the release build, in the background: it is CPU-bound, while the
# install and debootstrap below mostly wait on the mirror.
printf -- '-- release build of source-paystack and fake-paystack, in the background (%s)\n' "$(date -u +%H:%M:%S)"
(
  t0=$(now)
  cargo build --release --locked -p source-paystack -p fake-paystack &
  echo $! >"$work/cargo.pid"
  wait $! && rc=0 || rc=$?
  secs "$t0" "$(now)" >"$work/cargo.secs"
  exit "$rc"
) >"$work/cargo.log" 2>&1 &
cargo_pid=$!

# --- 1. podman, runc, debootstrap, the base image ----------------------------
begin "podman and base image"
container_setup "$work"
end "$(podman --version), runc $(runc --version | sed -n 's/^runc version //p')"

# --- the release build ------------------------------------------------------
begin "wait for cargo"
if wait "$cargo_pid"; then
  cargo_pid=
else
  cargo_pid=
  ci_show "$work/cargo.log" 40
  ci_die "cargo build --release --locked -p source-paystack -p fake-paystack failed"
fi
end "the release build itself took $(cat "$work/cargo.secs") s"
for bin in source-paystack fake-paystack; do
  [ -x "$RELEASE_DIR/$bin" ] || ci_die "$RELEASE_DIR/$bin was not built"
done

# --- 3. the image: the runtime stage, with the host-built binary ------------
begin "image build"
image_build "$work"
image=$IMAGE
repo=$REPO
tag=$TAG
end "$image $(podman image inspect --format '{{.Id}}' "$image" | cut -c1-12)"

# --- 4. the image's metadata ------------------------------------------------
begin "inspect"
podman image inspect "$image" >"$work/inspect.json"
python3 "$helper" image "$work/inspect.json" "$repo" "$tag" "$max_mb" || ci_die "the image does not match"
# As the image's own user: who it is, what it has, where it may write.
podman run --rm --pull=never --http-proxy=false --entrypoint sh "$image" -c '
  echo "user $(id -un) $(id -u):$(id -g)"
  set -- $(ls -ldn /airbyte) && echo "airbyte dir $3:$4"
  touch /airbyte/probe && rm /airbyte/probe && echo "airbyte dir writable"
  for c in sh sleep kill mv; do command -v "$c" >/dev/null && echo "has $c"; done
  touch /usr/probe 2>/dev/null || echo "rest read-only to the user"
' >"$work/user.txt" 2>&1 || { ci_show "$work/user.txt"; ci_die "cannot run the image"; }
sed 's/^/   /' "$work/user.txt"
for want in "user airbyte 1000:1000" "airbyte dir 1000:1000" "airbyte dir writable" \
  "has sh" "has sleep" "has kill" "has mv" "rest read-only to the user"; do
  grep -qx "$want" "$work/user.txt" || ci_die "the image does not satisfy: $want"
done
size=$(python3 -c 'import json, sys; print("%.1f MB" % (json.load(open(sys.argv[1]))[0]["Size"] / 1e6))' "$work/inspect.json")
end "image size $size"

# --- 5. the connector in the image, against the fake Paystack ---------------
begin "connector runs"
start_fake "$work" --records "$records" || ci_die "the fake Paystack did not start"
fake_pid=$FAKE_PID
url=$FAKE_URL
echo "   fake Paystack at $url, $records records per stream"

# readable by the image's user: the directory 0755, the files 0644
data=$work/data
out=$work/out
mkdir -p "$data" "$out"
cat >"$data/config.json" <<EOF
{"secret_key": "$key", "start_date": "2024-01-01T00:00:00Z", "lookback_window_days": 0, "requests_per_minute": 100000}
EOF
sed "s/$key/$wrong_key/" "$data/config.json" >"$data/config-wrong-key.json"
cp sample_files/configured_catalog.json "$data/catalog.json"
chmod 0755 "$data"
chmod 0644 "$data"/*

run() { # NAME ARGS...: runs the image; keeps its stdout, stderr and exit code
  local name=$1 rc t0
  shift
  t0=$(now)
  podman run --rm --pull=never --http-proxy=false --network host -v "$data:/data:ro" \
    -e PAYSTACK_API_URL="$url" "$image" "$@" >"$out/$name.out" 2>"$out/$name.err" && rc=0 || rc=$?
  echo "$rc" >"$out/$name.rc"
  printf '   %-16s exit %s, %4s s, %5s stdout lines\n' "$name" "$rc" "$(secs "$t0" "$(now)")" "$(wc -l <"$out/$name.out")"
  if [ "$rc" -ge 125 ]; then # 125-127: podman or runc failed, not the connector
    ci_show "$out/$name.err"
    ci_die "podman run ... $* failed (exit $rc)"
  fi
}
run spec spec
run check check --config /data/config.json
run check-wrong-key check --config /data/config-wrong-key.json
run discover discover --config /data/config.json
run read read --config /data/config.json --catalog /data/catalog.json
if ! python3 "$helper" outputs "$out" "$url" "$data/catalog.json" "$key" "$wrong_key"; then
  for f in "$out"/*.err; do
    echo "   stderr of $(basename "$f" .err):" >&2
    ci_show "$f" 10
  done
  ci_die "the connector's output in the image is wrong"
fi
streams=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["streams"]))' "$data/catalog.json")
end "spec, check x2, discover, read of $streams streams x $records records"

# --- summary ----------------------------------------------------------------
phase=summary
echo "-- container smoke test passed: $image, $size"
for t in "${timings[@]}"; do echo "   $t"; done
printf '   %-22s %7s s\n' "total" "$(secs "$t_start" "$(now)")"
