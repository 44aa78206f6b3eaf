#!/usr/bin/env bash
# Edge router benchmark: nginx, HAProxy and SkyPanel's edge router as reverse proxies in front of the SAME
# local backend (a separate nginx serving a fixed 1 KiB body), each measured with wrk over plain HTTP and
# HTTPS, interleaved over several rounds so that load from other processes on the machine hits every proxy
# alike. Prints a table (medians and spread over the rounds) and writes everything as JSON to
# bench/edge/results/<timestamp>.json. With PROFILE=1 (default) it then records the edge with JFR during one
# extra, unmeasured run per scheme and prints the hottest frames.
#
# With EDGE_GW=1 (default) it also measures the production path to tenant tasks ("skypanel-edge-gw"): a third
# edge JVM with its own edge gateway container (SKYPANEL_EDGE_GATEWAY=auto) routing to a backend that is a real
# Swarm service (one replica of nginx, image skypanel/nginx from scripts/build-images.sh, same 1 KiB body) on an
# internal attachable overlay network labelled like an organization's (skypanel.network=internal,
# skypanel.org=<uuid>), dialled through the gateway's SOCKS5 relay on 127.0.0.1. Everything it creates on the
# engine (service, network, gateway container) carries its run id and is removed at the end, also after a failure.
#
# Debian 12, as root. Needs PostgreSQL and Redis as scripts/prepare-test-servers.sh leaves them (it is run
# when they do not answer). Installs missing nginx, haproxy, wrk, openssl, curl, jq with apt.
#
# Settings (environment variables):
#   DURATION=20      seconds measured per run (after WARMUP seconds of unmeasured load on the same target)
#   WARMUP=5         seconds of warm-up before every measured run
#   JIT_WARMUP=20    seconds of load on each edge JVM once after it started, before the first round
#   ROUNDS=3         measured rounds; each round runs every proxy and scheme once, in a rotated order
#   CONNECTIONS=64 THREADS=2   wrk keep-alive connections and threads
#   EDGE_NOLOG=1     also measure the edge with its access log switched off by logging configuration only
#   PROFILE=1        JFR-profile the edge afterwards (one extra DURATION run per scheme, not in the table)
#   SCHEMES="http https"       which schemes to measure
#   EDGE_JAVA_OPTS=  extra JVM options for the edge (default: none, as `java -jar skypanel.jar` in production)
#   DATABASE_ADMIN_URL=postgres://skypanel:skypanel@127.0.0.1:5432/postgres  (role with CREATEDB)
#   REDIS_URL=redis://127.0.0.1:6379/0
#   KEEP_TMP=1       keep the temporary directory (configs, logs, JFR recordings) for inspection
#   EDGE_GW=1        also measure the edge through its gateway to a Swarm task on an overlay network (needs the
#                    local Docker engine as a Swarm manager; EDGE_GW=0 leaves Docker alone)
#   DOCKER=/usr/bin/docker     the Docker client (the engine's own; a newer one on PATH may not speak its API)
set -euo pipefail

