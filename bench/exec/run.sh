#!/usr/bin/env bash
# Console throughput and keystroke round trip through exec-proxy vs docker exec on the same container.
# Needs what the exec-proxy tests need: PostgreSQL, Redis, a Swarm manager engine, /bin/busybox (scripts/prepare-test-servers.sh).
# Usage: bench/exec/run.sh [-Dbench.bytes=52428800] [-Dbench.runs=5] [-Dbench.samples=1000] [-Dbench.warmup=100] [-Dbench.cpu=1.0]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
# builds the reactor modules it needs into their target/ (never installs); -DskipTests still packages the test-jars
mvn -B -o -q -Pbench5 -pl bench/exec -am package -DskipTests
exec java -Xms512m -Xmx1g "$@" -cp "bench/exec/target/classes:$(cat bench/exec/target/classpath.txt)" io.skypanel.bench.exec.ExecBench
