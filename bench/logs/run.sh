#!/usr/bin/env bash
# Log fan-out: 1000 viewers on one log-tail upstream (Loki test server) vs 1000 direct Loki tails.
# Needs what the log-tail tests need: PostgreSQL and Redis (scripts/prepare-test-servers.sh).
# Usage: bench/logs/run.sh [-Dbench.viewers=1000] [-Dbench.lines=2000] [-Dbench.rate=100] [-Dbench.warmup=100] [-Dbench.padding=100] [-Dbench.transport=ws|sse]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
# builds the reactor modules it needs into their target/ (never installs); -DskipTests still packages the test-jars
mvn -B -o -q -Pbench5 -pl bench/logs -am package -DskipTests
exec java -Xms512m -Xmx1g "$@" -cp "bench/logs/target/classes:$(cat bench/logs/target/classpath.txt)" io.skypanel.bench.logs.LogsBench
