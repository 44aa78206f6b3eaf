#!/usr/bin/env bash
# Build benchmarks (issue 11), two of them in one run of the whole platform:
#   (a) build: a Dockerfile build through the platform (a gzipped tarball uploaded with
#       POST /api/paas/apps/{id}/builds, polled until the build is `succeeded`: queue, unpack, engine build, push to
#       the platform registry, release) against a raw `docker build` of the same context ("raw") and a raw
#       `docker build` + `docker push` to the same registry ("rawpush"). N rounds, sides interleaved in a rotated
#       order; median, p90 and the ratios.
#       Cache: both sides WARM for the base image and COLD for everything after it. The base image is local on both
#       sides (the platform builds with pull=false, the raw side does not pull either); each sample's context carries
#       a unique index.html, so the COPY and the RUN after it miss the layer cache on both sides (the platform's
#       cache-from of the app's previous image gives it nothing the raw side does not have). Both use the engine's
#       legacy builder (the platform calls the build API; the raw side runs with DOCKER_BUILDKIT=0).
#   (b) push: `git push` (real git, an API token as the password) of a small Dockerfile app to a new app, to the
#       first 200 with that commit's body at the edge (Host = the environment's default hostname). The figure
#       also splits off when the push returned (the push waits for the build and the release).
# Prints a table and writes bench/builds/results/<timestamp>.{json,txt}. Not part of the test suite.
#
# The platform runs as ./skypanel up runs it (java -jar launcher/target/skypanel.jar), against a throwaway database
# and its own Redis prefix, its own edge gateway, the registry of scripts/prepare-test-servers.sh (127.0.0.1:5000).
# Everything the run creates (database, Redis keys, Swarm services, networks, gateway, images) is removed at the end,
# also after a failure or Ctrl-C; the tags it pushed stay in the registry (the platform keeps SKYPANEL_REGISTRY_KEEP
# per app; the raw side overwrites one tag per run). All traffic stays on 127.0.0.1.
#
# Debian 12, as root, with the test servers of scripts/prepare-test-servers.sh. Needs curl, jq, psql, redis-cli, git,
# /bin/busybox (busybox-static); builds the launcher jar if missing (mvn package, never install).
#
# Settings (environment variables):
#   ROUNDS=5             measured rounds (each: one build per build side, one push)
#   WARMUP_ROUNDS=1      unmeasured rounds first (first build and deploy of the organization: networks, gateway joins)
#   POLL_MS=100          pause between two polls of a build's status or of the edge
#   PUSH=1               run (b) too (0: builds only)
#   TIMEOUT_S=600        longest wait for one build or one first 200
#   REGISTRY=127.0.0.1:5000 REGISTRY_USERNAME=skypanel REGISTRY_PASSWORD=skypanel-registry
#   DATABASE_ADMIN_URL=postgres://skypanel:skypanel@127.0.0.1:5432/postgres   (role with CREATEDB)
#   REDIS_URL=redis://127.0.0.1:6379/0
#   DOCKER=/usr/bin/docker   the engine's own client (a newer one on PATH may not speak its API)
#   KEEP_TMP=1           keep the temporary directory (launcher log, contexts)
#   BASE_IMAGE=skypanel-test/busybox:1   the local base image of both sides (imported from /bin/busybox if missing)
set -euo pipefail

