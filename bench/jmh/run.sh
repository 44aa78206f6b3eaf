#!/usr/bin/env bash
# Builds bench/jmh (root pom profile "bench") and runs the route table benchmarks and the memory-per-route
# measurement; results go to bench/jmh/results/<timestamp>.{json,txt}. About 3 minutes on 2 cores.
# Settings (environment variables): FORKS=3 WARMUP_ITERATIONS=2 ITERATIONS=3 ITERATION_TIME=500ms
#   BENCHMARKS='RouteTable|FreshHostString' (JMH include regex)  MEMORY_ROUTES=100000
set -euo pipefail

FORKS=${FORKS:-3}
WARMUP_ITERATIONS=${WARMUP_ITERATIONS:-2}
ITERATIONS=${ITERATIONS:-3}
ITERATION_TIME=${ITERATION_TIME:-500ms}
BENCHMARKS=${BENCHMARKS:-'RouteTable|FreshHostString'}
MEMORY_ROUTES=${MEMORY_ROUTES:-100000}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
JAR=$HERE/target/benchmarks.jar
RESULTS=$HERE/results
STAMP=$(date -u +%Y%m%dT%H%M%SZ)

log() { echo "bench/jmh: $*" >&2; }

# offline first (the shared local repository usually has everything); online only if something is missing
build() { (cd "$ROOT" && mvn -B -q "$@" -P bench -pl bench/jmh -am package -DskipTests); }
log "building $JAR"
build -o || { log "offline build failed; retrying with Maven Central"; build; }

mkdir -p "$RESULTS"
log "JMH: forks $FORKS, warm-up $WARMUP_ITERATIONS x $ITERATION_TIME, measurement $ITERATIONS x $ITERATION_TIME"
java -jar "$JAR" "$BENCHMARKS" -f "$FORKS" -wi "$WARMUP_ITERATIONS" -w "$ITERATION_TIME" -i "$ITERATIONS" -r "$ITERATION_TIME" \
  -rf json -rff "$RESULTS/$STAMP-jmh.json" | tee "$RESULTS/$STAMP.txt"

log "memory per route over $MEMORY_ROUTES routes"
# serial GC: "heap used after a full GC" is exact; self-attach lets JOL use instrumentation for object sizes
java -XX:+UseSerialGC -Xms2g -Xmx2g -Djdk.attach.allowAttachSelf=true -cp "$JAR" io.skypanel.bench.routing.RouteMemory \
  "$MEMORY_ROUTES" "$RESULTS/$STAMP-memory.json" 2>&1 | tee -a "$RESULTS/$STAMP.txt"

echo "results: $RESULTS/$STAMP-jmh.json, $RESULTS/$STAMP-memory.json, $RESULTS/$STAMP.txt"
