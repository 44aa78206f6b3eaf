#!/usr/bin/env bash
# Add-on backup and restore throughput: a PostgreSQL add-on filled with SIZE_MB of rows, then, per round,
#   peer     - pg_dump (custom format) to a file and pg_restore of that file into the same database (the flags the
#              platform's engine uses: --clean --if-exists --no-owner --single-transaction --exit-on-error), run
#              directly in a helper of the same image on the add-on's network;
#   platform - POST /api/paas/addons/{id}/backups, GET …/backups/{backupId} until `completed`; then
#              POST …/backups/{backupId}/restore {"target": "same"}, GET /api/paas/addons/{id} until it went
#              `restoring` → `available`.
# Throughput is the database's size (pg_database_size, MiB) over the wall time; prints MB/s of each and the ratio
# platform/peer, writes bench/addons/results/backup-<timestamp>.{json,txt}. After every restore the row count is
# checked. (dump and restore are timed one after the other: `pg_dump | pg_restore --clean` into the database being
# dumped would wait forever for its own locks.)
#
# The helper is a one-replica Swarm service (the add-on's network is not attachable) with the add-on's URL secret
# mounted, so it connects exactly as an app's process does; the data is made there with INSERT … SELECT
# generate_series (id bigint, 128 characters of md5 text per row; one table, no index) until the size is reached.
#
# If the platform answers 404 for the backup API, the peer figures are still written and the script ends with an
# error saying so (PLATFORM=0 skips the platform half on purpose and ends with success).
#
# Root, Debian 12, the test servers of scripts/prepare-test-servers.sh; needs curl, jq, psql, pg_isready, redis-cli.
# Settings: SIZE_MB=1024 ROUNDS=1 PLAN=postgresql-basic PLATFORM=1 POLL_MS=100 TIMEOUT_S=1800 KEEP_TMP=0
# DATABASE_ADMIN_URL REDIS_URL DOCKER=/usr/bin/docker (see bench/addons/lib.sh)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH=backup
TIMEOUT_S=${TIMEOUT_S:-1800}
source "$HERE/lib.sh"

SIZE_MB=${SIZE_MB:-1024}
ROUNDS=${ROUNDS:-1}
PLAN=${PLAN:-postgresql-basic}
PLATFORM=${PLATFORM:-1}
BATCH_ROWS=250000 # about 40 MiB per INSERT

start_platform
create_org_and_app
ADDON=$(EXPECT=202 api POST "/api/paas/environments/$ENV_ID/addons" "{\"plan\": \"$PLAN\", \"name\": \"bench-db\"}" | jq -r .id)
await_addon "$ADDON" available
URL_SECRET=$("$DOCKER" secret ls --filter "label=skypanel.addon=$ADDON" --format '{{.Name}}' | grep -- '-url-v' | sort -V | tail -1)
[[ -n $URL_SECRET ]] || die "no URL secret of add-on $ADDON"
helper client "skypanel-addon-$ADDON" "exec sleep 86400" --secret "source=$URL_SECRET,target=database_url"
CLIENT=$(service_container "$RUN_ID-client")
log "add-on $ADDON ($PLAN) available; helper $CLIENT connects with $URL_SECRET"

# runs a shell command in the helper, with $URL set to the add-on's connection URL
in_client() { "$DOCKER" exec "$CLIENT" sh -c "URL=\$(cat /run/secrets/database_url); $1"; }
sql() { in_client "psql \"\$URL\" -X -v ON_ERROR_STOP=1 -qtAc \"$1\""; }

wait_for 120 sql "SELECT 1" || die "the helper cannot connect to the add-on"
# --- the data ---------------------------------------------------------------------------------------------------
t0=$(now_ms)
sql "CREATE TABLE bench_rows (id bigint, payload text)"
rows=0
while (($(sql "SELECT pg_database_size(current_database())") < SIZE_MB * 1048576)); do
  sql "INSERT INTO bench_rows SELECT g, md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text) || md5((g * 31)::text)
    FROM generate_series($((rows + 1)), $((rows + BATCH_ROWS))) g"
  rows=$((rows + BATCH_ROWS))
