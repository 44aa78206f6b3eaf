#!/bin/bash
# The entrypoint of skypanel/addon-postgres: the official postgres image's contract on Debian's postgresql-15, so
# the platform drives this image and the official one (production) the same way.
#   POSTGRES_PASSWORD(_FILE)  the superuser's password (required on a new data directory)
#   POSTGRES_USER(_FILE)      the superuser (default postgres)   POSTGRES_DB(_FILE)  created database (default: user)
#   PGDATA                    the data directory (default /var/lib/postgresql/data), initialised when empty
# Starts as root only to own the (new) volume, then runs the server as the postgres user, as the official image
# does with gosu. A non-empty data directory is never touched: its users and passwords stay.
set -Eeuo pipefail

: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA

# VAR_FILE -> VAR (the official images' file_env): secrets are files, never values in the environment
file_env() {
  local var=$1 file_var="${1}_FILE" default=${2:-}
  if [[ -n ${!var:-} && -n ${!file_var:-} ]]; then
    echo >&2 "error: both $var and $file_var are set"; exit 1
  fi
  local value=$default
  if [[ -n ${!var:-} ]]; then value=${!var}; elif [[ -n ${!file_var:-} ]]; then value=$(<"${!file_var}"); fi
  export "$var"="$value"
  unset "$file_var"
}

if [[ ${1:0:1} == '-' ]]; then set -- postgres "$@"; fi

if [[ $1 == postgres && $(id -u) == 0 ]]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  # a new named volume belongs to root; an existing one is left as it is
  find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
  chmod 700 "$PGDATA"
  chown postgres:postgres /var/run/postgresql
  chmod 2775 /var/run/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

if [[ $1 == postgres && ! -s $PGDATA/PG_VERSION ]]; then
  file_env POSTGRES_USER postgres
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_DB "$POSTGRES_USER"
  if [[ -z $POSTGRES_PASSWORD ]]; then
    echo >&2 "error: the data directory is empty and no POSTGRES_PASSWORD(_FILE) is set"; exit 1
  fi
  # local socket: trust (the official default, needed by the init below); any host: scram-sha-256
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") --encoding=UTF8 \
    --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 -D "$PGDATA" ${POSTGRES_INITDB_ARGS:-}
  printf '%s\n' "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  printf '%s\n' "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  if [[ $POSTGRES_DB != postgres ]]; then
    # a server on the socket only, so nobody connects before the database exists
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start
    psql -v ON_ERROR_STOP=1 --username="$POSTGRES_USER" --dbname=postgres --no-psqlrc \
      --set=db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
    pg_ctl -D "$PGDATA" -m fast -w stop
  fi
  unset POSTGRES_PASSWORD
  echo "PostgreSQL init process complete; ready for start up."
fi

exec "$@"
