#!/usr/bin/env bash
# Prepares the real servers the test suite talks to, on Debian 12, as root, without a terminal:
#   - installs whichever of the needed packages are missing (apt-get update only then);
#   - Docker engine running, single-node swarm initialised;
#   - PostgreSQL running, with role skypanel/skypanel (LOGIN CREATEDB);
#   - Redis running on 127.0.0.1:6379;
#   - the platform's base images (scripts/build-images.sh: skypanel/jre:17 and the buildpack stack's
#     skypanel/stack-build:bookworm and skypanel/stack-run:bookworm, the add-on servers skypanel/addon-postgres:15,
#     skypanel/addon-mariadb:10.11 and skypanel/addon-redis:7, built from Debian packages once);
#   - the platform's private image registry (Debian's docker-registry) on 127.0.0.1:5000 with htpasswd auth
#     (user skypanel, password skypanel-registry; SKYPANEL_TEST_REGISTRY* override), data under /var/lib/skypanel-registry.
# pebble is installed for later work but not started here.
# Safe to run repeatedly: everything already in place is left as it is.
# The tests read SKYPANEL_TEST_DATABASE_URL and SKYPANEL_TEST_REDIS_URL
# (defaults postgres://skypanel:skypanel@127.0.0.1:5432/postgres and redis://127.0.0.1:6379/0).
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
PACKAGES=(docker.io postgresql redis-server pebble docker-registry apache2-utils busybox-static mmdebstrap)
DOCKERD_LOG=/var/log/skypanel-dockerd.log
DOCKER_WAIT_SECONDS=60
POSTGRES_WAIT_SECONDS=60
REDIS_WAIT_SECONDS=30

log() { echo "prepare-test-servers: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root (it installs packages and starts system services)"

# --- packages ------------------------------------------------------------------------------------
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for package in "${PACKAGES[@]}"; do
  installed "$package" || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
  log "installing ${missing[*]}"
  apt-get update -qq </dev/null
  apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold "${missing[@]}" </dev/null
fi

# waits until "$@" succeeds, at most $1 seconds; true when it did
wait_for() {
  local seconds=$1
  shift
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 1
  done
}

# --- Docker --------------------------------------------------------------------------------------
# The daemon is Debian's docker.io; a different (newer) client elsewhere on PATH, e.g. /usr/local/bin/docker,
# may not match it, so the client shipped with the daemon is preferred when they differ.
DOCKER=$(command -v docker || true)
if [[ -x /usr/bin/docker && $DOCKER != /usr/bin/docker ]]; then
  if [[ -z $DOCKER ]] ||
    [[ $("$DOCKER" version --format '{{.Client.Version}}' 2>/dev/null || true) != \
      $(/usr/bin/docker version --format '{{.Client.Version}}' 2>/dev/null || true) ]]; then
    DOCKER=/usr/bin/docker
  fi
fi
[[ -n $DOCKER ]] || die "no docker client found after installing docker.io"

docker_summary=""
if ! "$DOCKER" info >/dev/null 2>&1; then
  if pgrep -x dockerd >/dev/null; then
    log "dockerd is running but not answering yet; waiting"
  else
    log "starting dockerd (log: $DOCKERD_LOG)"
    setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
  fi
  if ! wait_for "$DOCKER_WAIT_SECONDS" "$DOCKER" info; then
    docker_summary="docker      UNAVAILABLE: dockerd did not answer within ${DOCKER_WAIT_SECONDS}s (see $DOCKERD_LOG); orchestration tests will see it as down"
  fi
fi
if [[ -z $docker_summary ]]; then
  swarm=$("$DOCKER" info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || echo unknown)
  if [[ $swarm == inactive ]]; then
    log "initialising a single-node swarm"
    "$DOCKER" swarm init --advertise-addr 127.0.0.1 >/dev/null
    swarm=$("$DOCKER" info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || echo unknown)
  fi
  engine=$("$DOCKER" version --format '{{.Server.Version}}' 2>/dev/null || echo unknown)
  docker_summary="docker      ready: engine $engine, swarm $swarm (client $DOCKER)"
fi

# --- base images (after Docker: they are imported into the engine) --------------------------------
if [[ $docker_summary == *UNAVAILABLE* ]]; then
  images_summary="images      UNAVAILABLE: no Docker engine"
elif built=$(DOCKER=$DOCKER "$(dirname "$0")/build-images.sh"); then
  images_summary="images      ready: $(echo "$built" | paste -sd ';' | sed 's/;/; /g')"
else
  images_summary="images      UNAVAILABLE: scripts/build-images.sh failed (see above); edge gateway tests will fail"
fi

# --- PostgreSQL ----------------------------------------------------------------------------------
postgres_ready() { pg_isready -q -h 127.0.0.1 -p 5432; }
if ! postgres_ready; then
  log "starting postgresql"
  service postgresql start >/dev/null || true
  wait_for "$POSTGRES_WAIT_SECONDS" postgres_ready ||
    die "PostgreSQL does not accept connections on 127.0.0.1:5432 after ${POSTGRES_WAIT_SECONDS}s (see /var/log/postgresql/)"
fi

as_postgres() { (cd / && runuser -u postgres -- psql -X -q -A -t -v ON_ERROR_STOP=1 -p 5432 "$@"); }
if [[ $(as_postgres -c "SELECT 1 FROM pg_roles WHERE rolname = 'skypanel'") != 1 ]]; then
  log "creating role skypanel"
  as_postgres -c "CREATE ROLE skypanel WITH LOGIN CREATEDB PASSWORD 'skypanel'" >/dev/null
fi
postgres_version=$(as_postgres -c "SHOW server_version" | awk '{print $1}')
postgres_summary="postgresql  ready: $postgres_version on 127.0.0.1:5432, role skypanel (LOGIN CREATEDB)"

# --- Redis ---------------------------------------------------------------------------------------
redis_ready() { [[ $(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null) == PONG ]]; }
if ! redis_ready; then
  log "starting redis-server"
  if ! service redis-server start >/dev/null 2>&1; then
    redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --logfile /var/log/skypanel-redis.log >/dev/null
  fi
  wait_for "$REDIS_WAIT_SECONDS" redis_ready || die "Redis does not answer PING on 127.0.0.1:6379 after ${REDIS_WAIT_SECONDS}s"
fi
redis_summary="redis       ready: $(redis-cli -h 127.0.0.1 -p 6379 info server | tr -d '\r' | sed -n 's/^redis_version:/version /p') on 127.0.0.1:6379"

# --- private image registry ----------------------------------------------------------------------
REGISTRY_ADDR=${SKYPANEL_TEST_REGISTRY:-127.0.0.1:5000}
REGISTRY_USER=${SKYPANEL_TEST_REGISTRY_USERNAME:-skypanel}
REGISTRY_DIR=/var/lib/skypanel-registry
"$(dirname "$0")/start-registry.sh" "$REGISTRY_ADDR" "$REGISTRY_USER" "${SKYPANEL_TEST_REGISTRY_PASSWORD:-skypanel-registry}" \
  "$REGISTRY_DIR" /var/log/skypanel-registry.log ||
  die "the platform registry did not start on $REGISTRY_ADDR (see /var/log/skypanel-registry.log)"
registry_summary="registry    ready: docker-registry on $REGISTRY_ADDR, user $REGISTRY_USER, data $REGISTRY_DIR"

# --- summary -------------------------------------------------------------------------------------
echo "$docker_summary"
echo "$postgres_summary"
echo "$redis_summary"
echo "$images_summary"
echo "pebble      installed, not started ($(command -v pebble || echo "/usr/bin/pebble missing"))"
echo "$registry_summary"
