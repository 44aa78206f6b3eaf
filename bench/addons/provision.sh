#!/usr/bin/env bash
# Add-on provisioning benchmark: from "give me a PostgreSQL" to the server accepting connections on its network,
# through the platform (POST /api/paas/environments/{id}/addons, until the API says `available` AND a helper on the
# add-on's network gets an answer from pg_isready) against the same image started raw (docker network create +
# docker service create with a volume, until pg_isready answers; and "rawhc": the same plus the health check the
# platform gives the add-on, until Swarm reports the task running). N rounds, sides interleaved in a rotated order;
# prints the medians and the ratios, writes bench/addons/results/provision-<timestamp>.{json,txt}.
#
# On both sides the prober is a one-replica Swarm service of the same image on the network (an add-on's network is
# not attachable), started right after the create request returned; the script polls the engine until the server's
# task has started and hands the task's overlay address to the prober through a bind-mounted file (Swarm DNS on an
# internal network answers a name that does not exist yet only after a 5 s timeout; see bench/deploy). The prober
# and the host read the same clock (/proc/uptime).
#
# Root, Debian 12, the test servers of scripts/prepare-test-servers.sh; needs curl, jq, psql, pg_isready, redis-cli.
# Settings: ROUNDS=3 WARMUP_ROUNDS=1 PLAN=postgresql-mini RAW_HEALTH=1 POLL_MS=100 TIMEOUT_S=300 KEEP_TMP=0
# DATABASE_ADMIN_URL REDIS_URL DOCKER=/usr/bin/docker (see bench/addons/lib.sh)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH=provision
source "$HERE/lib.sh"

ROUNDS=${ROUNDS:-3}
WARMUP_ROUNDS=${WARMUP_ROUNDS:-1}
PLAN=${PLAN:-postgresql-mini}
RAW_HEALTH=${RAW_HEALTH:-1}
PG_DATA=/var/lib/postgresql/data

start_platform
create_org_and_app
read -r MEMORY_MB CPU <<<"$(plan_limits "$PLAN")"
[[ -n ${MEMORY_MB:-} ]] || die "no add-on plan $PLAN"
log "plan $PLAN: $MEMORY_MB MB, $CPU CPU (the raw sides get the same limits)"

# the prober: waits for the address, then pg_isready until the server accepts TCP connections (during initdb the
# image's entrypoint runs a socket-only server, so TCP answers only once the real server is up)
probe_script() {
  echo "while [ ! -s /probe/$1.ip ]; do sleep 0.02; done; ip=\$(cat /probe/$1.ip)
  until pg_isready -q -h \"\$ip\" -p 5432 -t 2; do sleep $POLL_S; done
  cat /proc/uptime >/probe/$1.up.tmp && mv /probe/$1.up.tmp /probe/$1.up; exec sleep 86400"
}

# the state word ("Starting", "Running", …) and overlay address of the server's task
task_state() {
  local task state
  read -r task state < <("$DOCKER" service ps --no-trunc --filter desired-state=running --format '{{.ID}} {{.CurrentState}}' "$1" 2>/dev/null | head -1) || true
  state=${state%% *} # "Starting 2 seconds ago"
  echo "${state:-none} $([[ -z ${task:-} ]] || task_address "$1" "$2")"
}

