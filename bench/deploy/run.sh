#!/usr/bin/env bash
# Deploy-to-first-200 benchmark: how long from "deploy this image" to the first HTTP 200 with the app's body,
# through the whole platform (a PaaS app deployed through the API and reached at the edge by its default
# hostname) against the same image started with a raw `docker service create` on an overlay network and reached
# from a helper container on that network. N rounds of each, interleaved (the order alternates every round);
# prints median and p90 of each and the ratio, and writes bench/deploy/results/<timestamp>.{json,txt}.
#
# The platform runs as ./skypanel up runs it (java -jar launcher/target/skypanel.jar, all four services, the
# local Docker engine, its own edge gateway container), against a throwaway database on the local PostgreSQL and
# its own Redis key prefix. Everything it creates (database, Redis keys, Swarm services, networks, the gateway
# and helper containers, the image) carries this run's id and is removed at the end, also after a failure or
# Ctrl-C. All traffic stays on 127.0.0.1 or inside the networks this run creates.
#
# Debian 12, as root, with the test servers of scripts/prepare-test-servers.sh (Docker Swarm manager, PostgreSQL,
# Redis). Needs curl, jq, psql, redis-cli, /bin/busybox (busybox-static); builds the launcher jar if missing
# (mvn package, never install).
#
# Settings (environment variables):
#   ROUNDS=5          measured rounds (each: one PaaS deploy and one raw service create)
#   WARMUP_ROUNDS=1   unmeasured rounds first (the first deploy of an organization also creates its networks and
#                     joins the gateway to them; the raw side then creates nothing new either)
#   POLL_MS=50        pause between two probes, on both sides
#   RAW_HEALTH=1      a third side, "rawhc": the raw service with the health check the platform gives a web process
#   TIMEOUT_S=300     longest wait for one first 200
#   DATABASE_ADMIN_URL=postgres://skypanel:skypanel@127.0.0.1:5432/postgres   (role with CREATEDB)
#   REDIS_URL=redis://127.0.0.1:6379/0
#   DOCKER=/usr/bin/docker   the engine's own client (a newer one on PATH may not speak its API)
#   KEEP_TMP=1        keep the temporary directory (launcher log, raw samples)
set -euo pipefail

