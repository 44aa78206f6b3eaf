#!/usr/bin/env bash
# Starts the platform's private image registry (Debian's docker-registry) with htpasswd auth, idempotently:
#   scripts/start-registry.sh <host:port> <username> <password> <data dir> [log file]
# Nothing happens when a registry already answers there with that login. Builds push to it and the engine pulls from
# it; 127.0.0.0/8 is an insecure registry to dockerd by default, so plain HTTP on loopback needs no daemon setting
# (anything else needs TLS or an insecure-registries entry on every node). Deleting manifests is enabled, since the
# control plane prunes each app's images beyond SKYPANEL_REGISTRY_KEEP; blobs are reclaimed by
# `docker-registry garbage-collect <data dir>/config.yml` (see docs/operations.md).
set -euo pipefail

[[ $# -ge 4 ]] || { echo "usage: $0 <host:port> <username> <password> <data dir> [log file]" >&2; exit 2; }
ADDR=$1 USERNAME=$2 PASSWORD=$3 DIR=$4 LOG=${5:-$4/registry.log}
WAIT_SECONDS=30

log() { echo "start-registry: $*" >&2; }
ready() { [[ $(curl -s -o /dev/null -w '%{http_code}' -u "$USERNAME:$PASSWORD" "http://$ADDR/v2/") == 200 ]]; }

ready && exit 0
command -v docker-registry >/dev/null || { log "docker-registry is not installed (apt-get install docker-registry)"; exit 1; }
command -v htpasswd >/dev/null || { log "htpasswd is not installed (apt-get install apache2-utils)"; exit 1; }

mkdir -p "$DIR/data"
chmod 700 "$DIR"
# bcrypt is the only scheme docker-registry accepts
htpasswd -Bbc "$DIR/htpasswd" "$USERNAME" "$PASSWORD" 2>/dev/null
cat >"$DIR/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $DIR/data
  delete:
    enabled: true
http:
  addr: $ADDR
auth:
  htpasswd:
    realm: skypanel-registry
    path: $DIR/htpasswd
YAML
if ! pgrep -f "docker-registry serve $DIR/config.yml" >/dev/null; then
  log "starting docker-registry on $ADDR (log: $LOG)"
  setsid nohup docker-registry serve "$DIR/config.yml" >>"$LOG" 2>&1 </dev/null &
fi
deadline=$((SECONDS + WAIT_SECONDS))
until ready; do
  ((SECONDS < deadline)) || { log "the registry does not answer on $ADDR after ${WAIT_SECONDS}s (see $LOG)"; exit 1; }
  sleep 1
done
