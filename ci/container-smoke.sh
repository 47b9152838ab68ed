#!/usr/bin/env bash
# Container smoke test, run by .ci/run: builds the Dockerfile's runtime stage
# into an image with podman and runs it against the fake Paystack on
# 127.0.0.1: spec, check (right and wrong key), discover, and a read of every
# stream of sample_files/configured_catalog.json, asserting the output. It
# also checks the image: size under MAX_IMAGE_MB, a non-root user, and an
# entrypoint, AIRBYTE_ENTRYPOINT and labels that match metadata.yaml.
#
#   bash ci/container-smoke.sh        # as root, on Debian 12; idempotent
#
# How (shared/CONTAINER.md has the measurements behind each choice):
# - podman with runc (crun refuses the hybrid cgroups here), installed with
#   apt if missing; a containers.conf of our own (CONTAINERS_CONF) with
#   cgroupfs, a file events log and ulimits within the machine's hard limits;
#   overlay storage (vfs works too, but copies the rootfs for every layer
#   and container: runs take 2-4 s instead of 0.4 s).
# - No registry: the base image debian:bookworm-slim is made once with
#   debootstrap from the mirror apt already uses, and every podman command
#   gets --pull=never.
# - The release binary is built on the host (in the background, while apt
#   and debootstrap wait on the mirror) and handed to the build as the
#   `builder` stage (--build-context builder=DIR, DIR/out/source-paystack),
#   so only the runtime stage is built.
#
# Environment: RECORDS (500 per stream), MAX_IMAGE_MB (100),
# KEEP_WORK=1 (keep the temporary directory, for debugging).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
. scripts/fake.sh

records=${RECORDS:-500}
max_mb=${MAX_IMAGE_MB:-100}
base_image=docker.io/library/debian:bookworm-slim
key=sk_test_fakepaystack000
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
die() {
  echo "container-smoke: $*" >&2
  exit 1
}
show() { # the last lines of a log, indented
  [ -s "$1" ] && tail -n "${2:-30}" "$1" | sed 's/^/   | /' >&2 || true
}

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

[ "$(id -u)" = 0 ] || die "needs root (podman as root, apt-get, debootstrap)"

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

# --- 1. podman, runc, debootstrap -------------------------------------------
begin "install"
missing=()
for cmd in podman runc debootstrap; do # each package is named after its command
  command -v "$cmd" >/dev/null || missing+=("$cmd")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "   apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >"$work/apt.log" 2>&1 || { show "$work/apt.log"; die "apt-get update failed"; }
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$work/apt.log" 2>&1 ||
    { show "$work/apt.log"; die "apt-get install ${missing[*]} failed"; }
  end "apt-get install ${missing[*]}"
else
  end "podman, runc, debootstrap already there"
fi
echo "   $(podman --version), runc $(runc --version | sed -n 's/^runc version //p')"

# Our own configuration: the system's defaults are crun, journald and
# rlimits above what root may set here.
hard_nofile=$(ulimit -Hn)
[ "$hard_nofile" = unlimited ] && hard_nofile=1048576
hard_nproc=$(ulimit -Hu)
{ [ "$hard_nproc" = unlimited ] || [ "$hard_nproc" -gt 32768 ]; } && hard_nproc=32768
mkdir -p "$work/conf"
cat >"$work/conf/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$hard_nofile:$hard_nofile", "nproc=$hard_nproc:$hard_nproc"]
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
cat >"$work/conf/storage.conf" <<EOF
[storage]
driver = "overlay"
runroot = "/run/containers/storage"
graphroot = "/var/lib/containers/storage"
EOF
export CONTAINERS_CONF=$work/conf/containers.conf
export CONTAINERS_STORAGE_CONF=$work/conf/storage.conf

# --- 2. the base image, made locally ----------------------------------------
begin "base image"
if podman image exists "$base_image"; then
  end "$base_image exists"
