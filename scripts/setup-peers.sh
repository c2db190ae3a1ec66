#!/usr/bin/env bash
# The real backends the contract tests talk to, cached in .cache/peers:
# - Zipkin: the io.zipkin:zipkin-server exec jar from Maven Central (Maven keeps its own ~/.m2 cache);
# - Jaeger: the all-in-one built from its Go module (test/peers/jaeger pins v1.76.0; Go's module and
#   build caches make a rebuild on the same machine take seconds; the first build takes minutes).
set -euo pipefail
ZIPKIN=3.5.1
JAEGER=1.76.0
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="$ROOT/.cache/peers"
mkdir -p "$DIR"
for tool in java mvn go; do
  command -v "$tool" >/dev/null || { echo "setup-peers: '$tool' is missing (Java 17+, Maven and Go 1.24+ are needed for the real Zipkin and Jaeger)" >&2; exit 1; }
done
if [ ! -f "$DIR/zipkin-server-$ZIPKIN-exec.jar" ]; then
  echo "zipkin $ZIPKIN: fetching the server jar from Maven Central"
  (cd "$DIR" && mvn -q -B dependency:copy "-Dartifact=io.zipkin:zipkin-server:$ZIPKIN:jar:exec" "-DoutputDirectory=$DIR" >"$DIR/zipkin-fetch.log" 2>&1) \
    || { echo "zipkin: fetch failed; see .cache/peers/zipkin-fetch.log" >&2; exit 1; }
fi
echo "zipkin $ZIPKIN: ok"
if [ ! -x "$DIR/jaeger-$JAEGER" ]; then
  echo "jaeger $JAEGER: building cmd/jaeger from the Go module (minutes the first time)"
  (cd "$ROOT/test/peers/jaeger" && GOFLAGS=-mod=mod go build -o "$DIR/jaeger-$JAEGER.tmp" github.com/jaegertracing/jaeger/cmd/jaeger >"$DIR/jaeger-build.log" 2>&1) \
    || { echo "jaeger: build failed; see .cache/peers/jaeger-build.log" >&2; exit 1; }
  mv "$DIR/jaeger-$JAEGER.tmp" "$DIR/jaeger-$JAEGER"
fi
echo "jaeger $JAEGER: ok"