ROUNDS=${ROUNDS:-5}
WARMUP_ROUNDS=${WARMUP_ROUNDS:-1}
POLL_MS=${POLL_MS:-50}
RAW_HEALTH=${RAW_HEALTH:-1}
TIMEOUT_S=${TIMEOUT_S:-300}
DATABASE_ADMIN_URL=${DATABASE_ADMIN_URL:-postgres://skypanel:skypanel@127.0.0.1:5432/postgres}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
DOCKER=${DOCKER:-/usr/bin/docker}
KEEP_TMP=${KEEP_TMP:-0}
BASE_DOMAIN=apps.deploy-bench.test
APP_PORT=8080
START_WAIT_SECONDS=240
STOP_WAIT_SECONDS=60

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
JAR=$ROOT/launcher/target/skypanel.jar
RESULTS=$HERE/results
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
RUN_ID="skypanel-deploybench-${STAMP,,}-$$"
POLL_S=$(awk -v ms="$POLL_MS" 'BEGIN { printf "%.3f", ms / 1000 }')

log() { echo "bench: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root (as the other benches; it drives the local Docker engine)"
for tool in curl jq psql pg_isready redis-cli java setsid; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done
[[ -x /bin/busybox ]] || die "/bin/busybox is missing (apt-get install busybox-static)"
[[ -x $DOCKER ]] || die "no Docker client at $DOCKER"
if ! pg_isready -q -h 127.0.0.1 -p 5432 || [[ $(redis-cli -u "$REDIS_URL" ping 2>/dev/null) != PONG ]] ||
  [[ $("$DOCKER" info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}' 2>/dev/null) != "active true" ]]; then
  log "a test server does not answer: running scripts/prepare-test-servers.sh"
  "$ROOT/scripts/prepare-test-servers.sh" >&2
fi
if [[ ! -f $JAR ]]; then
  log "building $JAR"
  (cd "$ROOT" && mvn -B -o -q package -DskipTests -pl launcher -am) >&2
fi
# the gateway's Java runtime; builds only what is missing
DOCKER=$DOCKER "$ROOT/scripts/build-images.sh" skypanel/jre >&2

# --- bookkeeping and cleanup ----------------------------------------------------------------------------------
TMP=$(mktemp -d /tmp/skypanel-deploy-bench.XXXXXX)
PIDS=()
BENCH_DB=""
REDIS_PREFIX="$RUN_ID:"
GATEWAY="$RUN_ID-gateway"
NETWORK="$RUN_ID-net"
HELPER="$RUN_ID-helper"
IMAGE="skypanel-bench/httpd:$RUN_ID"
IMAGE_ID=""
ORG=""
RAW_SERVICES=()

# waits until "$@" succeeds, at most $1 seconds
wait_for() {
  local seconds=$1 deadline
  shift
  deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

stop_group() {
  local pid=$1 deadline
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + STOP_WAIT_SECONDS))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    log "process group $pid did not stop within ${STOP_WAIT_SECONDS}s; killing it"
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
}

# removes a network after disconnecting whatever is attached (an edge gateway joins every internal network)
remove_network() {
  local network=$1 attempt container
  for ((attempt = 0; attempt < 40; attempt++)); do
    "$DOCKER" network inspect "$network" >/dev/null 2>&1 || return 0
    for container in $("$DOCKER" network inspect -f '{{range $id, $c := .Containers}}{{$id}} {{end}}' "$network" 2>/dev/null); do
      [[ $container == lb-* ]] || "$DOCKER" network disconnect -f "$network" "$container" >/dev/null 2>&1 || true
    done
    "$DOCKER" network rm "$network" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  log "could not remove network $network"
}

no_containers_labelled() { [[ -z $("$DOCKER" ps -aq --filter "label=$1" 2>/dev/null) ]]; }

remove_docker_objects() {
  local service
  # the platform's services of the bench organization (its reconciler is stopped by now, so nothing recreates them)
  if [[ -n $ORG ]]; then
    for service in $("$DOCKER" service ls -q --filter "label=skypanel.org=$ORG" 2>/dev/null); do
      "$DOCKER" service rm "$service" >/dev/null 2>&1 || true
    done
    wait_for 60 no_containers_labelled "skypanel.org=$ORG" || log "task containers of organization $ORG are still there"
  fi
  for service in "${RAW_SERVICES[@]:-}"; do
    [[ -z $service ]] || "$DOCKER" service rm "$service" >/dev/null 2>&1 || true
  done
  wait_for 60 no_containers_labelled "skypanel.bench=$RUN_ID-raw" || log "raw task containers are still there"
  "$DOCKER" rm -f "$HELPER" >/dev/null 2>&1 || true
  "$DOCKER" ps -aq --filter "label=skypanel.gateway=$GATEWAY" | xargs -r "$DOCKER" rm -f >/dev/null 2>&1 || true
  if [[ -n $ORG ]]; then
    remove_network "org-$ORG"
    remove_network "org-$ORG-egress"
  fi
  remove_network "$NETWORK"
  "$DOCKER" image rm "$IMAGE" >/dev/null 2>&1 || true
}

cleanup() {
  local status=$?
  # a second Ctrl-C must not cut the cleanup short
  trap - EXIT
  trap "" INT TERM
  for pid in "${PIDS[@]:-}"; do
    [[ -n $pid ]] && stop_group "$pid"
  done
  remove_docker_objects || true
  redis-cli -u "$REDIS_URL" --scan --pattern "${REDIS_PREFIX}*" 2>/dev/null | xargs -r -n 100 redis-cli -u "$REDIS_URL" del >/dev/null 2>&1 || true
  if [[ -n $BENCH_DB ]]; then
    psql -X -q "$DATABASE_ADMIN_URL" -c "DROP DATABASE IF EXISTS \"$BENCH_DB\" WITH (FORCE)" >/dev/null 2>&1 ||
      log "could not drop database $BENCH_DB"
  fi
  if [[ $KEEP_TMP == 1 ]] || ((status != 0 && status != 130 && status != 143)); then
    log "kept $TMP (launcher log, samples)"
  else
    rm -rf "$TMP"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ALLOCATED=" "
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 30000))
    [[ $ALLOCATED == *" $port "* ]] && continue
    if [[ -z $(ss -Htan "( sport = :$port )") ]]; then
      ALLOCATED+="$port "
      echo "$port"
      return
    fi
  done
}

now_ms() { date +%s%3N; }
# milliseconds since boot: the one clock the host and the helper container both read (/proc/uptime, 10 ms steps)
uptime_ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }
# an engine timestamp (RFC 3339, ns) as epoch milliseconds
engine_ms() { date -d "${1% UTC}" +%s%3N; } # Go prints "2026-12-05 05:08:00.656130606 +0000 UTC"