ROUNDS=${ROUNDS:-5}
WARMUP_ROUNDS=${WARMUP_ROUNDS:-1}
POLL_MS=${POLL_MS:-100}
PUSH=${PUSH:-1}
TIMEOUT_S=${TIMEOUT_S:-600}
REGISTRY=${REGISTRY:-${SKYPANEL_TEST_REGISTRY:-127.0.0.1:5000}}
REGISTRY_USERNAME=${REGISTRY_USERNAME:-${SKYPANEL_TEST_REGISTRY_USERNAME:-skypanel}}
REGISTRY_PASSWORD=${REGISTRY_PASSWORD:-${SKYPANEL_TEST_REGISTRY_PASSWORD:-skypanel-registry}}
DATABASE_ADMIN_URL=${DATABASE_ADMIN_URL:-postgres://skypanel:skypanel@127.0.0.1:5432/postgres}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
DOCKER=${DOCKER:-/usr/bin/docker}
KEEP_TMP=${KEEP_TMP:-0}
BASE_DOMAIN=apps.build-bench.test
APP_PORT=8080
START_WAIT_SECONDS=240
STOP_WAIT_SECONDS=60

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
JAR=$ROOT/launcher/target/skypanel.jar
RESULTS=$HERE/results
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
RUN_ID="skypanel-buildbench-${STAMP,,}-$$"
POLL_S=$(awk -v ms="$POLL_MS" 'BEGIN { printf "%.3f", ms / 1000 }')

log() { echo "bench: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root (as the other benches; it drives the local Docker engine)"
for tool in curl jq psql pg_isready redis-cli java setsid git tar; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done
[[ -x /bin/busybox ]] || die "/bin/busybox is missing (apt-get install busybox-static)"
[[ -x $DOCKER ]] || die "no Docker client at $DOCKER"
if ! pg_isready -q -h 127.0.0.1 -p 5432 || [[ $(redis-cli -u "$REDIS_URL" ping 2>/dev/null) != PONG ]] ||
  [[ $("$DOCKER" info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}' 2>/dev/null) != "active true" ]] ||
  ! curl -s -o /dev/null "http://$REGISTRY/v2/"; then
  log "a test server does not answer: running scripts/prepare-test-servers.sh"
  "$ROOT/scripts/prepare-test-servers.sh" >&2
fi
if [[ ! -f $JAR ]]; then
  log "building $JAR"
  (cd "$ROOT" && mvn -B -o -q package -DskipTests -pl launcher -am) >&2
fi
DOCKER=$DOCKER "$ROOT/scripts/build-images.sh" skypanel/jre >&2

# --- bookkeeping and cleanup ----------------------------------------------------------------------------------
TMP=$(mktemp -d /tmp/skypanel-build-bench.XXXXXX)
PIDS=()
BENCH_DB=""
REDIS_PREFIX="$RUN_ID:"
GATEWAY="$RUN_ID-gateway"
# shared with the control-plane tests (never removed here); see "the base image" below
BASE_IMAGE=${BASE_IMAGE:-skypanel-test/busybox:1}
RAW_REPO="skypanel-bench/raw"
ORG=""
# the raw side's registry login stays in this run's own client config
export DOCKER_CONFIG=$TMP/docker-config
mkdir -p "$DOCKER_CONFIG"

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
  if [[ -n $ORG ]]; then
    for service in $("$DOCKER" service ls -q --filter "label=skypanel.org=$ORG" 2>/dev/null); do
      "$DOCKER" service rm "$service" >/dev/null 2>&1 || true
    done
    wait_for 60 no_containers_labelled "skypanel.org=$ORG" || log "task containers of organization $ORG are still there"
    # the platform's build images (labelled with the organization) and their registry tags on this engine
    "$DOCKER" images -q --filter "label=skypanel.org=$ORG" | sort -u | xargs -r "$DOCKER" rmi -f >/dev/null 2>&1 || true
  fi
  "$DOCKER" ps -aq --filter "label=skypanel.gateway=$GATEWAY" | xargs -r "$DOCKER" rm -f >/dev/null 2>&1 || true
  if [[ -n $ORG ]]; then
    remove_network "org-$ORG"
    remove_network "org-$ORG-egress"
  fi
  "$DOCKER" images -q --filter "label=skypanel.bench=$RUN_ID" | sort -u | xargs -r "$DOCKER" rmi -f >/dev/null 2>&1 || true
}

cleanup() {
  local status=$?
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
    log "kept $TMP (launcher log, contexts)"
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
iso_ms() { date -d "$1" +%s%3N; }

# --- the base image: the test preparation's busybox image, local only -------------------------------------------
# skypanel-test/busybox:1 is what the control-plane tests build from (TestImages: Debian's static busybox, imported
# under a fixed tag): the platform builds with pull=false and the raw side does not pull, so the engine finds it
# locally on both sides. It is shared with the tests: imported here only when missing, and never removed.
if ! "$DOCKER" image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  ROOTFS=$TMP/rootfs
  mkdir -p "$ROOTFS/bin" "$ROOTFS/etc" "$ROOTFS/tmp" "$ROOTFS/var/www" "$ROOTFS/run" "$ROOTFS/data"
  cp /bin/busybox "$ROOTFS/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [[ $applet == busybox ]] || ln -s busybox "$ROOTFS/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$ROOTFS/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$ROOTFS/etc/group"
  printf 'busybox\n' >"$ROOTFS/var/www/index.html"
  chmod 1777 "$ROOTFS/tmp"
  tar --numeric-owner --owner=0 --group=0 --mode=u+rwX,go+rX -C "$ROOTFS" -cf "$TMP/rootfs.tar" .
  "$DOCKER" import -c 'CMD ["sh"]' -c 'ENV PATH=/bin' -c 'LABEL skypanel.test=true skypanel.test.recipe=1' "$TMP/rootfs.tar" "$BASE_IMAGE" >/dev/null
  log "imported the base image $BASE_IMAGE"
fi
log "base image $BASE_IMAGE (local)"

# a small Dockerfile app whose / answers $1: a unique body makes COPY and the RUN after it miss the layer cache
write_context() {
  local dir=$1 body=$2
  mkdir -p "$dir"
  printf '%s\n' "$body" >"$dir/index.html"
  cat >"$dir/Dockerfile" <<EOF
FROM $BASE_IMAGE
COPY index.html /var/www/index.html
RUN for i in 1 2 3 4 5 6 7 8; do echo "step \$i"; done >/var/www/steps.txt && wc -c /var/www/index.html
EXPOSE $APP_PORT
CMD ["httpd", "-f", "-p", "$APP_PORT", "-h", "/var/www"]
EOF
}

# --- the platform ---------------------------------------------------------------------------------------------
BENCH_DB="skypanel_buildbench_${STAMP,,}_$$"
psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_ADMIN_URL" -c "CREATE DATABASE \"$BENCH_DB\"" >/dev/null
DATABASE_URL=$(echo "$DATABASE_ADMIN_URL" | sed -E "s#/[^/?]*(\?.*)?\$#/$BENCH_DB\1#")
API_PORT=$(free_port) EDGE_HTTP=$(free_port) EDGE_HTTPS=$(free_port)
EXEC_PORT=$(free_port) LOGS_PORT=$(free_port) ADMIN_PORT=$(free_port)
LAUNCHER_LOG=$TMP/launcher.log
log "starting the platform (java -jar $JAR up; log $LAUNCHER_LOG)"
setsid env -u DOCKER_HOST -u DOCKER_CONFIG DATABASE_URL="$DATABASE_URL" REDIS_URL="$REDIS_URL" SKYPANEL_REDIS_PREFIX="$REDIS_PREFIX" \
  SKYPANEL_MASTER_KEY="$(head -c 32 /dev/urandom | base64)" SKYPANEL_BIND_HOST=127.0.0.1 SKYPANEL_DATA_DIR="$TMP/data" \
  SKYPANEL_BASE_DOMAIN="$BASE_DOMAIN" SKYPANEL_EDGE_GATEWAY_NAME="$GATEWAY" \
  SKYPANEL_REGISTRY="$REGISTRY" SKYPANEL_REGISTRY_USERNAME="$REGISTRY_USERNAME" SKYPANEL_REGISTRY_PASSWORD="$REGISTRY_PASSWORD" \
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

EMAIL="build-bench-$$@example.test"
PASSWORD="bench-$(head -c 12 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9')"
TOKEN=""
ORG=$(EXPECT=201 api POST /api/auth/register "$(jq -nc --arg e "$EMAIL" --arg p "$PASSWORD" '{email: $e, password: $p, name: "Build Bench"}')" |
  jq -r .organization.id)
TOKEN=$(EXPECT=200 api POST /api/auth/login "$(jq -nc --arg e "$EMAIL" --arg p "$PASSWORD" '{email: $e, password: $p}')" | jq -r .token)
# the performance plan: the hobby plan's build limits (CPU share, memory) are not what this compares
psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" -c \
  "UPDATE organizations SET plan_id = (SELECT id FROM paas_plans WHERE slug = 'performance') WHERE id = '$ORG'" >/dev/null
GIT_TOKEN=$(EXPECT=201 api POST /api/auth/tokens '{"name": "git"}' | jq -r .token)
BUILD_APP=$(EXPECT=201 api POST /api/paas/apps '{"name": "buildbench"}' | jq -r .id)
log "organization $ORG (performance plan), build app $BUILD_APP"
printf '%s\n' "$REGISTRY_PASSWORD" | "$DOCKER" login -u "$REGISTRY_USERNAME" --password-stdin "$REGISTRY" >/dev/null 2>&1 ||
  die "docker login to $REGISTRY failed"

# --- (a) one platform build: upload, poll until it ended --------------------------------------------------------
# sets RESULT: total_ms upload_ms queued_ms(created->started) engine_ms(started->finished)
platform_build() {
  local name=$1 ctx=$TMP/ctx/$1 t0 t_up t1 build id status deadline
  write_context "$ctx" "platform $RUN_ID $name"
  tar -C "$ctx" -czf "$TMP/$name.tar.gz" .
  t0=$(now_ms)
  build=$(curl -s -w '\n%{http_code}' -X POST "$API/api/paas/apps/$BUILD_APP/builds?ref=$name" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/gzip' --data-binary "@$TMP/$name.tar.gz")
  t_up=$(now_ms)
  [[ $(tail -1 <<<"$build") == 201 ]] || die "build upload answered $(tail -1 <<<"$build"): $(head -n -1 <<<"$build")"
  id=$(head -n -1 <<<"$build" | jq -r .id)
  deadline=$((SECONDS + TIMEOUT_S))
  while :; do
    build=$(EXPECT=200 api GET "/api/paas/builds/$id")
    status=$(jq -r .status <<<"$build")
    case $status in
      succeeded) t1=$(now_ms); break ;;
      failed | cancelled) die "build $id $status: $(jq -r '.status_reason // "" ' <<<"$build"); log: $(jq -r '.log_tail // ""' <<<"$build" | tail -5)" ;;
    esac
    ((SECONDS < deadline)) || die "build $id not ended within ${TIMEOUT_S}s (status $status)"
    sleep "$POLL_S"
  done
  local created started finished
  created=$(iso_ms "$(jq -r .created_at <<<"$build")")
  started=$(iso_ms "$(jq -r .started_at <<<"$build")")
  finished=$(iso_ms "$(jq -r .finished_at <<<"$build")")
  RESULT="$((t1 - t0)) $((t_up - t0)) $((started - created)) $((finished - started))"
}

# one raw build of the same kind of context (legacy builder, as the platform's build API call); with push: + push
raw_build() {
  local name=$1 push=$2 ctx=$TMP/ctx/$1 t0 t_built t1 tag
  write_context "$ctx" "raw $RUN_ID $name"
  tag="$REGISTRY/$RAW_REPO:$RUN_ID"
  t0=$(now_ms)
  DOCKER_BUILDKIT=0 "$DOCKER" build -q --label "skypanel.bench=$RUN_ID" -t "$tag" "$ctx" >"$TMP/raw.out" 2>&1 ||
    die "docker build failed: $(tail -5 "$TMP/raw.out")"
  t_built=$(now_ms)
  if [[ $push == 1 ]]; then
    "$DOCKER" push "$tag" >"$TMP/raw.out" 2>&1 || die "docker push failed: $(tail -5 "$TMP/raw.out")"
  fi
  t1=$(now_ms)
  RESULT="$((t1 - t0)) $((t_built - t0)) -1 -1"
}

# --- (b) one git push of a new Dockerfile app to its first 200 at the edge --------------------------------------
# sets RESULT: first200_ms push_ms -1 -1
GIT_HOME=$TMP/git-home
mkdir -p "$GIT_HOME"
gitc() {
  HOME=$GIT_HOME GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 GIT_ASKPASS=/bin/false \
    GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.test GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.test \
    git "$@"
}
push_round() {
  local name=$1 app env host slug repo=$TMP/repo/$1 body t0 t_push t1 deadline code
  app=$(EXPECT=201 api POST /api/paas/apps "{\"name\": \"push$name\"}")
  env=$(jq -r '.environments[0].id' <<<"$app")
  host=$(jq -r '.environments[0].default_domain' <<<"$app")
  slug=$(jq -r .slug <<<"$app")
  app=$(jq -r .id <<<"$app")
  body="pushed $RUN_ID $name"
  write_context "$repo" "$body"
  gitc -C "$repo" init -q -b main
  gitc -C "$repo" add -A
  gitc -C "$repo" commit -q -m "$name"
  t0=$(now_ms)
  gitc -C "$repo" push "http://git:$GIT_TOKEN@127.0.0.1:$API_PORT/git/$slug.git" main >"$TMP/push.out" 2>&1 ||
    die "git push failed: $(tail -8 "$TMP/push.out")"
  t_push=$(now_ms)
  deadline=$((SECONDS + TIMEOUT_S))
  while :; do
    code=$(curl -s -o "$TMP/edge.out" -w '%{http_code}' --max-time 2 -H "Host: $host" "http://127.0.0.1:$EDGE_HTTP/" || true)
    if [[ $code == 200 ]] && [[ $(cat "$TMP/edge.out") == "$body" ]]; then
      t1=$(now_ms)
      break
    fi
    ((SECONDS < deadline)) || die "no 200 from $host at the edge within ${TIMEOUT_S}s (last $code)"
    sleep "$POLL_S"
  done
  RESULT="$((t1 - t0)) $((t_push - t0)) -1 -1"
  EXPECT=204 api DELETE "/api/paas/apps/$app" >/dev/null
  wait_for 120 no_containers_labelled "skypanel.environment=$env" || die "the services of environment $env are still there"
}

SIDES=(platform raw rawpush)
SAMPLES=$TMP/samples.tsv
: >"$SAMPLES"
total=$((WARMUP_ROUNDS + ROUNDS))
for ((round = 1; round <= total; round++)); do
  phase=measured
  ((round <= WARMUP_ROUNDS)) && phase=warmup
  case $(((round - 1) % 3)) in
    0) order="platform raw rawpush" ;;
    1) order="raw rawpush platform" ;;
    *) order="rawpush platform raw" ;;
  esac
  [[ $PUSH != 1 ]] || order+=" push"
  for side in $order; do
    case $side in
      platform) platform_build "b$round" ;;
      raw) raw_build "r$round" 0 ;;
      rawpush) raw_build "p$round" 1 ;;
      push) push_round "$round" ;;
    esac
    read -r ms part_ms queued_ms engine_ms <<<"$RESULT"
    load=$(cut -d' ' -f1 /proc/loadavg)
    printf '%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n' "$phase" "$round" "$side" "$ms" "$part_ms" "$queued_ms" "$engine_ms" "$load" >>"$SAMPLES"
    log "round $round ($phase) $side: $ms ms (part $part_ms, queued $queued_ms, running $engine_ms; load $load)"
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
  def p90: sort | if length == 0 then null else .[((length * 0.9) | ceil) - 1] end;
  def stats: { median: (map(.ms) | median), p90: (map(.ms) | p90), min: (map(.ms) | min), max: (map(.ms) | max),
               part_ms_median: (map(.part_ms) | median), queued_ms_median: (map(.queued_ms) | median),
               running_ms_median: (map(.running_ms) | median) };
  def ratio($a; $b): if $a != null and $b != null and $b > 0 then ($a / $b * 100 | round) / 100 else null end;
  [split("\n")[] | select(length > 0) | split("\t")
   | { phase: .[0], round: (.[1] | tonumber), side: .[2], ms: (.[3] | tonumber), part_ms: (.[4] | tonumber),
       queued_ms: (.[5] | tonumber), running_ms: (.[6] | tonumber), load1: (.[7] | tonumber) }] as $samples
  | ($samples | map(select(.phase == "measured"))) as $m
  | { stamp: $stamp, rounds: $rounds, warmup_rounds: $warmup, poll_ms: $poll_ms, cores: $cores, docker: $docker, java: $java,
      cache: "base image local on both sides, every context unique (no layer cache after FROM), legacy builder on both",
      load_start: $load_start, load_end: $load_end, samples: $samples }
  | reduce ("platform", "raw", "rawpush", "push") as $s (.; ($m | map(select(.side == $s))) as $x
      | if ($x | length) > 0 then .[$s] = ($x | stats) else . end)
  | .ratio = { platform_raw: ratio(.platform.median; .raw.median), platform_rawpush: ratio(.platform.median; .rawpush.median),
               platform_raw_p90: ratio(.platform.p90; .raw.p90), platform_rawpush_p90: ratio(.platform.p90; .rawpush.p90) }' \
  "$SAMPLES" >"$JSON"

