package io.skypanel.controlplane.paas.addons.engines;

import static io.skypanel.controlplane.paas.addons.engines.Shell.quote;

/**
 * How a Redis RDB snapshot is restored into the live server: by replication, the one way Redis itself replaces a
 * whole dataset with an RDB while running. The restore task (the add-on's image, on its network) starts a
 * second server on its own address that loads the snapshot, with the add-on's password; the live server is made
 * its replica ({@code REPLICAOF}), which flushes everything and loads the snapshot by a full sync, refusing writes
 * meanwhile (replicas are read-only); once the link is up it is made a primary again and its append-only file is
 * rewritten from the restored data, so a restart keeps it. {@code FLUSHALL} and a replay of commands would not be
 * a restore of the RDB (types, TTLs and every database would have to be re-created by hand).
 *
 * <p>If the task fails half-way the live server is still made a primary again (a trap), possibly with the data
 * the sync had loaded so far; the caller reports the failure.
 */
final class RedisRestore {

  /** The shell fragment (closed by the caller's {@code ")"} after the file) leaving the password config-quoted in {@code $pw}. */
  static final String CONFIG_ESCAPED_PASSWORD = "pw=$(sed 's/[\\\\\"]/\\\\&/g' ";
  /** The snapshot server's port inside the restore task. */
  static final int SNAPSHOT_PORT = 6380;
  /** How long each wait of the restore may take, in tenths of a second. */
  static final int WAIT_TENTHS = 3000;

  private RedisRestore() {
  }

  static String command(String host, int port, String passwordFile, String inFile) {
    return String.join("\n",
        "set -e",
        "export REDISCLI_AUTH=\"$(cat " + quote(passwordFile) + ")\"",
        CONFIG_ESCAPED_PASSWORD + quote(passwordFile) + ")",
        "live() { redis-cli -h " + quote(host) + " -p " + port + " \"$@\"; }",
        "snapshot() { redis-cli -h 127.0.0.1 -p " + SNAPSHOT_PORT + " \"$@\"; }",
        // a condition polled every tenth of a second, WAIT_TENTHS times at most
        "wait_for() { i=0; until eval \"$1\" >/dev/null 2>&1; do i=$((i+1)); "
            + "[ $i -lt " + WAIT_TENTHS + " ] || { echo \"timed out: $1\" >&2; return 1; }; sleep 0.1; done; }",
        "me=$(hostname -i | cut -d' ' -f1)",
        "work=$(mktemp -d)",
        "cp " + quote(inFile) + " \"$work/restore.rdb\"",
        "redis-server - --port " + SNAPSHOT_PORT + " --dir \"$work\" --dbfilename restore.rdb --appendonly no --save '' --daemonize yes <<EOF",
        "requirepass \"$pw\"",
        "EOF",
        "wait_for 'snapshot ping | grep -q PONG'",
        "trap 'live REPLICAOF NO ONE || true; echo \"CONFIG SET masterauth \\\"\\\"\" | live || true; snapshot SHUTDOWN NOSAVE || true' EXIT",
        "printf 'CONFIG SET masterauth \"%s\"\\n' \"$pw\" | live | grep -q '^OK'",
        "live REPLICAOF \"$me\" " + SNAPSHOT_PORT + " | grep -q '^OK'",
        "wait_for 'live INFO replication | grep -q \"^master_link_status:up\"'",
        "live REPLICAOF NO ONE | grep -q '^OK'",
        "wait_for 'live INFO persistence | grep -q \"^aof_rewrite_in_progress:0\" && live INFO persistence | grep -q \"^aof_rewrite_scheduled:0\"'",
        "");
  }
}
