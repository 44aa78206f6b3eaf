#!/usr/bin/env bash
# How many organization networks one edge gateway can join on this engine: creates N internal, attachable
# overlay networks (as the platform does for each organization), connects one plain container to each in turn,
# and reports the time of every 50th connect, the first failure, and the container's interface count.
# Usage: bench/gateway/networks.sh [N]   (default 500). Cleans up what it made.
set -euo pipefail
N=${1:-500}
DOCKER=/usr/bin/docker
RUN=netbench-$$
IMAGE=skypanel-bench/busybox:1

if ! $DOCKER image inspect $IMAGE >/dev/null 2>&1; then
  dir=$(mktemp -d)
  mkdir -p "$dir/bin"
  cp /bin/busybox "$dir/bin/busybox"
  for applet in sh sleep ls cat; do ln -s busybox "$dir/bin/$applet"; done
  tar -C "$dir" -c . | $DOCKER import - $IMAGE >/dev/null
  rm -rf "$dir"
fi

cleanup() {
  $DOCKER rm -f "$RUN" >/dev/null 2>&1 || true
  $DOCKER network ls -q --filter label=skypanel.bench="$RUN" | xargs -r -n 50 $DOCKER network rm >/dev/null 2>&1 || true
}
trap cleanup EXIT

$DOCKER run -d --name "$RUN" --label skypanel.bench="$RUN" $IMAGE /bin/sleep 36000 >/dev/null
start=$(date +%s.%N)
joined=0
for i in $(seq 1 "$N"); do
  net="$RUN-$i"
  if ! $DOCKER network create -d overlay --internal --attachable --label skypanel.bench="$RUN" "$net" >/dev/null 2>/tmp/$RUN.err; then
    echo "network $i could not be created: $(cat /tmp/$RUN.err)"; break
  fi
  t0=$(date +%s%N)
  if ! $DOCKER network connect "$net" "$RUN" 2>/tmp/$RUN.err; then
    echo "connect $i failed: $(cat /tmp/$RUN.err)"; break
  fi
  t1=$(date +%s%N)
  joined=$i
  if (( i % 50 == 0 || i == 1 )); then
    echo "joined $i networks; this connect took $(( (t1 - t0) / 1000000 )) ms; interfaces in the container: $($DOCKER exec "$RUN" ls /sys/class/net | wc -l)"
  fi
done
end=$(date +%s.%N)
echo "result: joined $joined of $N networks in $(echo "$end - $start" | bc) s"