DURATION=${DURATION:-20}
WARMUP=${WARMUP:-5}
JIT_WARMUP=${JIT_WARMUP:-20}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
EDGE_NOLOG=${EDGE_NOLOG:-1}
PROFILE=${PROFILE:-1}
SCHEMES=${SCHEMES:-"http https"}
EDGE_JAVA_OPTS=${EDGE_JAVA_OPTS:-}
DATABASE_ADMIN_URL=${DATABASE_ADMIN_URL:-postgres://skypanel:skypanel@127.0.0.1:5432/postgres}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
KEEP_TMP=${KEEP_TMP:-0}
EDGE_GW=${EDGE_GW:-1}
DOCKER=${DOCKER:-/usr/bin/docker}
BODY_BYTES=1024
DOMAIN=bench.skypanel.test
GW_DOMAIN=gw.bench.skypanel.test # the route to the Swarm task (EDGE_GW=1)
BACKEND_CONTAINER_PORT=8080      # the task's nginx port on the overlay network
START_WAIT_SECONDS=180
STOP_WAIT_SECONDS=30

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
JAR=$ROOT/launcher/target/skypanel.jar
RESULTS=$HERE/results
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
TICKS=$(getconf CLK_TCK)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
CORES=$(nproc)

log() { echo "bench: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root (it installs packages and starts proxies)"

# --- packages (only what is missing; apt-get update only then) ------------------------------------
export DEBIAN_FRONTEND=noninteractive
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing=()
for need in nginx:nginx haproxy:haproxy wrk:wrk openssl:openssl curl:curl jq:jq psql:postgresql-client \
  pg_isready:postgresql-client redis-cli:redis-tools ss:iproute2 pgrep:procps unzip:unzip; do
  command -v "${need%%:*}" >/dev/null || installed "${need#*:}" || [[ " ${missing[*]:-} " == *" ${need#*:} "* ]] ||
    missing+=("${need#*:}")
done
if ((${#missing[@]} > 0)); then
  log "installing ${missing[*]}"
  apt-get update -qq </dev/null
  apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold "${missing[@]}" </dev/null
fi
# installing nginx/haproxy starts their system services; this benchmark never uses those
for service in nginx haproxy; do
  if [[ " ${missing[*]:-} " == *" $service "* ]]; then
    service "$service" stop >/dev/null 2>&1 || true
  fi
done
command -v java >/dev/null || die "java (17) is needed for the edge router"
command -v jcmd >/dev/null && command -v jfr >/dev/null || PROFILE=0

# --- state the edge reads: PostgreSQL and Redis ---------------------------------------------------
if ! pg_isready -q -h 127.0.0.1 -p 5432 || [[ $(redis-cli -u "$REDIS_URL" ping 2>/dev/null) != PONG ]]; then
  log "PostgreSQL or Redis does not answer: running scripts/prepare-test-servers.sh"
  "$ROOT/scripts/prepare-test-servers.sh" >&2
fi

if [[ ! -f $JAR ]]; then
  log "building $JAR"
  (cd "$ROOT" && mvn -B -o -q package -DskipTests -pl launcher -am) >&2
fi

# --- the overlay variant: engine, Swarm and images ---------------------------------------------------
if [[ $EDGE_GW == 1 ]]; then
  [[ -x $DOCKER ]] || die "no Docker client at $DOCKER (set DOCKER=..., or EDGE_GW=0 to skip the overlay variant)"
  [[ $("$DOCKER" info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}' 2>/dev/null) == "active true" ]] ||
    die "the Docker engine does not answer or is not a Swarm manager (scripts/prepare-test-servers.sh; EDGE_GW=0 to skip)"
  # the task's nginx and the gateway's Java runtime; builds only what is missing
  DOCKER=$DOCKER "$ROOT/scripts/build-images.sh" skypanel/nginx skypanel/jre >&2
  GW_BACKEND_IMAGE=$(DOCKER=$DOCKER "$ROOT/scripts/build-images.sh" --list skypanel/nginx | cut -d' ' -f1)
fi

# --- process bookkeeping and cleanup --------------------------------------------------------------
TMP=$(mktemp -d /tmp/skypanel-edge-bench.XXXXXX)
chmod 755 "$TMP" # nginx workers run as nobody and read the certificate paths' parents
PIDS=()          # process group leaders (every daemon is started with setsid)
BENCH_DB=""
REDIS_PREFIX="skypanel-bench-$STAMP-$$:"
# Docker objects of the overlay variant, named after this run; set as soon as each may exist, removed at the end
RUN_ID="skypanel-bench-${STAMP,,}-$$"
GW_SERVICE="" GW_NETWORK_ID="" GW_NAME=""

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
  # children (nginx workers) leave with their master; make sure none is left behind
  pkill -KILL -g "$pid" 2>/dev/null || true
}

# the overlay variant's service, network and gateway container (the edge JVMs are stopped first: a running edge
# would start its gateway again and join it to the network)
network_gone() { ! "$DOCKER" network inspect "$GW_NETWORK_ID" >/dev/null 2>&1; }
no_task_container() { [[ -z $("$DOCKER" ps -aq --filter "label=com.docker.swarm.service.name=$GW_SERVICE" 2>/dev/null) ]]; }
remove_docker_objects() {
  local attempt container
  if [[ -n $GW_SERVICE ]]; then
    "$DOCKER" service rm "$GW_SERVICE" >/dev/null 2>&1 || true
    # its task container leaves the network a moment after the service is gone
    wait_for 30 no_task_container ||
      log "the task container of service $GW_SERVICE is still there"
  fi
  if [[ -n $GW_NETWORK_ID ]]; then
    for ((attempt = 0; attempt < 40; attempt++)); do
      "$DOCKER" network inspect "$GW_NETWORK_ID" >/dev/null 2>&1 || break
      # this run's gateway, then any other edge gateway on the engine (each joins every internal network)
      [[ -z $GW_NAME ]] || "$DOCKER" network disconnect -f "$GW_NETWORK_ID" "$GW_NAME" >/dev/null 2>&1 || true
      for container in $("$DOCKER" network inspect -f '{{range $id, $c := .Containers}}{{$id}} {{end}}' "$GW_NETWORK_ID" 2>/dev/null); do
        [[ $container == lb-* ]] || "$DOCKER" network disconnect -f "$GW_NETWORK_ID" "$container" >/dev/null 2>&1 || true
      done
      "$DOCKER" network rm "$GW_NETWORK_ID" >/dev/null 2>&1 && break
      sleep 0.5
    done
    # a removed Swarm network can still be listed on the node for a moment
    wait_for 15 network_gone || log "could not remove network $GW_NETWORK_ID"
  fi
  if [[ -n $GW_NAME ]] && "$DOCKER" container inspect "$GW_NAME" >/dev/null 2>&1; then
    "$DOCKER" rm -f "$GW_NAME" >/dev/null 2>&1 || log "could not remove the gateway container $GW_NAME"
  fi
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${PIDS[@]:-}"; do
    [[ -n $pid ]] && stop_group "$pid"
  done
  [[ $EDGE_GW != 1 ]] || remove_docker_objects || true
  # the keys the edges wrote under this run's prefix (rate-limit buckets, reachability reports)
  redis-cli -u "$REDIS_URL" --scan --pattern "${REDIS_PREFIX}*" 2>/dev/null | xargs -r -n 100 redis-cli -u "$REDIS_URL" del >/dev/null 2>&1 || true
  if [[ -n $BENCH_DB ]]; then
    psql -X -q "$DATABASE_ADMIN_URL" -c "DROP DATABASE IF EXISTS \"$BENCH_DB\" WITH (FORCE)" >/dev/null 2>&1 ||
      log "could not drop database $BENCH_DB"
  fi
  # kept for inspection when asked for or after a failure (not after Ctrl-C or SIGTERM)
  if [[ $KEEP_TMP == 1 ]] || ((status != 0 && status != 130 && status != 143)); then
    log "kept $TMP (logs, configs, recordings)"
  else
    rm -rf "$TMP"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# starts "$@" in its own session and process group (so its children can be stopped with it); sets STARTED
start_daemon() {
  local logfile=$1
  shift
  # appending, so that trim_logs can truncate the file under a running writer
  setsid "$@" >>"$logfile" 2>&1 </dev/null &
  STARTED=$!
  PIDS+=("$STARTED")
}

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

# CPU ticks (user + system, all threads) used so far by every process in process group $1
group_ticks() {
  local total=0 pid stat fields
  for pid in $(pgrep -g "$1" 2>/dev/null); do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    fields=${stat##*) }
    read -r -a parts <<<"$fields"
    total=$((total + parts[11] + parts[12]))
  done
  echo "$total"
}

# busy and total CPU ticks of the whole machine
machine_ticks() {
  local _ user nice system idle iowait irq softirq steal
  read -r _ user nice system idle iowait irq softirq steal _ </proc/stat
  echo "$((user + nice + system + irq + softirq + steal)) $((user + nice + system + idle + iowait + irq + softirq + steal))"
}

# --- TLS material and the 1 KiB body --------------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$DOMAIN" -addext "subjectAltName=DNS:$DOMAIN" \
  -keyout "$TMP/key.pem" -out "$TMP/cert.pem" >/dev/null 2>&1
cat "$TMP/cert.pem" "$TMP/key.pem" >"$TMP/haproxy.pem"
chmod 644 "$TMP"/*.pem
BODY=$(head -c "$BODY_BYTES" /dev/zero | tr '\0' 'x')

BACKEND_PORT=$(free_port)
NGINX_HTTP=$(free_port) NGINX_HTTPS=$(free_port)
HAPROXY_HTTP=$(free_port) HAPROXY_HTTPS=$(free_port)
EDGE_HTTP=$(free_port) EDGE_HTTPS=$(free_port)
EDGE_NOLOG_HTTP=$(free_port) EDGE_NOLOG_HTTPS=$(free_port)
EDGE_GW_HTTP=$(free_port) EDGE_GW_HTTPS=$(free_port)
MIGRATE_API_PORT=$(free_port)

# nginx prefix with its own pid file, logs and temp dirs; never the system service's
nginx_prefix() {
  local dir=$TMP/$1
  mkdir -p "$dir/logs" "$dir/tmp"
  echo "$dir"
}
nginx_temp_paths() {
  local dir=$1
  cat <<EOF
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
EOF
}

# --- backend: a separate nginx serving the fixed body ---------------------------------------------
BACKEND_DIR=$(nginx_prefix backend)
cat >"$BACKEND_DIR/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $BACKEND_DIR/nginx.pid;
error_log $BACKEND_DIR/logs/error.log warn;
events { worker_connections 4096; }
http {
$(nginx_temp_paths "$BACKEND_DIR")
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
  server {
    listen 127.0.0.1:$BACKEND_PORT backlog=4096;
    location / {
      default_type text/plain;
      return 200 '$BODY';
    }
  }
}
EOF
start_daemon "$BACKEND_DIR/logs/stdout.log" nginx -p "$BACKEND_DIR" -c "$BACKEND_DIR/nginx.conf"
BACKEND_PID=$STARTED

# --- peer 1: nginx reverse proxy ------------------------------------------------------------------
NGINX_DIR=$(nginx_prefix nginx)
cat >"$NGINX_DIR/nginx.conf" <<EOF
daemon off;
worker_processes auto;
pid $NGINX_DIR/nginx.pid;
error_log $NGINX_DIR/logs/error.log warn;
events { worker_connections 4096; }
http {
$(nginx_temp_paths "$NGINX_DIR")
  # one JSON line per request, like the edge's access log
  log_format json escape=json '{"time":"\$time_iso8601","client":"\$remote_addr","method":"\$request_method",'
    '"host":"\$host","uri":"\$request_uri","status":\$status,"duration_ms":\$request_time,'
    '"bytes_in":\$request_length,"bytes_out":\$bytes_sent,"request_id":"\$request_id"}';
  access_log $NGINX_DIR/logs/access.log json;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
  upstream backend {
    server 127.0.0.1:$BACKEND_PORT;
    keepalive 256;
  }
  server {
    listen 127.0.0.1:$NGINX_HTTP backlog=4096;
    listen 127.0.0.1:$NGINX_HTTPS ssl backlog=4096;
    server_name $DOMAIN;
    ssl_certificate $TMP/cert.pem;
    ssl_certificate_key $TMP/key.pem;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Forwarded-Host \$http_host;
      proxy_set_header Forwarded "for=\$remote_addr;proto=\$scheme;host=\"\$http_host\"";
      proxy_set_header X-Request-Id \$request_id;
      add_header X-Request-Id \$request_id always;
    }
  }
  server {
    listen 127.0.0.1:$NGINX_HTTP default_server;
    listen 127.0.0.1:$NGINX_HTTPS ssl default_server;
    ssl_certificate $TMP/cert.pem;
    ssl_certificate_key $TMP/key.pem;
    return 404;
  }
}
EOF
start_daemon "$NGINX_DIR/logs/stdout.log" nginx -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf"
NGINX_PID=$STARTED

# --- peer 2: HAProxy ------------------------------------------------------------------------------
mkdir -p "$TMP/haproxy"
echo "$DOMAIN backend_app" >"$TMP/haproxy/hosts.map"
cat >"$TMP/haproxy/haproxy.cfg" <<EOF
global
  nbthread $CORES
  maxconn 4096
  pidfile $TMP/haproxy/haproxy.pid
  log stdout format raw local0

defaults
  mode http
  log global
  # one line per request, like the edge's access log
  log-format '{"time":"%tr","client":"%ci","method":"%HM","host":"%[capture.req.hdr(0)]","uri":"%HU","status":%ST,"duration_ms":%Ta,"bytes_in":%U,"bytes_out":%B,"request_id":"%ID"}'
  option http-keep-alive
  http-reuse always
  timeout connect 2s
  timeout client 75s
  timeout server 60s
  timeout http-keep-alive 75s

frontend edge
  bind 127.0.0.1:$HAPROXY_HTTP
  bind 127.0.0.1:$HAPROXY_HTTPS ssl crt $TMP/haproxy.pem alpn http/1.1
  capture request header Host len 64
  unique-id-format %{+X}o%ci:%cp_%fi:%fp_%Ts_%rt:%pid
  unique-id-header X-Request-Id
  option forwardfor
  http-request set-header X-Forwarded-Proto https if { ssl_fc }
  http-request set-header X-Forwarded-Proto http if !{ ssl_fc }
  http-request set-header X-Forwarded-Host %[req.hdr(host)]
  http-request set-header Forwarded for=%[src];proto=%[req.hdr(X-Forwarded-Proto)];host=%[req.hdr(host)]
  http-response set-header X-Request-Id %[unique-id]
  # the route comes from a host map, as the edge's comes from its route table
  use_backend %[req.hdr(host),field(1,:),lower,map($TMP/haproxy/hosts.map)]
  default_backend unknown_host

backend backend_app
  server app 127.0.0.1:$BACKEND_PORT

backend unknown_host
  http-request deny deny_status 404
EOF
haproxy -c -q -f "$TMP/haproxy/haproxy.cfg" >&2 || die "HAProxy rejects its configuration"
start_daemon "$TMP/haproxy/stdout.log" haproxy -db -f "$TMP/haproxy/haproxy.cfg"
HAPROXY_PID=$STARTED

# --- SkyPanel edge router: the shaded launcher jar with only the edge-router service --------------
# A throwaway database; the control plane owns the schema, so it runs once alone to migrate it and is stopped
# again before the edge starts (a running control plane's reconciler would rewrite the container's endpoints).
BENCH_DB="skypanel_bench_${STAMP,,}_$$"
psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_ADMIN_URL" -c "CREATE DATABASE \"$BENCH_DB\"" >/dev/null
DATABASE_URL=$(echo "$DATABASE_ADMIN_URL" | sed -E "s#/[^/?]*(\?.*)?\$#/$BENCH_DB\1#")
MASTER_KEY=$(openssl rand -base64 32)
# the edge never talks to Docker; pointing DOCKER_HOST nowhere keeps the launcher off the machine's Swarm
NO_DOCKER=unix://$TMP/no-docker.sock

run_launcher() { # logfile services extra env... -- java options
  local logfile=$1 services=$2
  shift 2
  local envs=() opts=()
  while (($# > 0)) && [[ $1 != -- ]]; do envs+=("$1"); shift; done
  (($# > 0)) && shift
  opts=("$@")
  start_daemon "$logfile" env SKYPANEL_SERVICES="$services" DATABASE_URL="$DATABASE_URL" REDIS_URL="$REDIS_URL" \
    SKYPANEL_REDIS_PREFIX="$REDIS_PREFIX" SKYPANEL_MASTER_KEY="$MASTER_KEY" DOCKER_HOST="$NO_DOCKER" \
    SKYPANEL_BIND_HOST=127.0.0.1 SKYPANEL_DATA_DIR="$TMP/data" "${envs[@]}" \
    java "${opts[@]}" -jar "$JAR" up
}

wait_started() { # pid logfile what
  local pid=$1 logfile=$2 deadline=$((SECONDS + START_WAIT_SECONDS))
  until grep -q "SkyPanel is up" "$logfile" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || die "$3 exited during start: $(tail -5 "$logfile")"
    ((SECONDS < deadline)) || die "$3 did not start within ${START_WAIT_SECONDS}s (see $logfile)"
    sleep 0.5
  done
}

log "migrating the throwaway database $BENCH_DB (control plane, once)"
run_launcher "$TMP/migrate.log" control-plane SKYPANEL_API_PORT="$MIGRATE_API_PORT" SKYPANEL_CAAS_RECONCILE_INTERVAL_MS=3600000 --
wait_started "$STARTED" "$TMP/migrate.log" "the control plane (migration run)"
stop_group "$STARTED"

# --- the overlay variant's backend: a Swarm service on an organization-like internal overlay network ----------
BENCH_ORG=$(cat /proc/sys/kernel/random/uuid)
GW_ROW=""
if [[ $EDGE_GW == 1 ]]; then
  # as the control plane makes an organization's network (SwarmOrchestrator): org-<id>, overlay, internal, attachable
  GW_NETWORK_ID="org-$BENCH_ORG" # by name until the engine answers its id, so that cleanup finds it either way
  GW_NETWORK_ID=$("$DOCKER" network create -d overlay --internal --attachable --label skypanel.network=internal \
    --label "skypanel.org=$BENCH_ORG" --label "skypanel.bench=$RUN_ID" "org-$BENCH_ORG")
  # the same nginx settings as the host backend, on the container port, as the unprivileged user of the images
  GW_NGINX_CONF=$(cat <<EOF
daemon off;
worker_processes 1;
pid /tmp/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
$(nginx_temp_paths /tmp | sed 's#/tmp/tmp/#/tmp/#')
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
  server {
    listen $BACKEND_CONTAINER_PORT backlog=4096;
    location / {
      default_type text/plain;
      return 200 '$BODY';
    }
  }
}
EOF
)
  GW_SERVICE="$RUN_ID-backend"
  log "creating Swarm service $GW_SERVICE ($GW_BACKEND_IMAGE, 1 replica) on network org-$BENCH_ORG"
  # no published port, init, read-only root filesystem, uid 10001, as the platform's tasks; --no-resolve-image:
  # the image is local (no registry to ask for its digest)
  "$DOCKER" service create --detach --quiet --name "$GW_SERVICE" --replicas 1 --no-resolve-image \
    --network "org-$BENCH_ORG" --label "skypanel.org=$BENCH_ORG" --label "skypanel.bench=$RUN_ID" \
    --container-label "skypanel.org=$BENCH_ORG" --container-label "skypanel.bench=$RUN_ID" \
    --init --read-only --mount type=tmpfs,destination=/tmp --user 10001:10001 --stop-grace-period 2s \
    --env "NGINX_CONF=$GW_NGINX_CONF" "$GW_BACKEND_IMAGE" \
    sh -c 'printf "%s\n" "$NGINX_CONF" >/tmp/nginx.conf && exec nginx -e stderr -c /tmp/nginx.conf' >/dev/null
  gw_task() { "$DOCKER" service ps --no-trunc --filter desired-state=running --format '{{.ID}} {{.CurrentState}}' "$GW_SERVICE" 2>/dev/null |
    awk '$2 == "Running" { print $1; exit }'; }
  gw_task_running() { [[ -n $(gw_task) ]]; }
  wait_for 120 gw_task_running ||
    die "the task of $GW_SERVICE does not run: $("$DOCKER" service ps --no-trunc "$GW_SERVICE" 2>&1 | tail -3) $("$DOCKER" service logs --raw "$GW_SERVICE" 2>&1 | tail -5)"
  GW_TASK_ID=$(gw_task)
  # its address on the organization network, as the reconciler records it
  GW_TASK_ADDRESS=$("$DOCKER" inspect -f '{{range .NetworksAttachments}}{{if eq .Network.ID "'"$GW_NETWORK_ID"'"}}{{range .Addresses}}{{.}} {{end}}{{end}}{{end}}' "$GW_TASK_ID")
  GW_TASK_ADDRESS=${GW_TASK_ADDRESS%%/*}
  GW_TASK_CONTAINER=$("$DOCKER" inspect -f '{{.Status.ContainerStatus.ContainerID}}' "$GW_TASK_ID")
  [[ $GW_TASK_ADDRESS =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ && -n $GW_TASK_CONTAINER ]] ||
    die "no overlay address or container for task $GW_TASK_ID (address '$GW_TASK_ADDRESS')"
  log "task $GW_TASK_ID runs at $GW_TASK_ADDRESS:$BACKEND_CONTAINER_PORT on org-$BENCH_ORG"
  # the row as the reconciler writes it for a running task: overlay address and container port, network internal
  GW_ROW="INSERT INTO paas_containers (organization_id, name, image_ref, cpu, memory_mb, replicas, desired_replicas,
                             running_replicas, plan_id, status, default_domain, ports, endpoints)
SELECT o.id, 'backend-gw', '$GW_BACKEND_IMAGE', 1, 256, 1, 1, 1, o.plan_id, 'running', '$GW_DOMAIN',
       '[{\"container_port\": $BACKEND_CONTAINER_PORT, \"protocol\": \"tcp\", \"public\": true}]',
       '[{\"address\": \"$GW_TASK_ADDRESS\", \"port\": $BACKEND_CONTAINER_PORT, \"container_port\": $BACKEND_CONTAINER_PORT, \"protocol\": \"tcp\", \"network\": \"internal\", \"task_id\": \"$GW_TASK_ID\"}]'
  FROM organizations o WHERE o.slug = 'bench';"
fi

psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" >/dev/null <<EOF
INSERT INTO paas_plans (slug, name, price_hourly, price_monthly, cpu, memory_mb, disk_gb, max_replicas, max_apps,
                        max_containers, max_volumes, max_volume_gb, max_domains, active,
                        edge_requests_per_second, edge_burst, edge_max_connections)
VALUES ('bench', 'Benchmark', 0, 0, 2, 1024, 1, 1, 1, 2, 0, 0, 2, false, 2147483647, 2147483647, 2147483647);
INSERT INTO organizations (id, name, slug, plan_id) SELECT '$BENCH_ORG', 'Benchmark', 'bench', id FROM paas_plans WHERE slug = 'bench';
INSERT INTO paas_containers (organization_id, name, image_ref, cpu, memory_mb, replicas, desired_replicas,
                             running_replicas, plan_id, status, default_domain, ports, endpoints)
SELECT o.id, 'backend', 'bench/backend:1', 1, 256, 1, 1, 1, o.plan_id, 'running', '$DOMAIN',
       '[{"container_port": 8080, "protocol": "tcp", "public": true}]',
       '[{"address": "127.0.0.1", "port": $BACKEND_PORT, "container_port": 8080, "protocol": "tcp", "task_id": "bench"}]'
  FROM organizations o WHERE o.slug = 'bench';
$GW_ROW
EOF

read -r -a EDGE_OPTS <<<"$EDGE_JAVA_OPTS"
log "starting the edge router (launcher jar, SKYPANEL_SERVICES=edge-router)"
# SKYPANEL_EDGE_GATEWAY=off: these edges reach the host backend directly and never use Docker
run_launcher "$TMP/edge.log" edge-router SKYPANEL_HTTP_PORT="$EDGE_HTTP" SKYPANEL_HTTPS_PORT="$EDGE_HTTPS" SKYPANEL_EDGE_GATEWAY=off \
  -- "${EDGE_OPTS[@]}"
EDGE_PID=$STARTED
wait_started "$EDGE_PID" "$TMP/edge.log" "the edge router"
EDGE_JVM_PID=$(pgrep -g "$EDGE_PID" -x java | head -1)

EDGE_NOLOG_PID="" EDGE_NOLOG_JVM_PID=""
if [[ $EDGE_NOLOG == 1 ]]; then
  # the production logging configuration with only the access logger switched off: no code change
  sed 's#<root level="INFO">#<logger name="skypanel.edge.access" level="OFF"/>\n\n  <root level="INFO">#' \
    <(unzip -p "$JAR" logback.xml) >"$TMP/logback-noaccess.xml"
  grep -q 'skypanel.edge.access' "$TMP/logback-noaccess.xml" || die "could not derive a logging configuration without the access log"
  log "starting a second edge router with its access log off (logging configuration only)"
  run_launcher "$TMP/edge-nolog.log" edge-router SKYPANEL_HTTP_PORT="$EDGE_NOLOG_HTTP" SKYPANEL_HTTPS_PORT="$EDGE_NOLOG_HTTPS" SKYPANEL_EDGE_GATEWAY=off \
    -- "${EDGE_OPTS[@]}" "-Dlogback.configurationFile=$TMP/logback-noaccess.xml"
  EDGE_NOLOG_PID=$STARTED
  wait_started "$EDGE_NOLOG_PID" "$TMP/edge-nolog.log" "the edge router without access log"
  EDGE_NOLOG_JVM_PID=$(pgrep -g "$EDGE_NOLOG_PID" -x java | head -1)
fi

EDGE_GW_PID="" EDGE_GW_JVM_PID=""
if [[ $EDGE_GW == 1 ]]; then
  # the production setting (SKYPANEL_EDGE_GATEWAY=auto) with a gateway container of this run's own: the edge builds
  # the gateway image when missing, starts the container and joins it to every internal network on the engine
  GW_NAME="$RUN_ID-gateway"
  log "starting a third edge router with its own edge gateway $GW_NAME (SKYPANEL_EDGE_GATEWAY=auto)"
  run_launcher "$TMP/edge-gw.log" edge-router SKYPANEL_HTTP_PORT="$EDGE_GW_HTTP" SKYPANEL_HTTPS_PORT="$EDGE_GW_HTTPS" \
    SKYPANEL_EDGE_GATEWAY=auto SKYPANEL_EDGE_GATEWAY_NAME="$GW_NAME" DOCKER_HOST="${DOCKER_HOST:-unix:///var/run/docker.sock}" \
    -- "${EDGE_OPTS[@]}"
  EDGE_GW_PID=$STARTED
  wait_started "$EDGE_GW_PID" "$TMP/edge-gw.log" "the edge router with a gateway"
  EDGE_GW_JVM_PID=$(pgrep -g "$EDGE_GW_PID" -x java | head -1)
fi

# --- targets --------------------------------------------------------------------------------------
PROXIES=(nginx haproxy skypanel-edge)
[[ $EDGE_NOLOG == 1 ]] && PROXIES+=(skypanel-edge-nolog)
[[ $EDGE_GW == 1 ]] && PROXIES+=(skypanel-edge-gw)
port_of() { # proxy scheme
  case "$1:$2" in
    nginx:http) echo "$NGINX_HTTP" ;; nginx:https) echo "$NGINX_HTTPS" ;;
    haproxy:http) echo "$HAPROXY_HTTP" ;; haproxy:https) echo "$HAPROXY_HTTPS" ;;
    skypanel-edge:http) echo "$EDGE_HTTP" ;; skypanel-edge:https) echo "$EDGE_HTTPS" ;;
    skypanel-edge-nolog:http) echo "$EDGE_NOLOG_HTTP" ;; skypanel-edge-nolog:https) echo "$EDGE_NOLOG_HTTPS" ;;
    skypanel-edge-gw:http) echo "$EDGE_GW_HTTP" ;; skypanel-edge-gw:https) echo "$EDGE_GW_HTTPS" ;;
  esac
}
pgid_of() {
  case "$1" in
    nginx) echo "$NGINX_PID" ;; haproxy) echo "$HAPROXY_PID" ;;
    skypanel-edge) echo "$EDGE_PID" ;; skypanel-edge-nolog) echo "$EDGE_NOLOG_PID" ;; skypanel-edge-gw) echo "$EDGE_GW_PID" ;;
  esac
}
url_of() { echo "$2://127.0.0.1:$(port_of "$1" "$2")/"; }
host_of() { # the Host header a proxy is measured with: the overlay variant has a route of its own
  if [[ $1 == skypanel-edge-gw ]]; then echo "$GW_DOMAIN"; else echo "$DOMAIN"; fi
}

# every proxy must answer 200 with exactly the backend's body for the benchmark Host, and 404 for another
answers() { # proxy scheme
  local got
  # HTTP/1.1 like wrk (curl would otherwise negotiate HTTP/2 by ALPN where offered)
  got=$(curl -sk --http1.1 -o /dev/null -w '%{http_code} %{size_download}' -H "Host: $(host_of "$1")" "$(url_of "$1" "$2")") || return 1
  [[ $got == "200 $BODY_BYTES" ]]
}
for proxy in "${PROXIES[@]}"; do
  for scheme in $SCHEMES; do
    kill -0 "$(pgid_of "$proxy")" 2>/dev/null || die "$proxy is not running (see its log in $TMP)"
    # the gateway may need the edge's next resync to come up (a first start builds its image)
    wait_for "$([[ $proxy == skypanel-edge-gw ]] && echo 150 || echo 30)" answers "$proxy" "$scheme" ||
      die "$proxy over $scheme does not answer 200 with the ${BODY_BYTES}-byte body at $(url_of "$proxy" "$scheme") (Host: $(host_of "$proxy")): $(curl -skv --http1.1 -o /dev/null -H "Host: $(host_of "$proxy")" "$(url_of "$proxy" "$scheme")" 2>&1 | tail -15)"
    unknown=$(curl -sk --http1.1 -o /dev/null -w '%{http_code}' -H "Host: unknown.skypanel.test" "$(url_of "$proxy" "$scheme")" || true)
    [[ $unknown == 404 ]] || die "$proxy over $scheme answers $unknown (not 404) for an unknown Host"
  done
done
log "all proxies answer 200 with the ${BODY_BYTES}-byte body for Host: $DOMAIN ($GW_DOMAIN through the gateway) and 404 for an unknown host"

# --- CPU of the overlay path outside the edge JVM: the gateway container, the engine's loopback port proxy, the task
# cgroup v1 (cpuacct.usage, ns) or v2 (cpu.stat usage_usec) of a running container
cgroup_cpu_file() { # container -> file
  local pid path mount
  pid=$("$DOCKER" inspect -f '{{.State.Pid}}' "$1" 2>/dev/null) || return 0
  path=$(sed -n 's/^[0-9]*:[^:]*cpuacct[^:]*:\(.*\)$/\1/p' "/proc/$pid/cgroup" 2>/dev/null | head -1)
  if [[ -n $path ]]; then
    for mount in /sys/fs/cgroup/cpuacct /sys/fs/cgroup/cpu,cpuacct; do
      [[ -f $mount$path/cpuacct.usage ]] && { echo "$mount$path/cpuacct.usage"; return 0; }
    done
  fi
  path=$(sed -n 's/^0::\(.*\)$/\1/p' "/proc/$pid/cgroup" 2>/dev/null | head -1)
  if [[ -n $path && -f /sys/fs/cgroup$path/cpu.stat ]]; then echo "/sys/fs/cgroup$path/cpu.stat"; fi
  return 0
}
cgroup_ticks() { # file -> CPU ticks used so far (0 without a file)
  case "$1" in
    *cpuacct.usage) awk -v t="$TICKS" '{ printf "%d", $1 * t / 1e9 }' "$1" 2>/dev/null || echo 0 ;;
    *cpu.stat) awk -v t="$TICKS" '$1 == "usage_usec" { printf "%d", $2 * t / 1e6 }' "$1" 2>/dev/null || echo 0 ;;
    *) echo 0 ;;
  esac
}
pid_ticks() { # pid -> CPU ticks of that process (all threads; 0 without one)
  local stat fields
  [[ -n $1 ]] && stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
  fields=${stat##*) }
  read -r -a parts <<<"$fields"
  echo "$((parts[11] + parts[12]))"
}
GW_CPU_FILE="" GW_PORT_PROXY_PID="" GW_TASK_CPU_FILE=""
if [[ $EDGE_GW == 1 ]]; then
  GW_CPU_FILE=$(cgroup_cpu_file "$GW_NAME")
  GW_TASK_CPU_FILE=$(cgroup_cpu_file "$GW_TASK_CONTAINER")
  [[ -n $GW_CPU_FILE && -n $GW_TASK_CPU_FILE ]] || log "WARNING: no cgroup CPU accounting found for the gateway or the task; their CPU reads 0"
  GW_RELAY=$("$DOCKER" port "$GW_NAME" 1080/tcp | head -1)
  # the engine serves a port published on 127.0.0.1 with its userland proxy (one more relaying process)
  GW_PORT_PROXY_PID=$(pgrep -f -- "docker-proxy .*-host-ip 127.0.0.1 -host-port ${GW_RELAY##*:} " | head -1 || true)
  log "gateway $GW_NAME relays on $GW_RELAY (engine port proxy: ${GW_PORT_PROXY_PID:-none}); joined networks: $("$DOCKER" inspect -f '{{len .NetworkSettings.Networks}}' "$GW_NAME")"
fi

# --- wrk ------------------------------------------------------------------------------------------
cat >"$TMP/report.lua" <<'EOF'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
end
EOF

wrk_run() { # seconds url [host] -> prints wrk's output; the last line of the subshell is its children's CPU times
  local seconds=$1 url=$2 host=${3:-$DOMAIN}
  (
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --timeout 5s -H "Host: $host" -s "$TMP/report.lua" "$url"
    times
  )
}

seconds_of() { # "1m2.345s" -> 62.345
  awk -v t="$1" 'BEGIN { split(t, a, "m"); sub("s", "", a[2]); printf "%.3f", a[1] * 60 + a[2] }'
}

# access logs grow by some MB/s under load: keep everything but the access lines, then truncate
trim_logs() {
  local file
  for file in "$TMP/edge.log" "$TMP/edge-nolog.log" "$TMP/edge-gw.log" "$TMP/haproxy/stdout.log" "$NGINX_DIR/logs/access.log"; do
    [[ -f $file ]] || continue
    grep -a -v -e ' access - ' -e '^{' "$file" >>"$file.kept" || true
    : >"$file"
  done
}

RUNS=$TMP/runs.jsonl
: >"$RUNS"
# CPU per JVM thread over a run, from /proc (names from a thread dump: the kernel's comm is cut at 15 characters);
# shows how many event loops carry the load and whether the JIT compiler is still busy
thread_ticks() { # jvm pid -> "tid ticks" lines
  local task stat f
  for task in /proc/"$1"/task/*; do
    stat=$(cat "$task/stat" 2>/dev/null) || continue
    f=${stat##*) }
    read -r -a parts <<<"$f"
    echo "${task##*/} $((parts[11] + parts[12]))"
  done
}
thread_cpu_json() { # jvm pid, before file, after file, seconds -> JSON array of the busiest threads
  jcmd "$1" Thread.print 2>/dev/null |
    sed -n 's/^"\([^"]*\)".* nid=\(0x[0-9a-f]*\) .*/\2\t\1/p' |
    while IFS=$'\t' read -r nid name; do printf '%d\t%s\n' "$nid" "$name"; done >"$TMP/thread-names"
  awk -v ticks="$TICKS" -v secs="$4" '
      FILENAME ~ /thread-names$/ { split($0, kv, "\t"); name[kv[1]] = kv[2]; next }
      FILENAME == bfile { before[$1] = $2; next }
      { used = $2 - before[$1]; if (used > 0) printf "%s\t%.3f\n", ($1 in name ? name[$1] : "tid " $1), used / ticks / secs }' \
      bfile="$2" "$TMP/thread-names" "$2" "$3" | sort -t$'\t' -k2 -nr | head -6 |
    jq -R -s '[split("\n")[] | select(length > 0) | split("\t") | {thread: .[0], cpu_share_of_one_core: (.[1] | tonumber)}]'
}
jvm_of() {
  case "$1" in
    skypanel-edge) echo "$EDGE_JVM_PID" ;; skypanel-edge-nolog) echo "$EDGE_NOLOG_JVM_PID" ;;
    skypanel-edge-gw) echo "$EDGE_GW_JVM_PID" ;; *) echo "" ;;
  esac
}
# the backend's CPU ticks: the host nginx, or the Swarm task's container for the overlay variant
backend_ticks_of() {
  if [[ $1 == skypanel-edge-gw ]]; then cgroup_ticks "$GW_TASK_CPU_FILE"; else group_ticks "$BACKEND_PID"; fi
}
# "gateway-container-ticks port-proxy-ticks": the overlay path's relays outside the edge JVM (0 0 for the others)
relay_ticks_of() {
  if [[ $1 == skypanel-edge-gw ]]; then echo "$(cgroup_ticks "$GW_CPU_FILE") $(pid_ticks "$GW_PORT_PROXY_PID")"; else echo "0 0"; fi
}

measure() { # round proxy scheme
  local round=$1 proxy=$2 scheme=$3 url host pgid out json p0 p1 b0 b1 g0 g1 d0 d1 m0 m1 wrk_cpu load jvm threads='null'
  url=$(url_of "$proxy" "$scheme")
  host=$(host_of "$proxy")
  pgid=$(pgid_of "$proxy")
  jvm=$(jvm_of "$proxy")
  wrk_run "$WARMUP" "$url" "$host" >/dev/null
  load=$(cut -d' ' -f1 /proc/loadavg)
  if [[ -n $jvm ]]; then thread_ticks "$jvm" >"$TMP/threads-before"; fi
  read -r g0 d0 <<<"$(relay_ticks_of "$proxy")"
  p0=$(group_ticks "$pgid") b0=$(backend_ticks_of "$proxy") m0=$(machine_ticks)
  out=$(wrk_run "$DURATION" "$url" "$host")
  p1=$(group_ticks "$pgid") b1=$(backend_ticks_of "$proxy") m1=$(machine_ticks)
  read -r g1 d1 <<<"$(relay_ticks_of "$proxy")"
  if [[ -n $jvm ]]; then
    thread_ticks "$jvm" >"$TMP/threads-after"
    threads=$(thread_cpu_json "$jvm" "$TMP/threads-before" "$TMP/threads-after" "$DURATION")
  fi
  json=$(grep '^WRKJSON ' <<<"$out" | cut -d' ' -f2-) || die "wrk gave no result for $proxy $scheme: $out"
  wrk_cpu=$(tail -1 <<<"$out" | { read -r u s; echo "$(seconds_of "$u") $(seconds_of "$s")"; } | awk '{ printf "%.3f", $1 + $2 }')
  jq -c --arg proxy "$proxy" --arg scheme "$scheme" --argjson round "$round" --argjson load "$load" \
    --argjson proxy_ticks "$((p1 - p0 + g1 - g0 + d1 - d0))" --argjson backend_ticks "$((b1 - b0))" \
    --argjson gateway_ticks "$((g1 - g0))" --argjson port_proxy_ticks "$((d1 - d0))" \
    --argjson machine_busy "$(($(cut -d' ' -f1 <<<"$m1") - $(cut -d' ' -f1 <<<"$m0")))" \
    --argjson machine_total "$(($(cut -d' ' -f2 <<<"$m1") - $(cut -d' ' -f2 <<<"$m0")))" \
    --argjson wrk_cpu "$wrk_cpu" --argjson ticks "$TICKS" --argjson cores "$CORES" --argjson threads "$threads" '
    . as $w | ($w.duration_us / 1e6) as $secs
    | {round: $round, proxy: $proxy, scheme: $scheme,
       rps: ($w.requests / $secs), requests: $w.requests,
       p50_ms: ($w.p50_us / 1000), p90_ms: ($w.p90_us / 1000), p99_ms: ($w.p99_us / 1000), max_ms: ($w.max_us / 1000),
       errors: ($w.err_connect + $w.err_read + $w.err_write + $w.err_timeout), non_2xx: $w.err_status,
       proxy_cpu_s: ($proxy_ticks / $ticks), backend_cpu_s: ($backend_ticks / $ticks), wrk_cpu_s: $wrk_cpu,
       proxy_cpu_us_per_req: (if $w.requests > 0 then $proxy_ticks / $ticks * 1e6 / $w.requests else null end),
       gateway_cpu_s: (if $proxy == "skypanel-edge-gw" then $gateway_ticks / $ticks else null end),
       port_proxy_cpu_s: (if $proxy == "skypanel-edge-gw" then $port_proxy_ticks / $ticks else null end),
       relay_cpu_us_per_req: (if $proxy == "skypanel-edge-gw" and $w.requests > 0
         then ($gateway_ticks + $port_proxy_ticks) / $ticks * 1e6 / $w.requests else null end),
       machine_busy_cores: ($machine_busy / $machine_total * $cores),
       other_cpu_cores: ((($machine_busy / $ticks) - ($proxy_ticks / $ticks) - ($backend_ticks / $ticks) - $wrk_cpu) / $secs),
       loadavg_1m_before: $load, jvm_threads: $threads}' <<<"$json" >>"$RUNS"
  trim_logs
  tail -1 "$RUNS" | jq -r '"  round \(.round) \(.proxy) \(.scheme): \(.rps | floor) req/s, p50 \(.p50_ms) ms, p99 \(.p99_ms) ms, proxy CPU \(.proxy_cpu_us_per_req | floor) µs/req, other load \(.other_cpu_cores * 100 | floor / 100) cores, errors \(.errors), non-2xx \(.non_2xx)"' >&2
}

# one unmeasured run per edge JVM so that the first round does not measure the JIT compiler
if ((JIT_WARMUP > 0)); then
  for proxy in "${PROXIES[@]}"; do
    [[ $proxy == skypanel-edge* ]] || continue
    for scheme in $SCHEMES; do
      log "JIT warm-up: $proxy $scheme for ${JIT_WARMUP}s"
      wrk_run "$JIT_WARMUP" "$(url_of "$proxy" "$scheme")" "$(host_of "$proxy")" >/dev/null
      trim_logs
    done
  done
fi

read -r -a SCHEME_LIST <<<"$SCHEMES"
for ((round = 1; round <= ROUNDS; round++)); do
  log "round $round of $ROUNDS"
  n=${#PROXIES[@]}
  for ((s = 0; s < ${#SCHEME_LIST[@]}; s++)); do
    scheme=${SCHEME_LIST[$(((s + round - 1) % ${#SCHEME_LIST[@]}))]}
    for ((i = 0; i < n; i++)); do
      measure "$round" "${PROXIES[$(((i + round - 1) % n))]}" "$scheme"
    done
  done
done

# --- profile (unmeasured): JFR on the edge during one more run per scheme --------------------------
# sampling.jfc holds sampling events only (the JDK's own settings instrument socket and file I/O, which
# deoptimises the hot path as the recording starts); per-thread CPU comes from /proc, names from a thread dump.
PROFILE_JSON='null'
if [[ $PROFILE == 1 ]]; then
  PROFILE_JSON='{}'
  # the first JFR start in a running JVM deoptimises compiled code (C2 then recompiles the hot path for many
  # seconds); a throw-away recording under load first keeps that out of the profiled window
  log "priming JFR in the edge (${JIT_WARMUP}s under load, not recorded)"
  jcmd "$EDGE_JVM_PID" JFR.start name=prime settings="$HERE/sampling.jfc" >/dev/null
  wrk_run "$((JIT_WARMUP > 10 ? JIT_WARMUP : 10))" "$(url_of skypanel-edge "${SCHEME_LIST[0]}")" >/dev/null
  jcmd "$EDGE_JVM_PID" JFR.stop name=prime >/dev/null
  trim_logs
  for scheme in $SCHEMES; do
    recording=$TMP/edge-$scheme.jfr
    log "profiling the edge over $scheme with JFR for ${DURATION}s"
    jcmd "$EDGE_JVM_PID" JFR.start name=bench settings="$HERE/sampling.jfc" filename="$recording" >/dev/null
    wrk_run 2 "$(url_of skypanel-edge "$scheme")" >/dev/null # connections and handshakes before the window
    thread_ticks "$EDGE_JVM_PID" >"$TMP/threads-before"
    out=$(wrk_run "$DURATION" "$(url_of skypanel-edge "$scheme")")
    thread_ticks "$EDGE_JVM_PID" >"$TMP/threads-after"
    jcmd "$EDGE_JVM_PID" JFR.stop name=bench >/dev/null
    requests=$(grep '^WRKJSON ' <<<"$out" | cut -d' ' -f2- | jq '.requests')
    threads=$(thread_cpu_json "$EDGE_JVM_PID" "$TMP/threads-before" "$TMP/threads-after" "$DURATION")
    mkdir -p "$RESULTS"
    cp "$recording" "$RESULTS/$STAMP-edge-$scheme.jfr"
    trim_logs
    summary=$(jfr print --events jdk.ExecutionSample,jdk.NativeMethodSample --stack-depth 64 "$recording" |
      awk -f "$HERE/jfr-summary.awk" |
      jq -c '.top_frames |= (sort_by(-.share) | .[:30]) | .areas |= sort_by(-.share) | .threads |= sort_by(-.share)
        | .native_frames |= (sort_by(-.share) | .[:10])')
    allocation=$(jfr print --events jdk.ObjectAllocationSample --stack-depth 2 "$recording" | awk -f "$HERE/jfr-alloc.awk" |
      jq -c --argjson requests "$requests" '{bytes_per_request: (if $requests > 0 then (.sampled_bytes / $requests | round) else null end),
        classes: (.classes | sort_by(-.share) | .[:10]), sites: (.sites | sort_by(-.share) | .[:10])}')
    PROFILE_JSON=$(jq -c --arg scheme "$scheme" --argjson summary "$summary" --argjson threads "$threads" \
      --argjson allocation "$allocation" --argjson requests "$requests" \
      --arg recording "bench/edge/results/$STAMP-edge-$scheme.jfr (not committed)" \
      '. + {($scheme): ($summary + {requests: $requests, req_per_s: ($requests / '"$DURATION"'), threads_cpu: $threads,
         allocation: $allocation, recording: $recording})}' <<<"$PROFILE_JSON")
  done
fi

# --- report ---------------------------------------------------------------------------------------
mkdir -p "$RESULTS"
OVERLAY_JSON=null
if [[ $EDGE_GW == 1 ]]; then
  OVERLAY_JSON=$(jq -n --arg network "org-$BENCH_ORG" --arg service "$GW_SERVICE" --arg backend_image "$GW_BACKEND_IMAGE" \
    --arg task_address "$GW_TASK_ADDRESS:$BACKEND_CONTAINER_PORT" --arg gateway "$GW_NAME" \
    --arg gateway_image "$("$DOCKER" inspect -f '{{.Config.Image}}' "$GW_NAME" 2>/dev/null || echo unknown)" \
    --arg engine "$("$DOCKER" version --format '{{.Server.Version}}' 2>/dev/null || echo unknown)" \
    --argjson port_proxy "$([[ -n $GW_PORT_PROXY_PID ]] && echo true || echo false)" \
    '{network: $network, service: $service, backend_image: $backend_image, task_address: $task_address, gateway: $gateway,
      gateway_image: $gateway_image, docker_engine: $engine, engine_userland_port_proxy: $port_proxy,
      note: "skypanel-edge-gw: proxy CPU = edge JVM + gateway container + the engine userland port proxy (relay_cpu_us_per_req: the last two); backend = the task container"}')
fi
versions=$(jq -n --arg nginx "$(nginx -v 2>&1 | sed 's#.*/##')" --arg haproxy "$(haproxy -v | head -1 | awk '{print $3}')" \
  --arg wrk "$(wrk -v 2>&1 | head -1 | awk '{print $2}')" --arg java "$(java -version 2>&1 | head -1 | cut -d'"' -f2)" \
  --arg openssl "$(openssl version | awk '{print $2}')" --arg commit "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  '{nginx: $nginx, haproxy: $haproxy, wrk: $wrk, java: $java, openssl: $openssl, skypanel_commit: $commit}')
OUT=$RESULTS/$STAMP.json
jq -s --arg stamp "$STAMP" --argjson cores "$CORES" --arg cpu "$(lscpu | sed -n 's/^Model name: *//p' | head -1)" \
  --arg kernel "$(uname -r)" --argjson versions "$versions" --argjson profile "$PROFILE_JSON" \
  --argjson duration "$DURATION" --argjson warmup "$WARMUP" --argjson rounds "$ROUNDS" \
  --argjson connections "$CONNECTIONS" --argjson threads "$THREADS" --argjson body "$BODY_BYTES" \
  --arg edge_java_opts "$EDGE_JAVA_OPTS" --argjson overlay "$OVERLAY_JSON" --arg load_start "$LOAD_START" \
  --arg load_end "$(cut -d' ' -f1-3 /proc/loadavg)" '
  def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def r(n): if . == null then null else (. * pow(10; n) | round) / pow(10; n) end;
  . as $runs
  | [group_by([.proxy, .scheme])[] | {proxy: .[0].proxy, scheme: .[0].scheme, runs: length,
      rps_median: ([.[].rps] | median | r(0)), rps_min: ([.[].rps] | min | r(0)), rps_max: ([.[].rps] | max | r(0)),
      p50_ms_median: ([.[].p50_ms] | median | r(3)), p99_ms_median: ([.[].p99_ms] | median | r(3)),
      p99_ms_min: ([.[].p99_ms] | min | r(3)), p99_ms_max: ([.[].p99_ms] | max | r(3)),
      proxy_cpu_us_per_req_median: ([.[].proxy_cpu_us_per_req] | median | r(1)),
      proxy_cpu_us_per_req_min: ([.[].proxy_cpu_us_per_req] | min | r(1)), proxy_cpu_us_per_req_max: ([.[].proxy_cpu_us_per_req] | max | r(1)),
      proxy_cpu_cores_median: ([.[] | .proxy_cpu_s / (.requests / .rps)] | median | r(2)),
      relay_cpu_us_per_req_median: (if .[0].relay_cpu_us_per_req == null then null else ([.[].relay_cpu_us_per_req] | median | r(1)) end),
      backend_cpu_us_per_req_median: ([.[] | select(.requests > 0) | .backend_cpu_s * 1e6 / .requests] | median | r(1)),
      other_cpu_cores_median: ([.[].other_cpu_cores] | median | r(2)),
      errors: ([.[].errors] | add), non_2xx: ([.[].non_2xx] | add),
      jvm_threads_median: (if .[0].jvm_threads == null then null else
        ([.[].jvm_threads[]] | group_by(.thread) | map({thread: .[0].thread, cpu_share_of_one_core: ([.[].cpu_share_of_one_core] | median | r(2))})
         | sort_by(-.cpu_share_of_one_core) | .[:4]) end)}] as $summary
  | ($summary | map({key: "\(.proxy)/\(.scheme)", value: .}) | from_entries) as $by
  | [$summary[] | select(.proxy | startswith("skypanel-edge")) | . as $e
      | {proxy: $e.proxy, scheme: $e.scheme,
         rps_vs_nginx: ($e.rps_median / $by["nginx/\($e.scheme)"].rps_median | r(3)),
         rps_vs_haproxy: ($e.rps_median / $by["haproxy/\($e.scheme)"].rps_median | r(3)),
         p99_vs_nginx: ($e.p99_ms_median / $by["nginx/\($e.scheme)"].p99_ms_median | r(3)),
         p99_vs_haproxy: ($e.p99_ms_median / $by["haproxy/\($e.scheme)"].p99_ms_median | r(3)),
         cpu_per_req_vs_nginx: ($e.proxy_cpu_us_per_req_median / $by["nginx/\($e.scheme)"].proxy_cpu_us_per_req_median | r(3)),
         cpu_per_req_vs_haproxy: ($e.proxy_cpu_us_per_req_median / $by["haproxy/\($e.scheme)"].proxy_cpu_us_per_req_median | r(3))}
      # the other edge variants against the plain edge: what the access log, or the gateway hop, costs
      + ($by["skypanel-edge/\($e.scheme)"] as $edge | if $e.proxy == "skypanel-edge" or $edge == null then {} else
         {rps_vs_edge: ($e.rps_median / $edge.rps_median | r(3)), p99_vs_edge: ($e.p99_ms_median / $edge.p99_ms_median | r(3)),
          cpu_per_req_vs_edge: ($e.proxy_cpu_us_per_req_median / $edge.proxy_cpu_us_per_req_median | r(3))} end)] as $ratios
  | {timestamp: $stamp,
     machine: {cores: $cores, cpu: $cpu, kernel: $kernel,
               note: "wrk, the backend and the proxy share these \($cores) cores; other engineers builds ran on the machine at the same time (see other_cpu_cores)",
               loadavg_1_5_15_at_start: $load_start, loadavg_1_5_15_at_end: $load_end},
     settings: {duration_s: $duration, warmup_s: $warmup, rounds: $rounds, connections: $connections, threads: $threads,
                body_bytes: $body, keep_alive: true, edge_java_opts: $edge_java_opts, overlay: $overlay},
     versions: $versions, summary: $summary, ratios: $ratios, runs: $runs, profile: $profile}' "$RUNS" >"$OUT"

{
  echo
  echo "Edge router benchmark $STAMP: $CORES cores ($(lscpu | sed -n 's/^Model name: *//p' | head -1)); wrk runs on the SAME machine"
  echo "wrk -t$THREADS -c$CONNECTIONS keep-alive, ${DURATION}s per run after ${WARMUP}s warm-up, ${BODY_BYTES}-byte body; median [min-max] of $ROUNDS interleaved rounds"
  echo
  jq -r '.summary[] | [.proxy, .scheme, "\(.rps_median) [\(.rps_min)-\(.rps_max)]", .p50_ms_median, "\(.p99_ms_median) [\(.p99_ms_min)-\(.p99_ms_max)]",
      "\(.proxy_cpu_us_per_req_median) [\(.proxy_cpu_us_per_req_min)-\(.proxy_cpu_us_per_req_max)]", .proxy_cpu_cores_median, .other_cpu_cores_median, "\(.errors)/\(.non_2xx)"] | @tsv' "$OUT" |
    sort -t$'\t' -k2,2 -k1,1 |
    awk -F'\t' 'BEGIN { printf "%-20s %-6s %-24s %-9s %-24s %-18s %-11s %-11s %s\n", "proxy", "scheme", "req/s", "p50 ms", "p99 ms", "CPU us/req", "proxy cores", "other procs", "err/non2xx" }
      { printf "%-20s %-6s %-24s %-9s %-24s %-18s %-11s %-11s %s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }'
  echo
  jq -r '.summary[] | select(.jvm_threads_median != null) | "\(.proxy) \(.scheme) JVM threads, median share of one core: " + ([.jvm_threads_median[] | "\(.thread) \(.cpu_share_of_one_core * 100 | round)%"] | join(", "))' "$OUT"
  echo
  jq -r '.ratios[] | "\(.proxy) \(.scheme): req/s edge/nginx \(.rps_vs_nginx)  edge/haproxy \(.rps_vs_haproxy)   p99 edge/nginx \(.p99_vs_nginx)  edge/haproxy \(.p99_vs_haproxy)   CPU/req edge/nginx \(.cpu_per_req_vs_nginx)  edge/haproxy \(.cpu_per_req_vs_haproxy)"
      + (if .rps_vs_edge == null then "" else "   vs skypanel-edge: req/s \(.rps_vs_edge)  p99 \(.p99_vs_edge)  CPU/req \(.cpu_per_req_vs_edge)" end)' "$OUT"
  jq -r '.summary[] | select(.relay_cpu_us_per_req_median != null) | "\(.proxy) \(.scheme): of the \(.proxy_cpu_us_per_req_median) µs CPU per request, \(.relay_cpu_us_per_req_median) µs in the gateway container and the engine port proxy; backend (task container) \(.backend_cpu_us_per_req_median) µs/req"' "$OUT"
  echo "load average (1/5/15 min) at start: $LOAD_START, at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  if [[ $PROFILE == 1 ]]; then
    for scheme in $SCHEMES; do
      jq -r --arg s "$scheme" '.profile[$s] as $p | "",
        "JFR profile of skypanel-edge over \($s) (unmeasured run: \($p.req_per_s | floor) req/s; \($p.samples) execution samples, \($p.native_samples) busy native samples; \($p.recording)):",
        "  CPU per thread (share of one core):", ($p.threads_cpu[] | "    \(.cpu_share_of_one_core * 100 | round)%\t\(.thread)"),
        "  busy native time (syscalls) by thread and method:", ($p.native_frames[:5][] | "    \(.share * 1000 | round / 10)%\t\(.frame)"),
        "  Java execution samples by area (inclusive, areas overlap):", ($p.areas[:14][] | "    \(.share * 1000 | round / 10)%\t\(.area)"),
        "  top self frames:", ($p.top_frames[:12][] | "    \(.share * 1000 | round / 10)%\t\(.frame)"),
        "  allocation: about \($p.allocation.bytes_per_request) bytes per request; top classes:",
        ($p.allocation.classes[:6][] | "    \(.share * 1000 | round / 10)%\t\(.class)"),
        "  top allocation sites:", ($p.allocation.sites[:6][] | "    \(.share * 1000 | round / 10)%\t\(.frame)")' "$OUT"
    done
  fi
  echo
  echo "results: $OUT"
} | tee "$RESULTS/$STAMP.txt"
