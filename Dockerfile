# The connectmail container image. One file for both tools: podman and buildah
# read Dockerfile when there is no Containerfile, and docker's BuildKit cannot
# build through a symlinked Dockerfile (moby/buildkit#2119), so there is no
# Containerfile twin.
#
#   podman build --format docker -t connectmail .      (or: docker build -t connectmail .)
#   podman run --rm -e CONNECTMAIL_EMULATOR=1 -p 127.0.0.1:4580:4580 -p 127.0.0.1:2525:2525 connectmail
#
# The server listens on 0.0.0.0 inside the container, so it refuses to start
# until told how callers authenticate: CONNECTMAIL_EMULATOR=1 (the public
# test/test key, for CI and local development) or a mounted credentials file:
#   -e CONNECTMAIL_CREDENTIALS=/run/secrets/creds.json
#
# The builder is any image with a Go toolchain at least as new as go.mod's
# go line, a shell, mkdir and chmod (the official golang image; the tests use
# one made from the machine's own toolchain). Modules come from GOPROXY;
# nothing else is downloaded. RUN --mount needs BuildKit (docker 23 and
# later by default) or podman/buildah.
ARG GO_IMAGE=docker.io/library/golang:1.26

FROM ${GO_IMAGE} AS build
ARG GOPROXY=https://proxy.golang.org,direct
# What `connectmail version` reports (scripts/release.sh passes both).
ARG VERSION=
ARG COMMIT=
# A CI job may point GOCACHE at a mounted compile cache (podman build -v).
ARG GOCACHE=/root/.cache/go-build
ENV CGO_ENABLED=0 GOFLAGS=-mod=readonly GOPROXY=${GOPROXY} GOCACHE=${GOCACHE}
WORKDIR /src
COPY . .
# The module and build caches persist between builds (BuildKit and Buildah
# both keep type=cache mounts), so a rebuild after a source change compiles
# only what changed.
RUN --mount=type=cache,id=connectmail-gomod,target=/go/pkg/mod \
    --mount=type=cache,id=connectmail-gobuild,target=/root/.cache/go-build \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" \
      -o /out/connectmail ./cmd/connectmail && \
    mkdir -p /out/data /out/tmp /out/etc && chmod 1777 /out/tmp && \
    echo 'connectmail:x:65532:65532:connectmail:/data:/nonexistent' > /out/etc/passwd && \
    echo 'connectmail:x:65532:' > /out/etc/group

FROM scratch
ARG VERSION=
ARG COMMIT=
LABEL org.opencontainers.image.title="connectmail" \
      org.opencontainers.image.description="Self-hosted, wire-compatible Amazon Connect email channel (set CONNECTMAIL_EMULATOR=1 or mount credentials; see README)" \
      org.opencontainers.image.source="https://github.com/connectmail/connectmail" \
      org.opencontainers.image.url="https://github.com/connectmail/connectmail" \
      org.opencontainers.image.documentation="https://github.com/connectmail/connectmail#run-it-in-a-container--ci" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${COMMIT}"
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/etc/passwd /out/etc/group /etc/
COPY --from=build /out/tmp /tmp
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build /out/connectmail /connectmail
USER 65532:65532
WORKDIR /data
VOLUME ["/data"]
# HTTP: AWS APIs, web UI (/ui/), inspection API (/api/v1/), /metrics, /healthz.
EXPOSE 4580
# Inbound SMTP (customer mail and replies).
EXPOSE 2525
ENV CONNECTMAIL_ADDR=0.0.0.0:4580 \
    CONNECTMAIL_SMTP_ADDR=0.0.0.0:2525 \
    CONNECTMAIL_DB=sqlite:/data/connectmail.db
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 CMD ["/connectmail", "healthcheck"]
ENTRYPOINT ["/connectmail"]
CMD ["serve"]
