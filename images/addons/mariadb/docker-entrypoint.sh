#!/bin/bash
# The entrypoint of skypanel/addon-mariadb: the official mariadb image's contract on Debian's mariadb-server, so
# the platform drives this image and the official one (production) the same way.
#   MARIADB_ROOT_PASSWORD(_FILE)  root's password, or MARIADB_RANDOM_ROOT_PASSWORD=yes (printed once, like upstream)
#   MARIADB_ROOT_HOST             where root may log in from (default %; localhost: only inside the container)
#   MARIADB_DATABASE, MARIADB_USER(_FILE), MARIADB_PASSWORD(_FILE)  a database and a user owning it
# The datadir /var/lib/mysql is initialised when it holds no system tables; an existing one is never touched.
# Starts as root only to own the (new) volume, then runs the server as the mysql user (the official image: gosu).
set -Eeuo pipefail

DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock

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

# a SQL string literal's content: backslashes and single quotes escaped
sql_escape() { local s=${1//\\/\\\\}; printf '%s' "${s//\'/\\\'}"; }

if [[ ${1:0:1} == '-' ]]; then set -- mariadbd "$@"; fi
is_server() { [[ $1 == mariadbd || $1 == mysqld ]]; }

if is_server "$1" && [[ $(id -u) == 0 ]]; then
  mkdir -p "$DATADIR" /run/mysqld
  # a new named volume belongs to root; an existing one is left as it is
  find "$DATADIR" /run/mysqld \! -user mysql -exec chown mysql:mysql '{}' +
  exec setpriv --reuid=mysql --regid=mysql --init-groups "${BASH_SOURCE[0]}" "$@"
fi

if is_server "$1" && [[ ! -d $DATADIR/mysql ]]; then
  file_env MARIADB_ROOT_PASSWORD
  file_env MARIADB_USER
  file_env MARIADB_PASSWORD
  : "${MARIADB_DATABASE:=}" "${MARIADB_RANDOM_ROOT_PASSWORD:=}" "${MARIADB_ROOT_HOST:=%}"
  if [[ -z $MARIADB_ROOT_PASSWORD ]]; then
    if [[ -z $MARIADB_RANDOM_ROOT_PASSWORD ]]; then
      echo >&2 "error: the datadir is empty: set MARIADB_ROOT_PASSWORD(_FILE) or MARIADB_RANDOM_ROOT_PASSWORD"; exit 1
    fi
    # (no "tr </dev/urandom | head": tr's SIGPIPE would fail the pipeline under pipefail)
    MARIADB_ROOT_PASSWORD=$(head -c 48 /dev/urandom | base64 -w0 | tr -d '+/=')
    MARIADB_ROOT_PASSWORD=${MARIADB_ROOT_PASSWORD:0:32}
    echo "GENERATED ROOT PASSWORD: $MARIADB_ROOT_PASSWORD"
  fi
  # root authenticates by password (Debian's default is the unix socket of the OS user root, absent here)
  mariadb-install-db --datadir="$DATADIR" --auth-root-authentication-method=normal --skip-test-db \
    --skip-name-resolve --rpm >/dev/null
  # a server on the socket only, so nobody connects before the users exist
  "$@" --skip-networking --socket="$SOCKET" --datadir="$DATADIR" &
  pid=$!
  for _ in $(seq 60); do
    if mariadb-admin --socket="$SOCKET" -uroot ping --silent 2>/dev/null; then break; fi
    sleep 1
  done
  root_pw=$(sql_escape "$MARIADB_ROOT_PASSWORD")
  {
    echo "SET @@SESSION.SQL_LOG_BIN=0;"
    echo "DROP USER IF EXISTS 'root'@'127.0.0.1', 'root'@'::1', ''@'localhost', 'root'@'$(sql_escape "$HOSTNAME")', ''@'$(sql_escape "$HOSTNAME")';"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$root_pw';"
    if [[ $MARIADB_ROOT_HOST != localhost ]]; then
      root_host=$(sql_escape "$MARIADB_ROOT_HOST")
      echo "CREATE USER 'root'@'$root_host' IDENTIFIED BY '$root_pw';"
      echo "GRANT ALL ON *.* TO 'root'@'$root_host' WITH GRANT OPTION;"
    fi
    if [[ -n $MARIADB_DATABASE ]]; then
      echo "CREATE DATABASE IF NOT EXISTS \`${MARIADB_DATABASE//\`/\`\`}\`;"
    fi
    if [[ -n $MARIADB_USER && -n $MARIADB_PASSWORD ]]; then
      user=$(sql_escape "$MARIADB_USER")
      echo "CREATE USER '$user'@'%' IDENTIFIED BY '$(sql_escape "$MARIADB_PASSWORD")';"
      if [[ -n $MARIADB_DATABASE ]]; then
        echo "GRANT ALL ON \`${MARIADB_DATABASE//\`/\`\`}\`.* TO '$user'@'%';"
      fi
    fi
  } | mariadb --socket="$SOCKET" -uroot --binary-mode
  MYSQL_PWD=$MARIADB_ROOT_PASSWORD mariadb-admin --socket="$SOCKET" -uroot shutdown
  wait "$pid"
  unset MARIADB_ROOT_PASSWORD MARIADB_PASSWORD root_pw
  echo "MariaDB init process complete; ready for start up."
fi

exec "$@"