# --- the image: busybox httpd on $APP_PORT serving a fixed body (the same content id for both sides) ------------
BODY="deploy-bench $RUN_ID"
ROOTFS=$TMP/rootfs
mkdir -p "$ROOTFS/bin" "$ROOTFS/etc" "$ROOTFS/tmp" "$ROOTFS/var/www"
cp /bin/busybox "$ROOTFS/bin/busybox"
for applet in $(/bin/busybox --list); do
  [[ $applet == busybox ]] || ln -s busybox "$ROOTFS/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$ROOTFS/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$ROOTFS/etc/group"
printf '%s\n' "$BODY" >"$ROOTFS/var/www/index.html"
chmod 1777 "$ROOTFS/tmp"
tar --numeric-owner --owner=0 --group=0 --mode=u+rwX,go+rX -C "$ROOTFS" -cf "$TMP/rootfs.tar" .
"$DOCKER" import -c "CMD [\"httpd\", \"-f\", \"-p\", \"$APP_PORT\", \"-h\", \"/var/www\"]" -c 'ENV PATH=/bin' \
  -c "LABEL skypanel.bench=$RUN_ID" "$TMP/rootfs.tar" "$IMAGE" >/dev/null
IMAGE_ID=$("$DOCKER" image inspect -f '{{.Id}}' "$IMAGE")
log "image $IMAGE ($IMAGE_ID)"

# --- the peer's network and its helper container (the prober) --------------------------------------------------
# like an organization's network: overlay, internal, attachable
"$DOCKER" network create -d overlay --internal --attachable --label "skypanel.bench=$RUN_ID" "$NETWORK" >/dev/null
PROBE_DIR=$TMP/probe # where the script hands the helper the address to probe
mkdir -p "$PROBE_DIR"
"$DOCKER" run -d --name "$HELPER" --network "$NETWORK" --label "skypanel.bench=$RUN_ID" -v "$PROBE_DIR:/probe:ro" "$IMAGE" \
  sleep 86400 >/dev/null