else
  mirror=$(python3 "$helper" mirror bookworm) || die "cannot tell which Debian mirror apt uses"
  echo "   debootstrap --variant=minbase bookworm, from apt's mirror"
  rootfs=$work/rootfs
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { show "$work/debootstrap.log"; die "debootstrap failed"; }
  # Trim it like Debian's -slim images: no docs (but the copyrights), man
  # pages, info or locales, now and in packages installed later.
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
  find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
  rm -rf "$rootfs"/usr/share/{man,groff,info,lintian,linda}/* \
    "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
    "$rootfs"/var/cache/debconf/*-old "$rootfs"/var/lib/dpkg/*-old "$rootfs"/tmp/* "$rootfs"/var/tmp/*
  find "$rootfs/var/log" -type f -delete
  : >"$rootfs/etc/resolv.conf" # podman provides these two at run time
  : >"$rootfs/etc/hostname"
  echo "   rootfs $(du -sm "$rootfs" | cut -f1) MB; podman import as $base_image"
  tar -C "$rootfs" -c . | podman import -q --change 'CMD ["bash"]' - "$base_image" >/dev/null ||
    die "podman import failed"
  rm -rf --one-file-system "$rootfs"
  end "made, $(podman image inspect --format '{{.Size}}' "$base_image" | awk '{ printf "%.1f MB", $1 / 1e6 }')"
fi

# --- the release build ------------------------------------------------------
begin "wait for cargo"
if wait "$cargo_pid"; then
  cargo_pid=
else
  cargo_pid=
  show "$work/cargo.log" 40
  die "cargo build --release --locked -p source-paystack -p fake-paystack failed"
fi
end "the release build itself took $(cat "$work/cargo.secs") s"
for bin in source-paystack fake-paystack; do
  [ -x "target/release/$bin" ] || die "target/release/$bin was not built"
done

# --- 3. the image: the runtime stage, with the host-built binary ------------
begin "image build"
read -r repo tag < <(python3 "$helper" expect) || die "no image name and tag (metadata.yaml, Cargo.toml)"
image=localhost/$repo:$tag
old_id=$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
install -D -m 0755 target/release/source-paystack "$work/builder/out/source-paystack"
podman build --pull=never --target runtime --build-context builder="$work/builder" \
  -t "$image" -f Dockerfile . >"$work/build.log" 2>&1 ||
  { show "$work/build.log"; die "podman build failed"; }
new_id=$(podman image inspect --format '{{.Id}}' "$image")
# a reused machine would otherwise keep an untagged image per binary change
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
  podman rmi "$old_id" >/dev/null 2>&1 || true
fi
end "$image ${new_id:0:12}"

# --- 4. the image's metadata ------------------------------------------------
begin "inspect"
podman image inspect "$image" >"$work/inspect.json"
python3 "$helper" image "$work/inspect.json" "$repo" "$tag" "$max_mb" || die "the image does not match"
uid=$(podman run --rm --pull=never --http-proxy=false --entrypoint /usr/bin/id "$image" -u) ||
  die "cannot run the image"
[ "$uid" != 0 ] || die "the container runs as root"
echo "   runs as uid $uid"
size=$(python3 -c 'import json, sys; print("%.1f MB" % (json.load(open(sys.argv[1]))[0]["Size"] / 1e6))' "$work/inspect.json")
end "image size $size"

# --- 5. the connector in the image, against the fake Paystack ---------------
begin "connector runs"
start_fake "$work" --records "$records" || die "the fake Paystack did not start"
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
    show "$out/$name.err"
    die "podman run ... $* failed (exit $rc)"
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
    show "$f" 10
  done
  die "the connector's output in the image is wrong"
fi
streams=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["streams"]))' "$data/catalog.json")
end "spec, check x2, discover, read of $streams streams x $records records"

# --- summary ----------------------------------------------------------------
phase=summary
echo "-- container smoke test passed: $image, $size"
for t in "${timings[@]}"; do echo "   $t"; done
printf '   %-22s %7s s\n' "total" "$(secs "$t_start" "$(now)")"