done
# set the hint bits and freeze once, so that the first dump does not write the whole table
sql "VACUUM (FREEZE, ANALYZE) bench_rows"
sql "CHECKPOINT"
DB_BYTES=$(sql "SELECT pg_database_size(current_database())")
DB_MB=$(awk -v b="$DB_BYTES" 'BEGIN { printf "%.1f", b / 1048576 }')
log "database: $rows rows, $DB_MB MiB, made in $((($(now_ms) - t0) / 1000)) s"

check_rows() {
  local count deadline=$((SECONDS + 120))
  until count=$(sql "SELECT count(*) FROM bench_rows" 2>/dev/null) && [[ $count == "$rows" ]]; do
    ((SECONDS < deadline)) || die "after the $1 restore bench_rows has '${count:-?}' rows, not $rows"
    sleep 1
  done
}
mbps() { awk -v mb="$DB_MB" -v ms="$1" 'BEGIN { printf "%.1f", mb / (ms / 1000) }'; }

SAMPLES=$TMP/samples.tsv
: >"$SAMPLES"
sample() { # round side op ms bytes
  printf '%d\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$(mbps "$4")" "$5" "$(load1)" >>"$SAMPLES"
  log "round $1 $2 $3: $4 ms, $(mbps "$4") MiB/s${5:+ (file $5 bytes)} (load $(load1))"
}

peer_round() {
  local t bytes
  t=$(now_ms)
  in_client 'pg_dump --format=custom --no-owner --file=/tmp/bench.dump "$URL"'
  bytes=$(in_client 'stat -c %s /tmp/bench.dump')
  sample "$1" peer backup $(($(now_ms) - t)) "$bytes"
  t=$(now_ms)
  in_client 'pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error --dbname="$URL" /tmp/bench.dump'
  sample "$1" peer restore $(($(now_ms) - t)) ""
  in_client 'rm -f /tmp/bench.dump'
  check_rows peer
}

MISSING=""
platform_round() {
  local t backup status bytes deadline seen=0
  t=$(now_ms)
  backup=$(EXPECT=any api POST "/api/paas/addons/$ADDON/backups")
  case $(cat "$TMP/api.status") in
    202) ;;
    404) MISSING="POST /api/paas/addons/{id}/backups answered 404 ($backup): this platform has no add-on backup API yet"; return ;;
    *) die "POST /api/paas/addons/$ADDON/backups answered $(cat "$TMP/api.status"): $backup" ;;
  esac
  backup=$(jq -r .id <<<"$backup")
  deadline=$((SECONDS + TIMEOUT_S))
  while status=$(EXPECT=200 api GET "/api/paas/addons/$ADDON/backups/$backup" | jq -r .status) && [[ $status != completed ]]; do
    [[ $status != failed ]] || die "backup $backup failed: $(cat "$TMP/api.out")"
    ((SECONDS < deadline)) || die "backup $backup is not completed within ${TIMEOUT_S}s (status $status)"
    sleep "$POLL_S"
  done
  bytes=$(jq -r '.size_bytes // ""' "$TMP/api.out")
  sample "$1" platform backup $(($(now_ms) - t)) "$bytes"
  t=$(now_ms)
  EXPECT=202 api POST "/api/paas/addons/$ADDON/backups/$backup/restore" '{"target": "same"}' >/dev/null
  deadline=$((SECONDS + TIMEOUT_S))
  while :; do
    status=$(addon_status "$ADDON")
    [[ $status == restoring ]] && seen=1
    ((seen)) && [[ $status == available ]] && break
    [[ $status != failed ]] || die "add-on $ADDON failed during the restore: $(cat "$TMP/api.out")"
    ((SECONDS < deadline)) || die "add-on $ADDON not restoring → available within ${TIMEOUT_S}s (status $status, seen restoring: $seen)"
    sleep "$POLL_S"
  done
  sample "$1" platform restore $(($(now_ms) - t)) ""
  check_rows platform
}

