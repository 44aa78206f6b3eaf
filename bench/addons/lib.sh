# Shared by bench/addons/provision.sh and bench/addons/backup.sh (sourced, not run): the checks, the platform as
# `./skypanel up` runs it (as bench/deploy does: the launcher jar, a throwaway database, its own Redis prefix and
# edge gateway), the API client, the helper Swarm services on an add-on's network, and the clean-up of everything the
# run created (also after a failure or Ctrl-C). The sourcing script sets BENCH (a short name) before sourcing.
set -euo pipefail

POLL_MS=${POLL_MS:-100}
TIMEOUT_S=${TIMEOUT_S:-300}
DATABASE_ADMIN_URL=${DATABASE_ADMIN_URL:-postgres://skypanel:skypanel@127.0.0.1:5432/postgres}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
DOCKER=${DOCKER:-/usr/bin/docker}
KEEP_TMP=${KEEP_TMP:-0}
IMAGE=${IMAGE:-skypanel/addon-postgres:15}
START_WAIT_SECONDS=240
STOP_WAIT_SECONDS=60

ROOT=$(cd "$HERE/../.." && pwd)
JAR=$ROOT/launcher/target/skypanel.jar
RESULTS=$HERE/results
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
RUN_ID="skypanel-${BENCH}bench-${STAMP,,}-$$"
POLL_S=$(awk -v ms="$POLL_MS" 'BEGIN { printf "%.3f", ms / 1000 }')

log() { echo "bench: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root (as the other benches; it drives the local Docker engine)"
for tool in curl jq psql pg_isready redis-cli java setsid; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done
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
# the gateway's Java runtime and the add-on image; builds only what is missing
DOCKER=$DOCKER "$ROOT/scripts/build-images.sh" skypanel/jre skypanel/addon-postgres >&2

TMP=$(mktemp -d "/tmp/skypanel-$BENCH-bench.XXXXXX")
PROBE_DIR=$TMP/probe # bind-mounted into the helper services: addresses in, results out
mkdir -p "$PROBE_DIR" && chmod 777 "$PROBE_DIR"
PIDS=()
BENCH_DB=""
REDIS_PREFIX="$RUN_ID:"
GATEWAY="$RUN_ID-gateway"
ORG=""
API=""
TOKEN=""

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

now_ms() { date +%s%3N; }
# milliseconds since boot: the one clock the host and the helper containers both read (/proc/uptime, 10 ms steps)
uptime_ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }
# an engine timestamp (RFC 3339, ns) as epoch milliseconds
engine_ms() { date -d "${1% UTC}" +%s%3N; }
load1() { cut -d' ' -f1 /proc/loadavg; }

no_containers_labelled() { [[ -z $("$DOCKER" ps -aq --filter "label=$1" 2>/dev/null) ]]; }

# removes a network after disconnecting whatever is attached (an edge gateway joins every organization network)
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

remove_volume() { wait_for 60 "$DOCKER" volume rm "$1" || log "could not remove volume $1"; }

# every engine object this run or its organization left: services, then their containers, networks, volumes, secrets
remove_docker_objects() {
  local label object
  for label in "skypanel.bench=$RUN_ID" ${ORG:+"skypanel.org=$ORG"}; do
    "$DOCKER" service ls -q --filter "label=$label" | xargs -r "$DOCKER" service rm >/dev/null 2>&1 || true
  done
  wait_for 90 no_containers_labelled "skypanel.bench=$RUN_ID" || log "helper containers are still there"
  [[ -z $ORG ]] || wait_for 90 no_containers_labelled "skypanel.org=$ORG" || log "task containers of $ORG are still there"
  "$DOCKER" ps -aq --filter "label=skypanel.gateway=$GATEWAY" | xargs -r "$DOCKER" rm -f >/dev/null 2>&1 || true
  for label in "skypanel.bench=$RUN_ID" ${ORG:+"skypanel.org=$ORG"}; do
    for object in $("$DOCKER" network ls -q --filter "label=$label"); do remove_network "$object"; done
    for object in $("$DOCKER" volume ls -q --filter "label=$label"); do remove_volume "$object"; done
    "$DOCKER" secret ls -q --filter "label=$label" | xargs -r "$DOCKER" secret rm >/dev/null 2>&1 || true
  done
  if [[ -n $ORG ]]; then
    remove_network "org-$ORG"
    remove_network "org-$ORG-egress"
  fi
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

cleanup() {
  local status=$?
  trap - EXIT
  trap "" INT TERM # a second Ctrl-C must not cut the clean-up short
  for pid in "${PIDS[@]:-}"; do
    [[ -n $pid ]] && stop_group "$pid"
  done
  # the platform is stopped by now, so its reconcilers recreate nothing
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

# starts the launcher (all four services) against a throwaway database; sets API
start_platform() {
  local deadline launcher_pid
  BENCH_DB="skypanel_${BENCH}bench_${STAMP,,}_$$"
  psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_ADMIN_URL" -c "CREATE DATABASE \"$BENCH_DB\"" >/dev/null
  DATABASE_URL=$(echo "$DATABASE_ADMIN_URL" | sed -E "s#/[^/?]*(\?.*)?\$#/$BENCH_DB\1#")
  local api_port edge_http edge_https exec_port logs_port admin_port
  api_port=$(free_port) edge_http=$(free_port) edge_https=$(free_port)
  exec_port=$(free_port) logs_port=$(free_port) admin_port=$(free_port)
  LAUNCHER_LOG=$TMP/launcher.log
  log "starting the platform (java -jar $JAR up; log $LAUNCHER_LOG)"
  setsid env -u DOCKER_HOST DATABASE_URL="$DATABASE_URL" REDIS_URL="$REDIS_URL" SKYPANEL_REDIS_PREFIX="$REDIS_PREFIX" \
    SKYPANEL_MASTER_KEY="$(head -c 32 /dev/urandom | base64)" SKYPANEL_BIND_HOST=127.0.0.1 SKYPANEL_DATA_DIR="$TMP/data" \
    SKYPANEL_BASE_DOMAIN="apps.$BENCH-bench.test" SKYPANEL_EDGE_GATEWAY_NAME="$GATEWAY" \
    SKYPANEL_API_PORT="$api_port" SKYPANEL_HTTP_PORT="$edge_http" SKYPANEL_HTTPS_PORT="$edge_https" \
    SKYPANEL_EXEC_PORT="$exec_port" SKYPANEL_LOGS_PORT="$logs_port" SKYPANEL_ADMIN_PORT="$admin_port" \
    java -jar "$JAR" up >>"$LAUNCHER_LOG" 2>&1 </dev/null &
  launcher_pid=$!
  PIDS+=("$launcher_pid")
  deadline=$((SECONDS + START_WAIT_SECONDS))
  until grep -q "SkyPanel is up" "$LAUNCHER_LOG" 2>/dev/null; do
    kill -0 "$launcher_pid" 2>/dev/null || die "the platform exited during start: $(tail -5 "$LAUNCHER_LOG")"
    ((SECONDS < deadline)) || die "the platform did not start within ${START_WAIT_SECONDS}s (see $LAUNCHER_LOG)"
    sleep 0.5
  done
  API=http://127.0.0.1:$api_port
}

# api METHOD PATH [JSON] -> body on stdout, status in $TMP/api.status; fails unless the status is $EXPECT
# (EXPECT=any: the caller checks the status itself)
api() {
  local method=$1 path=$2 data=${3:-} status
  status=$(curl -s -o "$TMP/api.out" -w '%{http_code}' -X "$method" "$API$path" -H 'Content-Type: application/json' \
    ${TOKEN:+-H "Authorization: Bearer $TOKEN"} ${data:+--data "$data"})
  echo "$status" >"$TMP/api.status"
  [[ $EXPECT == any || $status == "$EXPECT" ]] || die "$method $path answered $status (expected $EXPECT): $(cat "$TMP/api.out")"
  cat "$TMP/api.out"
}

# registers a user (sets ORG and TOKEN), moves the organization to the performance plan as the add-on tests do, and
# creates an app; sets ENV_ID
create_org_and_app() {
  local email password app
  email="$BENCH-bench-$$@example.test"
  password="bench-$(head -c 12 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9')"
  ORG=$(EXPECT=201 api POST /api/auth/register "$(jq -nc --arg e "$email" --arg p "$password" '{email: $e, password: $p, name: "Addon Bench"}')" |
    jq -r .organization.id)
  TOKEN=$(EXPECT=200 api POST /api/auth/login "$(jq -nc --arg e "$email" --arg p "$password" '{email: $e, password: $p}')" | jq -r .token)
  psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" -c \
    "UPDATE organizations SET plan_id = (SELECT id FROM paas_plans WHERE slug = 'performance') WHERE id = '$ORG'" >/dev/null
  app=$(EXPECT=201 api POST /api/paas/apps '{"name": "addonbench"}')
  ENV_ID=$(jq -r '.environments[0].id' <<<"$app")
  log "organization $ORG (performance plan), environment $ENV_ID"
}

# the plan's limits as "memory_mb cpu", for the raw side
plan_limits() {
  EXPECT=200 api GET /api/paas/addon-plans | jq -r --arg s "$1" '.data[] | select(.slug == $s) | "\(.memory_mb) \(.cpu)"'
}

addon_status() { EXPECT=200 api GET "/api/paas/addons/$1" | jq -r .status; }

# waits until the add-on has status $2 (fails on "failed"), at most TIMEOUT_S
await_addon() {
  local id=$1 want=$2 status deadline=$((SECONDS + TIMEOUT_S))
  while :; do
    status=$(addon_status "$id")
    [[ $status == "$want" ]] && return 0
    [[ $status != failed ]] || die "add-on $id failed: $(cat "$TMP/api.out")"
    ((SECONDS < deadline)) || die "add-on $id is not $want within ${TIMEOUT_S}s (status $status)"
    sleep "$POLL_S"
  done
}

# helper NAME NETWORK SCRIPT [service create options…]: a one-replica service of the add-on image on NETWORK (an
# add-on's network is not attachable, so a plain container cannot join it; a Swarm service can) running SCRIPT, with
# $PROBE_DIR at /probe; labelled for the clean-up
helper() {
  local name=$1 network=$2 script=$3
  shift 3
  "$DOCKER" service create --detach --quiet --name "$RUN_ID-$name" --replicas 1 --no-resolve-image --restart-condition none --network "$network" \
    --label "skypanel.bench=$RUN_ID" --container-label "skypanel.bench=$RUN_ID" --mount "type=bind,source=$PROBE_DIR,target=/probe" \
    "$@" "$IMAGE" sh -c "$script" >/dev/null
}

remove_service() {
  "$DOCKER" service rm "$1" >/dev/null 2>&1 || true
  wait_for 120 no_containers_labelled "com.docker.swarm.service.name=$1" || die "the task of $1 is still there"
}

# the running container of a one-replica service (single-node Swarm: it is local)
service_container() {
  local deadline=$((SECONDS + TIMEOUT_S)) id
  while :; do
    id=$("$DOCKER" ps -q --filter "label=com.docker.swarm.service.name=$1" | head -1)
    [[ -n $id ]] && { echo "$id"; return; }
    ((SECONDS < deadline)) || die "no running container of $1 within ${TIMEOUT_S}s"
    sleep 0.5
  done
}

# the overlay address of the (first) task of service $1 on network $2, empty while it has none
task_address() {
  local task address
  task=$("$DOCKER" service ps -q --no-trunc --filter desired-state=running "$1" 2>/dev/null | head -1)
  [[ -n $task ]] || return 0
  address=$("$DOCKER" inspect -f '{{range .NetworksAttachments}}{{if eq .Network.Spec.Name "'"$2"'"}}{{range .Addresses}}{{.}} {{end}}{{end}}{{end}}' "$task" 2>/dev/null || true)
  address=${address%%/*}
  [[ $address =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] && echo "$address" || true
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "null"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