{
  echo "builds ($STAMP, $ROUNDS rounds + $WARMUP_ROUNDS warm-up, poll ${POLL_MS} ms): platform Dockerfile build (upload ->"
  echo "succeeded) vs raw docker build and raw docker build + push; git push -> first 200 at the edge"
  echo "cache: base image local on both sides, every context unique (no layer cache after FROM), legacy builder on both"
  echo "load average at start: $LOAD_START, at end: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
  echo
  printf '%-6s %-9s %8s %8s %9s %9s %6s\n' round side ms part queued running load1
  jq -r '.samples[] | [(if .phase == "warmup" then "w" else "" end) + (.round | tostring), .side, .ms, .part_ms, .queued_ms, .running_ms, .load1] | @tsv' "$JSON" |
    awk -F'\t' '{ printf "%-6s %-9s %8s %8s %9s %9s %6s\n", $1, $2, $3, $4, $5, $6, $7 }'
  echo
  echo "(part: platform = upload request returned, raw/rawpush = docker build done, push = git push returned;"
  echo " queued/running: the platform build's created->started and started->finished; w = warm-up, not counted)"
  echo
  jq -r '"side      median ms  p90 ms  [min-max]       part (median ms)",
    (["platform", "raw", "rawpush", "push"][] as $s | select(.[$s]) | .[$s]
      | "\($s | . + "         " | .[0:9]) \(.median | tostring | . + "          " | .[0:10]) \(.p90 | tostring | . + "       " | .[0:7]) [\(.min)-\(.max)]   \(.part_ms_median)"),
    "ratio platform/raw: median \(.ratio.platform_raw)x, p90 \(.ratio.platform_raw_p90)x",
    "ratio platform/rawpush: median \(.ratio.platform_rawpush)x, p90 \(.ratio.platform_rawpush_p90)x"' "$JSON"
} | tee "$TXT"
log "wrote $JSON and $TXT"