for ((r = 1; r <= ROUNDS; r++)); do
  # alternate which side goes first; the peer goes first in round 1, so its figures exist even without the API
  if ((r % 2 == 1)); then peer_round "$r"; fi
  [[ $PLATFORM != 1 || -n $MISSING ]] || platform_round "$r"
  if ((r % 2 == 0)); then peer_round "$r"; fi
done

mkdir -p "$RESULTS"
JSON=$RESULTS/backup-$STAMP.json
TXT=$RESULTS/backup-$STAMP.txt
jq -R -s --arg stamp "$STAMP" --arg plan "$PLAN" --argjson size_mb "$SIZE_MB" --argjson db_mib "$DB_MB" --argjson rows "$rows" \
  --arg load_start "$LOAD_START" --arg load_end "$(cut -d' ' -f1-3 /proc/loadavg)" --argjson rounds "$ROUNDS" --arg cores "$(nproc)" \
  --arg missing "$MISSING" --arg docker "$("$DOCKER" version -f '{{.Server.Version}}')" '
  def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def ratio($a; $b): if $a != null and $b != null and $b > 0 then ($a / $b * 100 | round) / 100 else null end;
  [split("\n")[] | select(length > 0) | split("\t")
   | { round: (.[0] | tonumber), side: .[1], op: .[2], ms: (.[3] | tonumber), mib_s: (.[4] | tonumber),
       file_bytes: (.[5] | if . == "" then null else tonumber end), load1: (.[6] | tonumber) }] as $s
  | def of($side; $op): $s | map(select(.side == $side and .op == $op)) | if length == 0 then null
      else { ms_median: (map(.ms) | median), mib_s_median: (map(.mib_s) | median), file_bytes: (map(.file_bytes) | median) } end;
  { stamp: $stamp, plan: $plan, size_mb_asked: $size_mb, database_mib: $db_mib, rows: $rows, rounds: $rounds, cores: $cores,
    docker: $docker, load_start: $load_start, load_end: $load_end, samples: $s,
    peer: { backup: of("peer"; "backup"), restore: of("peer"; "restore") },
    platform: (if $missing != "" then { missing: $missing } else { backup: of("platform"; "backup"), restore: of("platform"; "restore") } end) }
  | .ratio_platform_peer_mib_s = { backup: ratio(.platform.backup.mib_s_median?; .peer.backup.mib_s_median),
                                   restore: ratio(.platform.restore.mib_s_median?; .peer.restore.mib_s_median) }' "$SAMPLES" >"$JSON"
{
  echo "add-on backup/restore of a $DB_MB MiB PostgreSQL database ($rows rows, plan $PLAN): platform API vs pg_dump/pg_restore ($STAMP, $ROUNDS round(s))"
  echo "load average at start: $LOAD_START, at end: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
  echo
  printf '%-5s %-8s %-7s %9s %8s %12s %6s\n' round side op ms MiB/s file_bytes load1
  jq -r '.samples[] | [.round, .side, .op, .ms, .mib_s, (.file_bytes // "-"), .load1] | @tsv' "$JSON" |
    awk -F'\t' '{ printf "%-5s %-8s %-7s %9s %8s %12s %6s\n", $1, $2, $3, $4, $5, $6, $7 }'
  echo
  jq -r '"ratio platform/peer (MiB/s): backup \(.ratio_platform_peer_mib_s.backup // "-"), restore \(.ratio_platform_peer_mib_s.restore // "-")",
    (select(.platform.missing) | "platform: not measured: \(.platform.missing)")' "$JSON"
} | tee "$TXT"
log "wrote $JSON and $TXT"
[[ -z $MISSING ]] || die "$MISSING (the peer figures are in $TXT)"