# --- the platform: the launcher jar, all four services, the local engine ---------------------------------------
BENCH_DB="skypanel_deploybench_${STAMP,,}_$$"
psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_ADMIN_URL" -c "CREATE DATABASE \"$BENCH_DB\"" >/dev/null
DATABASE_URL=$(echo "$DATABASE_ADMIN_URL" | sed -E "s#/[^/?]*(\?.*)?\$#/$BENCH_DB\1#")
API_PORT=$(free_port) EDGE_HTTP=$(free_port) EDGE_HTTPS=$(free_port)
EXEC_PORT=$(free_port) LOGS_PORT=$(free_port) ADMIN_PORT=$(free_port)
LAUNCHER_LOG=$TMP/launcher.log
log "starting the platform (java -jar $JAR up; log $LAUNCHER_LOG)"
setsid env -u DOCKER_HOST DATABASE_URL="$DATABASE_URL" REDIS_URL="$REDIS_URL" SKYPANEL_REDIS_PREFIX="$REDIS_PREFIX" \
  SKYPANEL_MASTER_KEY="$(head -c 32 /dev/urandom | base64)" SKYPANEL_BIND_HOST=127.0.0.1 SKYPANEL_DATA_DIR="$TMP/data" \
  SKYPANEL_BASE_DOMAIN="$BASE_DOMAIN" SKYPANEL_EDGE_GATEWAY_NAME="$GATEWAY" \
  SKYPANEL_API_PORT="$API_PORT" SKYPANEL_HTTP_PORT="$EDGE_HTTP" SKYPANEL_HTTPS_PORT="$EDGE_HTTPS" \
  SKYPANEL_EXEC_PORT="$EXEC_PORT" SKYPANEL_LOGS_PORT="$LOGS_PORT" SKYPANEL_ADMIN_PORT="$ADMIN_PORT" \
  java -jar "$JAR" up >>"$LAUNCHER_LOG" 2>&1 </dev/null &
PIDS+=("$!")
LAUNCHER_PID=$!
deadline=$((SECONDS + START_WAIT_SECONDS))
until grep -q "SkyPanel is up" "$LAUNCHER_LOG" 2>/dev/null; do
  kill -0 "$LAUNCHER_PID" 2>/dev/null || die "the platform exited during start: $(tail -5 "$LAUNCHER_LOG")"
  ((SECONDS < deadline)) || die "the platform did not start within ${START_WAIT_SECONDS}s (see $LAUNCHER_LOG)"
  sleep 0.5
done
API=http://127.0.0.1:$API_PORT

# api METHOD PATH [JSON] -> body on stdout; fails unless the status is $EXPECT
api() {
  local method=$1 path=$2 data=${3:-} out status
  out=$TMP/api.out
  status=$(curl -s -o "$out" -w '%{http_code}' -X "$method" "$API$path" -H 'Content-Type: application/json' \
    ${TOKEN:+-H "Authorization: Bearer $TOKEN"} ${data:+--data "$data"})
  [[ $status == "$EXPECT" ]] || die "$method $path answered $status (expected $EXPECT): $(cat "$out")"
  cat "$out"
}

EMAIL="deploy-bench-$$@example.test"
PASSWORD="bench-$(head -c 12 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9')"
TOKEN=""
ORG=$(EXPECT=201 api POST /api/auth/register "$(jq -nc --arg e "$EMAIL" --arg p "$PASSWORD" '{email: $e, password: $p, name: "Deploy Bench"}')" |
  jq -r .organization.id)
TOKEN=$(EXPECT=200 api POST /api/auth/login "$(jq -nc --arg e "$EMAIL" --arg p "$PASSWORD" '{email: $e, password: $p}')" | jq -r .token)
log "organization $ORG (the default plan of a new organization)"

