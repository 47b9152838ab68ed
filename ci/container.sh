# shellcheck shell=bash
# Sourced by the container checks (ci/container-smoke.sh, ci/launcher-test.sh,
# ci/standard-tests.sh): podman set up without a Docker engine or a registry,
# and the connector's image built from the Dockerfile. Each step is skipped
# when already done, so every script also runs on its own.
#
#   container_setup WORK    podman, runc, debootstrap (apt), our podman
#                           configuration, the base image; exports
#                           CONTAINERS_CONF and CONTAINERS_STORAGE_CONF
#   release_build           cargo build --release of the connector and the
#                           fake Paystack (a no-op when up to date)
#   image_build WORK        the Dockerfile's runtime stage with the host-built
#                           binary ($RELEASE_DIR: source scripts/fake.sh or
#                           scripts/release_dir.sh first); sets IMAGE
#                           (localhost/REPO:TAG), REPO, TAG
#
# Why this way (measured on the CI kind of machine: Debian 12, root, no
# registry, no Docker engine):
# - podman with runc: crun, podman's default, refuses this machine's hybrid
#   cgroups. Our containers.conf uses cgroupfs, a file events log and ulimits
#   within the machine's hard limits (root here lacks CAP_SYS_RESOURCE).
#   Overlay storage: vfs works too but copies the rootfs for every layer and
#   container (runs take 2-4 s instead of 0.4 s).
# - No registry: the one base image, debian:bookworm-slim, is made with
#   debootstrap from the mirror apt already uses, and every podman command
#   gets --pull=never.
# - Cargo cannot download crates from inside a container here, so the
#   release binary is built on the host and handed to the build as the
#   Dockerfile's `builder` stage (--build-context builder=DIR); the Dockerfile
#   is otherwise built as it is everywhere.

CI_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BASE_IMAGE=docker.io/library/debian:bookworm-slim

ci_say() { printf '   %s\n' "$*"; }
ci_die() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}
ci_show() { # the last lines of a log, indented
  [ -s "$1" ] && tail -n "${2:-30}" "$1" | sed 's/^/   | /' >&2 || true
}

# apt-get install PACKAGE... (quietly; the log on failure)
ci_apt_install() {
  local log
  log=$(mktemp)
  export DEBIAN_FRONTEND=noninteractive
  if [ "${CI_APT_UPDATED:-}" != 1 ]; then
    apt-get update -qq >"$log" 2>&1 || { ci_show "$log"; ci_die "apt-get update failed"; }
    CI_APT_UPDATED=1
  fi
  apt-get install -y -qq --no-install-recommends "$@" >>"$log" 2>&1 ||
    { ci_show "$log"; ci_die "apt-get install $* failed"; }
  rm -f "$log"
}

container_setup() {
  local work=$1 missing=() cmd
  [ "$(id -u)" = 0 ] || ci_die "needs root (podman as root, apt-get, debootstrap)"
  for cmd in podman runc debootstrap; do # each package is named after its command
    command -v "$cmd" >/dev/null || missing+=("$cmd")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    ci_say "apt-get install ${missing[*]}"
    ci_apt_install "${missing[@]}"
  fi

  local conf=/etc/source-paystack-ci hard_nofile hard_nproc
  hard_nofile=$(ulimit -Hn)
  [ "$hard_nofile" = unlimited ] && hard_nofile=1048576
  hard_nproc=$(ulimit -Hu)
  { [ "$hard_nproc" = unlimited ] || [ "$hard_nproc" -gt 32768 ]; } && hard_nproc=32768
  mkdir -p "$conf"
  cat >"$conf/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$hard_nofile:$hard_nofile", "nproc=$hard_nproc:$hard_nproc"]
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
  cat >"$conf/storage.conf" <<EOF
[storage]
driver = "overlay"
runroot = "/run/containers/storage"
graphroot = "/var/lib/containers/storage"
EOF
  export CONTAINERS_CONF=$conf/containers.conf CONTAINERS_STORAGE_CONF=$conf/storage.conf

  if podman image exists "$BASE_IMAGE"; then
    return 0
  fi
  local mirror rootfs=$work/rootfs
  mirror=$(python3 "$CI_DIR/container_smoke.py" mirror bookworm) || ci_die "cannot tell which Debian mirror apt uses"
  ci_say "debootstrap --variant=minbase bookworm, from apt's mirror"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { ci_show "$work/debootstrap.log"; ci_die "debootstrap failed"; }
  # Trimmed like Debian's -slim images: no docs (but the copyrights), man
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
  ci_say "rootfs $(du -sm "$rootfs" | cut -f1) MB; podman import as $BASE_IMAGE"
  tar -C "$rootfs" -c . | podman import -q --change 'CMD ["bash"]' - "$BASE_IMAGE" >/dev/null ||
    ci_die "podman import failed"
  rm -rf --one-file-system "$rootfs"
}

release_build() {
  cargo build --release --locked -p source-paystack -p fake-paystack
}

image_build() {
  local work=$1 old_id new_id
  read -r REPO TAG < <(python3 "$CI_DIR/container_smoke.py" expect) || ci_die "no image name and tag (metadata.yaml, Cargo.toml)"
  IMAGE=localhost/$REPO:$TAG
  old_id=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
  install -D -m 0755 "$RELEASE_DIR/source-paystack" "$work/builder/out/source-paystack"
  podman build --pull=never --target runtime --build-context builder="$work/builder" \
    -t "$IMAGE" -f Dockerfile . >"$work/build.log" 2>&1 ||
    { ci_show "$work/build.log"; ci_die "podman build failed"; }
  new_id=$(podman image inspect --format '{{.Id}}' "$IMAGE")
  # a reused machine would otherwise keep an untagged image per binary change
  if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
    podman rmi "$old_id" >/dev/null 2>&1 || true
  fi
}
