# rolecall in a container, built from source:
#
#   docker build -t rolecall .
#   docker run --rm -v "$PWD:/src" rolecall scan .
#   docker run --rm -v "$PWD:/src" rolecall history
#
# The binary is static (CGO_ENABLED=0); the image is distroless: no shell,
# no package manager, CA certificates for --verify, and a non-root user.
# Releases publish the same layout from GoReleaser's binaries
# (Dockerfile.goreleaser, dockers_v2 in .goreleaser.yaml).

FROM golang:1.26 AS build
WORKDIR /go/src/rolecall
# Modules first, so a source change does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/rolecall ./cmd/rolecall

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/rolecall /usr/local/bin/rolecall
# The repository to scan is mounted here (pre-commit's docker language
# mounts it at /src too).
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/rolecall"]
CMD ["scan", "."]