# --- one PaaS round: create app, deploy, poll the edge with the default Host until 200 + body, delete ----------
# sets RESULT: total_ms request_ms service_created_ms task_running_ms (each from the deploy request; -1 when not
# known). Run in this shell, not in $(...), so that a failure (die) ends the script and its cleanup sees everything.
paas_round() {
  local name=$1 app env host t0 t_api t1 deadline code svc created task running
  app=$(EXPECT=201 api POST /api/paas/apps "{\"name\": \"$name\"}")
  env=$(jq -r '.environments[0].id' <<<"$app")
  host=$(jq -r '.environments[0].default_domain' <<<"$app")
  app=$(jq -r .id <<<"$app")
  t0=$(now_ms)
  EXPECT=201 api POST "/api/paas/environments/$env/deploy" "{\"image_ref\": \"$IMAGE_ID\", \"port\": $APP_PORT}" >/dev/null
  t_api=$(now_ms)
  deadline=$((SECONDS + TIMEOUT_S))
  while :; do
    code=$(curl -s -o "$TMP/edge.out" -w '%{http_code}' --max-time 2 -H "Host: $host" "http://127.0.0.1:$EDGE_HTTP/" || true)
    if [[ $code == 200 ]] && [[ $(cat "$TMP/edge.out") == "$BODY" ]]; then
      t1=$(now_ms)
      break
    fi
    ((SECONDS < deadline)) || die "no 200 from $host at the edge within ${TIMEOUT_S}s (last $code)"
    sleep "$POLL_S"
  done
  # where the time went, from the engine's own timestamps
  svc=$("$DOCKER" service ls -q --filter "label=skypanel.environment=$env" | head -1)
  created=-1 running=-1
  if [[ -n $svc ]]; then
    created=$(($(engine_ms "$("$DOCKER" service inspect -f '{{.CreatedAt}}' "$svc")") - t0))
    task=$("$DOCKER" service ps -q --filter desired-state=running "$svc" | head -1)
    [[ -z $task ]] || running=$(($(engine_ms "$("$DOCKER" inspect -f '{{.Status.Timestamp}}' "$task")") - t0))
  fi
  RESULT="$((t1 - t0)) $((t_api - t0)) $created $running"
  EXPECT=204 api DELETE "/api/paas/apps/$app" >/dev/null
  wait_for 120 no_containers_labelled "skypanel.environment=$env" || die "the services of environment $env are still there"
}

