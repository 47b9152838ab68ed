# Airbyte source image for source-paystack.
#
# Full build:      docker build -t airbyte/source-paystack:dev .
# CI fast path:    the release binary is built on the host and handed over as
#                  the `builder` stage: podman build --target runtime
#                  --build-context builder=DIR (DIR holds out/source-paystack).
#                  See ci/container-smoke.sh.

FROM rust:1-slim-bookworm AS builder
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin source-paystack \
 && install -D -m 0755 target/release/source-paystack /out/source-paystack

FROM debian:bookworm-slim AS runtime
# A fixed, unprivileged user. TLS uses rustls with bundled roots, so no
# packages (and no apt step) are needed.
RUN echo 'airbyte:x:10001:10001:airbyte:/nonexistent:/usr/sbin/nologin' >> /etc/passwd \
 && echo 'airbyte:x:10001:' >> /etc/group
COPY --from=builder /out/source-paystack /usr/local/bin/source-paystack
USER 10001:10001
WORKDIR /tmp
ENV AIRBYTE_ENTRYPOINT="/usr/local/bin/source-paystack"
ENTRYPOINT ["/usr/local/bin/source-paystack"]
LABEL io.airbyte.name="airbyte/source-paystack" \
      io.airbyte.version="0.1.0"
