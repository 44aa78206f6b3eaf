#!/bin/bash
# The entrypoint of skypanel/addon-redis: the official redis image's, on Debian's redis-server. Like upstream it
# has no password variable: the server's options (requirepass, appendonly, dir) come from the command.
# Starts as root only to own the (new) volume /data, then runs the server as the redis user (upstream: gosu).
set -Eeuo pipefail

# first argument an option or a config file: the server's
if [[ ${1:0:1} == '-' || $1 == *.conf ]]; then set -- redis-server "$@"; fi

if [[ $1 == redis-server && $(id -u) == 0 ]]; then
  find /data \! -user redis -exec chown redis:redis '{}' +
  exec setpriv --reuid=redis --regid=redis --init-groups "${BASH_SOURCE[0]}" "$@"
fi

# data files readable by the server only
umask 0077
exec "$@"