# --- one raw round: docker service create on the overlay network, the helper probes its task until 200 + body ---
# sets RESULT like paas_round; the first figure runs from just before the create to the helper's first 200.
# As the platform's reconciler learns a running task's overlay address from the engine and the edge then dials it,
# the script polls the engine (every POLL_MS) until the task runs and hands its address to the helper through a
# file; the helper then connects until httpd answers. (Swarm DNS is no use here: on an internal network the
# engine's resolver answers a name that does not exist yet only after a 5 s timeout, and the service's virtual IP
# did not answer at all on the test engine.)
raw_round() {
  local name=$1 t0 t0_up t1_up t_api svc created task running probe state address health=()
  svc="$RUN_ID-raw-$name"
  # the rawhc side: the same health check as the platform gives a web process (Swarm reports the task running only
  # once it passed), to separate what that check costs from what the platform itself adds
  [[ $name != *hc ]] || health=(--health-cmd "nc -w 2 127.0.0.1 $APP_PORT </dev/null || exit 1" --health-interval 2s
    --health-timeout 2s --health-start-period 2s --health-retries 3)
  RAW_SERVICES+=("$svc")
  # the prober starts first and waits for the address, so its exec start-up is not in the measurement; busybox's
  # nc, because the static busybox's wget crashed (segfault) in these containers
  probe="while [ ! -s /probe/$name.ip ]; do usleep 10000; done; ip=\$(cat /probe/$name.ip)
  while :; do
    out=\$(printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 \"\$ip\" $APP_PORT 2>/dev/null)
    case \"\$out\" in 'HTTP/1.'?' 200 '*'$BODY'*) break ;; esac
    sleep $POLL_S
  done; cat /proc/uptime"
  "$DOCKER" exec "$HELPER" sh -c "$probe" >"$TMP/probe.out" 2>&1 &
  local prober=$!
  sleep 1
  t0_up=$(uptime_ms)
  t0=$(now_ms)
  "$DOCKER" service create --detach --quiet --name "$svc" --replicas 1 --no-resolve-image --network "$NETWORK" \
    --label "skypanel.bench=$RUN_ID-raw" --container-label "skypanel.bench=$RUN_ID-raw" "${health[@]}" "$IMAGE_ID" >/dev/null
  t_api=$(now_ms)
  local deadline=$((SECONDS + TIMEOUT_S))
  while :; do
    read -r task state < <("$DOCKER" service ps --no-trunc --filter desired-state=running --format '{{.ID}} {{.CurrentState}}' "$svc" 2>/dev/null | head -1) || true
    [[ $state == Running* ]] && break
    ((SECONDS < deadline)) || die "the task of $svc does not run within ${TIMEOUT_S}s"
    sleep "$POLL_S"
  done
  address=$("$DOCKER" inspect -f '{{range .NetworksAttachments}}{{if eq .Network.Spec.Name "'"$NETWORK"'"}}{{range .Addresses}}{{.}} {{end}}{{end}}{{end}}' "$task")
  address=${address%%/*}
  [[ $address =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "no overlay address for task $task ('$address')"
  printf '%s\n' "$address" >"$PROBE_DIR/$name.ip.tmp" && mv "$PROBE_DIR/$name.ip.tmp" "$PROBE_DIR/$name.ip"
  while kill -0 "$prober" 2>/dev/null; do
    ((SECONDS < deadline)) || { kill "$prober" 2>/dev/null; die "no 200 from $svc in the helper within ${TIMEOUT_S}s"; }
    sleep 0.1
  done
  wait "$prober" || die "the prober failed: $(cat "$TMP/probe.out")"
  t1_up=$(tail -1 "$TMP/probe.out" | awk '{ printf "%d", $1 * 1000 }')
  created=$(($(engine_ms "$("$DOCKER" service inspect -f '{{.CreatedAt}}' "$svc")") - t0))
  running=$(($(engine_ms "$("$DOCKER" inspect -f '{{.Status.Timestamp}}' "$task")") - t0))
  RESULT="$((t1_up - t0_up)) $((t_api - t0)) $created $running"
  "$DOCKER" service rm "$svc" >/dev/null
  wait_for 120 no_containers_labelled "com.docker.swarm.service.name=$svc" || die "the task of $svc is still there"
}

SIDES=(paas raw)
[[ $RAW_HEALTH != 1 ]] || SIDES+=(rawhc)
SAMPLES=$TMP/samples.tsv
: >"$SAMPLES"
total=$((WARMUP_ROUNDS + ROUNDS))
for ((round = 1; round <= total; round++)); do
  phase=measured
  ((round <= WARMUP_ROUNDS)) && phase=warmup
  # rotate which side goes first, so that drifting load from the neighbours hits every side alike
  case $(((round - 1) % ${#SIDES[@]})) in
    0) order="${SIDES[*]}" ;;
    1) order="${SIDES[*]:1} ${SIDES[0]}" ;;
    *) order="${SIDES[*]:2} ${SIDES[*]:0:2}" ;;
  esac
  for side in $order; do
    case $side in
      paas) paas_round "bench$round" ;;
      raw) raw_round "$round" ;;
      rawhc) raw_round "${round}hc" ;;
    esac
    read -r ms api_ms svc_ms run_ms <<<"$RESULT"
    load=$(cut -d' ' -f1 /proc/loadavg)
    printf '%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n' "$phase" "$round" "$side" "$ms" "$api_ms" "$svc_ms" "$run_ms" "$load" >>"$SAMPLES"
    log "round $round ($phase) $side: first 200 after $ms ms (request returned $api_ms, service created $svc_ms, task running $run_ms ms; load $load)"
  done
done

# --- summary ---------------------------------------------------------------------------------------------------
mkdir -p "$RESULTS"
JSON=$RESULTS/$STAMP.json
TXT=$RESULTS/$STAMP.txt
jq -R -s --arg stamp "$STAMP" --arg load_start "$LOAD_START" --arg load_end "$(cut -d' ' -f1-3 /proc/loadavg)" \
  --argjson rounds "$ROUNDS" --argjson warmup "$WARMUP_ROUNDS" --argjson poll_ms "$POLL_MS" \
  --arg cores "$(nproc)" --arg docker "$("$DOCKER" version -f '{{.Server.Version}}')" --arg java "$(java -version 2>&1 | head -1)" '
  def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  # nearest rank: the smallest sample with at least 90 % of the samples at or below it
  def p90: sort | if length == 0 then null else .[((length * 0.9) | ceil) - 1] end;
  def stats: { median: (map(.ms) | median), p90: (map(.ms) | p90), min: (map(.ms) | min), max: (map(.ms) | max),
               request_ms_median: (map(.request_ms) | median), service_created_ms_median: (map(.service_created_ms) | median),
               task_running_ms_median: (map(.task_running_ms) | median) };
  [split("\n")[] | select(length > 0) | split("\t")
   | { phase: .[0], round: (.[1] | tonumber), side: .[2], ms: (.[3] | tonumber), request_ms: (.[4] | tonumber),
       service_created_ms: (.[5] | tonumber), task_running_ms: (.[6] | tonumber), load1: (.[7] | tonumber) }] as $samples
  | ($samples | map(select(.phase == "measured"))) as $m
  | { stamp: $stamp, rounds: $rounds, warmup_rounds: $warmup, poll_ms: $poll_ms, cores: $cores, docker: $docker, java: $java,
      load_start: $load_start, load_end: $load_end, samples: $samples,
      paas: ($m | map(select(.side == "paas")) | stats), raw: ($m | map(select(.side == "raw")) | stats) }
  | if ($m | any(.side == "rawhc")) then .rawhc = ($m | map(select(.side == "rawhc")) | stats) else . end
  | def ratio($a; $b): if $b != null and $b > 0 then ($a / $b * 100 | round) / 100 else null end;
    .ratio = { median: ratio(.paas.median; .raw.median), p90: ratio(.paas.p90; .raw.p90) }
  | if .rawhc then .ratio_vs_rawhc = { median: ratio(.paas.median; .rawhc.median), p90: ratio(.paas.p90; .rawhc.p90) } else . end' "$SAMPLES" >"$JSON"

{
  echo "deploy -> first 200: PaaS app through the edge vs raw docker service create ($STAMP, $ROUNDS rounds + $WARMUP_ROUNDS warm-up, poll ${POLL_MS} ms)"
  echo "load average at start: $LOAD_START, at end: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
  echo
  printf '%-6s %-5s %8s %11s %15s %13s %6s\n' round side first200 request_ms service_created task_running load1
  jq -r '.samples[] | [(if .phase == "warmup" then "w" else "" end) + (.round | tostring), .side, .ms, .request_ms, .service_created_ms, .task_running_ms, .load1] | @tsv' "$JSON" |
    awk -F'\t' '{ printf "%-6s %-5s %8s %11s %15s %13s %6s\n", $1, $2, $3, $4, $5, $6, $7 }'
  echo
  echo "(ms from the deploy request; service_created and task_running are the engine's timestamps; w = warm-up, not counted)"
  echo
  jq -r '"side  median ms  p90 ms  [min-max]          service created / task running (median ms)",
    (["paas", "raw", "rawhc"][] as $s | select(.[$s]) | .[$s] | "\($s | . + "    " | .[0:5]) \(.median | tostring | . + "        " | .[0:9]) \(.p90 | tostring | . + "      " | .[0:7]) [\(.min)-\(.max)]      \(.service_created_ms_median) / \(.task_running_ms_median)"),
    "ratio paas/raw: median \(.ratio.median)x, p90 \(.ratio.p90)x",
    (select(.ratio_vs_rawhc) | "ratio paas/rawhc (same health check): median \(.ratio_vs_rawhc.median)x, p90 \(.ratio_vs_rawhc.p90)x")' "$JSON"
} | tee "$TXT"
log "wrote $JSON and $TXT"
