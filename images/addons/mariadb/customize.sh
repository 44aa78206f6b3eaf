#!/bin/sh
# mmdebstrap customize hook ($1 = the image's root): the datadir mariadb-server's installation created is not the
# image's (the entrypoint initialises it on first start, as the official image does); the server listens on all
# addresses of its task (Debian binds 127.0.0.1) and does not resolve client names.
set -eu
rm -rf "$1/var/lib/mysql"
mkdir -p "$1/var/lib/mysql" "$1/run/mysqld"
chroot "$1" chown mysql:mysql /var/lib/mysql /run/mysqld
cat >"$1/etc/mysql/mariadb.conf.d/90-skypanel.cnf" <<'CNF'
[mariadbd]
bind-address = 0.0.0.0
skip-name-resolve
CNF
# table repair, binlog, benchmark and debugging tools (4-5 MiB each, a third of the image) an add-on never runs
# (the official image ships them; dump, restore and health checks use mariadb, mariadb-dump and mariadb-admin)
for tool in aria_chk aria_dump_log aria_ftdump aria_pack aria_read_log myisam_ftdump myisamchk myisamlog myisampack \
  mariadb-binlog mariadb-slap mariadb-conv innochecksum resolve_stack_dump mariadb-waitpid mariadb-plugin perror replace; do
  rm -f "$1/usr/bin/$tool"
done
chroot "$1" find /usr/bin -xtype l -delete
