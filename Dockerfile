# Airbyte source image for source-paystack.
#
# Full build (any platform; Debian's images are multi-arch, nothing here
# names an architecture, so each platform is compiled natively):
#   docker build -t airbyte/source-paystack:dev .
#   docker buildx build --platform linux/amd64,linux/arm64 -t REGISTRY/source-paystack:TAG --push .
# CI fast path: the release binary is built on the host and handed over as
# the `builder` stage, so only the last two stages are built:
#   podman build --target runtime --build-context builder=DIR .
#   (DIR holds out/source-paystack; see ci/container.sh.)
#
# What the image must be for Airbyte's platform (ci/launcher-test.sh proves
# each point by running the platform's own launch script against it):
# - user `airbyte`, UID/GID 1000, the platform's rootless pods' user;
# - /airbyte owned by it; the connector writes nothing anywhere (stdout and
#   stderr only), so it runs with a read-only root filesystem;
# - `sh`, `sleep`, `kill` (a sh builtin) and `mv`, which the launcher's
#   `sh -c` wrapper uses, and a few more for a person who opens a shell;
# - AIRBYTE_ENTRYPOINT equal to ENTRYPOINT, with an absolute path (the
#   platform runs it from /source or /config).

FROM rust:1-slim-bookworm AS builder
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin source-paystack \
 && install -D -m 0755 target/release/source-paystack /out/source-paystack

# The runtime's file system, taken from Debian: the programs named below,
# every library they and the connector load (found with ldd, so the paths
# fit the platform), and the few files and directories a container needs.
# No package manager, no perl, no docs: the image weighs 16 MB, of which the
# connector is 10 MB (bookworm-slim alone is 77 MB).
FROM debian:bookworm-slim AS rootfs
COPY --from=builder /out/source-paystack /tmp/source-paystack
RUN set -eu; \
    root=/rootfs; \
    mkdir -p "$root/etc" "$root/tmp" "$root/airbyte" "$root/usr/local/bin"; \
    for d in /bin /lib /lib64; do \
        if [ -L "$d" ]; then cp -a "$d" "$root/"; fi; \
    done; \
    keep() { \
        p=$1; \
        while :; do \
            d=$(cd "$(dirname "$p")" && pwd -P); \
            p="$d/$(basename "$p")"; \
            cp -a --parents "$p" "$root"; \
            [ -L "$p" ] || break; \
            t=$(readlink "$p"); \
            case "$t" in /*) p=$t ;; *) p="$d/$t" ;; esac; \
        done; \
    }; \
    for prog in sh dash sleep mv cat cp rm ls mkdir mkfifo touch ln id env \
                head tail wc tr sort date chmod basename dirname; do \
        keep "/usr/bin/$prog"; \
    done; \
    for exe in /tmp/source-paystack "$root"/usr/bin/*; do \
        ldd "$exe" | grep -o '/[^ ]*' | while read -r lib; do keep "$lib"; done; \
    done; \
    chmod 1777 "$root/tmp"; \
    chown 1000:1000 "$root/airbyte"; \
    printf 'root:x:0:0:root:/root:/bin/sh\nairbyte:x:1000:1000:airbyte:/airbyte:/bin/sh\n' >"$root/etc/passwd"; \
    printf 'root:x:0:\nairbyte:x:1000:\n' >"$root/etc/group"; \
    cp /etc/nsswitch.conf "$root/etc/"; \
    : >"$root/etc/hosts"; \
    : >"$root/etc/resolv.conf"

FROM scratch AS runtime
COPY --from=rootfs /rootfs/ /
COPY --from=builder /out/source-paystack /usr/local/bin/source-paystack
USER 1000:1000
WORKDIR /airbyte
ENV PATH=/usr/local/bin:/usr/bin:/bin
ENV AIRBYTE_ENTRYPOINT="/usr/local/bin/source-paystack"
ENTRYPOINT ["/usr/local/bin/source-paystack"]
LABEL io.airbyte.name="airbyte/source-paystack" \
      io.airbyte.version="0.4.0"