# one round of one side; sets RESULT: total_ms request_ms accept_ms available_ms (from before the create request;
# available = the API's status for paas, the task running (health check passed) for rawhc, -1 for raw)
round() {
  local side=$1 name=$2 t0 t_req id="" svc net state address accept=-1 avail=-1 deadline health=()
  rm -f "$PROBE_DIR/$name".*
  t0=$(uptime_ms)
  if [[ $side == paas ]]; then
    id=$(EXPECT=202 api POST "/api/paas/environments/$ENV_ID/addons" "{\"plan\": \"$PLAN\", \"name\": \"bench-$name\"}" | jq -r .id)
    svc=addon-$id net=skypanel-addon-$id
  else
    svc=$RUN_ID-pg-$name net=$RUN_ID-net-$name
    [[ $side == raw ]] || health=(--health-cmd "psql -h 127.0.0.1 -U bench -d bench --no-psqlrc -tAc 'SELECT 1' >/dev/null || exit 1"
      --health-interval 5s --health-timeout 5s --health-retries 5 --health-start-period 60s)
    # like the platform's: an internal overlay network and a named volume of its own
    "$DOCKER" network create -d overlay --internal --label "skypanel.bench=$RUN_ID" "$net" >/dev/null
    "$DOCKER" service create --detach --quiet --name "$svc" --replicas 1 --no-resolve-image --network "$net" --label "skypanel.bench=$RUN_ID" \
      --container-label "skypanel.bench=$RUN_ID" --limit-memory "${MEMORY_MB}m" --limit-cpu "$CPU" \
      --mount "type=volume,source=$RUN_ID-vol-$name,target=$PG_DATA,volume-label=skypanel.bench=$RUN_ID" \
      -e POSTGRES_USER=bench -e POSTGRES_DB=bench -e POSTGRES_PASSWORD=bench-raw -e PGPASSWORD=bench-raw -e PGDATA=$PG_DATA \
      "${health[@]}" "$IMAGE" >/dev/null
  fi
  t_req=$(($(uptime_ms) - t0))
  helper "probe-$name" "$net" "$(probe_script "$name")"
  deadline=$((SECONDS + TIMEOUT_S))
  while :; do
    read -r state address <<<"$(task_state "$svc" "$net")"
    # hand over the address once the container exists: before, a SYN to it waits for a timeout instead of a refusal
    if [[ ! -s $PROBE_DIR/$name.ip && -n ${address:-} && ($state == Starting || $state == Running) ]]; then
      printf '%s\n' "$address" >"$PROBE_DIR/$name.ip.tmp" && mv "$PROBE_DIR/$name.ip.tmp" "$PROBE_DIR/$name.ip"
    fi
    if ((avail < 0)); then
      case $side in
        paas) case $(addon_status "$id") in
            available) avail=$(($(uptime_ms) - t0)) ;;
            failed) die "add-on $id failed: $(cat "$TMP/api.out")" ;;
          esac ;;
        rawhc) [[ $state != Running ]] || avail=$(($(uptime_ms) - t0)) ;;
      esac
    fi
    if ((accept < 0)) && [[ -s $PROBE_DIR/$name.up ]]; then
      accept=$(($(awk '{ printf "%d", $1 * 1000 }' "$PROBE_DIR/$name.up") - t0))
    fi
    ((accept >= 0)) && { [[ $side == raw ]] || ((avail >= 0)); } && break
    ((SECONDS < deadline)) || die "$side round $name: not accepting/available within ${TIMEOUT_S}s (state $state, accept $accept, available $avail)"
    sleep "$POLL_S"
  done
  RESULT="$((accept > avail ? accept : avail)) $t_req $accept $avail"
  remove_service "$RUN_ID-probe-$name"
  if [[ $side == paas ]]; then
    EXPECT=202 api DELETE "/api/paas/addons/$id?skip_final_backup=true" >/dev/null
    wait_for 180 bash -c "! '$DOCKER' volume inspect skypanel-addon-$id" || die "add-on $id was not removed within 180 s"
  else
    remove_service "$svc"
    remove_network "$net"
    remove_volume "$RUN_ID-vol-$name"
  fi
}

SIDES=(paas raw)
[[ $RAW_HEALTH != 1 ]] || SIDES+=(rawhc)
SAMPLES=$TMP/samples.tsv
: >"$SAMPLES"
for ((r = 1; r <= WARMUP_ROUNDS + ROUNDS; r++)); do
  phase=measured
  ((r <= WARMUP_ROUNDS)) && phase=warmup
  # rotate which side goes first, so that drifting load from the neighbours hits every side alike
  order=("${SIDES[@]:$(((r - 1) % ${#SIDES[@]}))}" "${SIDES[@]:0:$(((r - 1) % ${#SIDES[@]}))}")
  for side in "${order[@]}"; do
    round "$side" "$side$r"
    read -r total req accept avail <<<"$RESULT"
    printf '%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n' "$phase" "$r" "$side" "$total" "$req" "$accept" "$avail" "$(load1)" >>"$SAMPLES"
    log "round $r ($phase) $side: ready after $total ms (request returned $req, accepting $accept, available $avail; load $(load1))"
  done
done

mkdir -p "$RESULTS"
JSON=$RESULTS/provision-$STAMP.json
TXT=$RESULTS/provision-$STAMP.txt
jq -R -s --arg stamp "$STAMP" --arg plan "$PLAN" --arg load_start "$LOAD_START" --arg load_end "$(cut -d' ' -f1-3 /proc/loadavg)" \
  --argjson rounds "$ROUNDS" --argjson warmup "$WARMUP_ROUNDS" --argjson poll_ms "$POLL_MS" --arg cores "$(nproc)" \
  --arg docker "$("$DOCKER" version -f '{{.Server.Version}}')" '
  def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def stats: { median: (map(.ms) | median), min: (map(.ms) | min), max: (map(.ms) | max),
               request_ms_median: (map(.request_ms) | median), accept_ms_median: (map(.accept_ms) | median),
               available_ms_median: (map(.available_ms) | median) };
  def ratio($a; $b): if $a != null and $b != null and $b > 0 then ($a / $b * 100 | round) / 100 else null end;
  [split("\n")[] | select(length > 0) | split("\t")
   | { phase: .[0], round: (.[1] | tonumber), side: .[2], ms: (.[3] | tonumber), request_ms: (.[4] | tonumber),
       accept_ms: (.[5] | tonumber), available_ms: (.[6] | tonumber), load1: (.[7] | tonumber) }] as $samples
  | ($samples | map(select(.phase == "measured"))) as $m
  | { stamp: $stamp, plan: $plan, rounds: $rounds, warmup_rounds: $warmup, poll_ms: $poll_ms, cores: $cores, docker: $docker,
      load_start: $load_start, load_end: $load_end, samples: $samples }
  | reduce ("paas", "raw", "rawhc") as $s (.; if ($m | any(.side == $s)) then .[$s] = ($m | map(select(.side == $s)) | stats) else . end)
  | .ratio_paas_raw = ratio(.paas.median; .raw.median) | .ratio_paas_rawhc = ratio(.paas.median; .rawhc.median?)' "$SAMPLES" >"$JSON"
{
  echo "add-on provision -> accepting connections: $PLAN through the API vs raw docker service create ($STAMP, $ROUNDS rounds + $WARMUP_ROUNDS warm-up, poll $POLL_MS ms)"
  echo "load average at start: $LOAD_START, at end: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
  echo
  printf '%-6s %-6s %8s %8s %8s %10s %6s\n' round side ready request accept available load1
  jq -r '.samples[] | [(if .phase == "warmup" then "w" else "" end) + (.round | tostring), .side, .ms, .request_ms, .accept_ms, .available_ms, .load1] | @tsv' "$JSON" |
    awk -F'\t' '{ printf "%-6s %-6s %8s %8s %8s %10s %6s\n", $1, $2, $3, $4, $5, $6, $7 }'
  echo
  echo "(ms from before the create request; ready = the later of accept (pg_isready on the network) and available; w = warm-up)"
  jq -r '(["paas", "raw", "rawhc"][] as $s | select(.[$s]) | .[$s] | "\($s): median \(.median) ms [\(.min)-\(.max)], accepting \(.accept_ms_median), available \(.available_ms_median)"),
    "ratio paas/raw: \(.ratio_paas_raw)x", (select(.ratio_paas_rawhc) | "ratio paas/rawhc (same health check): \(.ratio_paas_rawhc)x")' "$JSON"
} | tee "$TXT"
log "wrote $JSON and $TXT"
