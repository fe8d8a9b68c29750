#!/usr/bin/env bash
# Usage accounting benchmark (issue 21, docs/usage.md), two parts:
#  1. throughput at 64 connections through a gateway with usage accounting on (the default) and
#     one with it off (SAGE_USAGE_ENABLED=false), interleaved, same mock engine, for whole
#     responses and for streams whose client did not ask for usage (the gateway rewrites those);
#  2. reading a month of usage after seeding 1 million raw rows: on the store directly, and through
#     GET /v1/management/usage of a gateway started on that data dir.
#
#   ./mvnw -B -q -DskipTests package && bench/usage.sh
#
# Environment: BENCH_DURATION (s per wrk run, default 10), BENCH_ROUNDS (default 3),
# BENCH_ROWS (default 1000000), BENCH_KEEP=1 keeps the temp dir.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/sage-bench-usage.XXXXXX")"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
DURATION="${BENCH_DURATION:-10}"
ROUNDS="${BENCH_ROUNDS:-3}"
ROWS="${BENCH_ROWS:-1000000}"
GATEWAY_DIRS=()
PIDS=()

cleanup() {
  set +e
  stop_gateways
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "bench: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

require_dist
ensure_commands wrk:wrk curl:curl
echo "bench: working in $WORK" >&2

MOCK_JAR="$DIST/plugins/sage-engine-mock.jar"
java -Dsun.net.httpserver.maxIdleConnections=2000 -cp "$MOCK_JAR" io.sage.engine.mock.MockEngineMain \
  --host 127.0.0.1 --port 0 --model bench --kind llm > "$WORK/mock.log" 2>&1 &
PIDS+=($!)
MOCK_PORT=$(port_from_log "$WORK/mock.log")
wait_http "http://127.0.0.1:$MOCK_PORT/health" 30

OFF_PORT=$(free_port)
start_gateway usage-off "$OFF_PORT" "$WORK/gw-off" SAGE_USAGE_ENABLED=false
ON_PORT=$(free_port)
start_gateway usage-on "$ON_PORT" "$WORK/gw-on"
register_engine "http://127.0.0.1:$OFF_PORT" "$WORK/gw-off" bench "http://127.0.0.1:$MOCK_PORT" llm
register_engine "http://127.0.0.1:$ON_PORT" "$WORK/gw-on" bench "http://127.0.0.1:$MOCK_PORT" llm
declare -A BASE=([usage-off]="http://127.0.0.1:$OFF_PORT" [usage-on]="http://127.0.0.1:$ON_PORT")
NAMES=(usage-off usage-on)

JSON_BODY='{"model":"bench","max_tokens":16,"messages":[{"role":"user","content":"benchmark request"}]}'
STREAM_BODY='{"model":"bench","stream":true,"max_tokens":16,"messages":[{"role":"user","content":"benchmark request"}]}'
for kind in json stream; do
  body="$JSON_BODY"
  [ "$kind" = stream ] && body="$STREAM_BODY"
  {
    echo 'wrk.method = "POST"'
    echo "wrk.body = '$body'"
    echo 'wrk.headers["Content-Type"] = "application/json"'
  } > "$WORK/$kind.lua"
done
for name in "${NAMES[@]}"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "${BASE[$name]}/v1/chat/completions" \
    -H 'Content-Type: application/json' -d "$JSON_BODY")
  [ "$code" = 200 ] || { echo "bench: $name answered $code" >&2; exit 2; }
done

parse_wrk() { # prints "req_per_s errors"
  awk '
    /^Requests\/sec:/ { rps = $2 }
    /Non-2xx/ { errors += $NF }
    /Socket errors/ { gsub(/,/, ""); errors += $4 + $6 + $8 + $10 }
    END { printf "%.1f %d\n", rps, errors }' "$1"
}

echo "bench: warming up (untimed)" >&2
for name in "${NAMES[@]}"; do
  for kind in json stream; do
    wrk -t2 -c64 -d5s -s "$WORK/$kind.lua" "${BASE[$name]}/v1/chat/completions" > /dev/null
  done
done

for round in $(seq 1 "$ROUNDS"); do
  # the order alternates per round, so that a load that drifts during the run favours neither
  ORDER=("${NAMES[@]}")
  [ $((round % 2)) = 0 ] && ORDER=(usage-on usage-off)
  for kind in json stream; do
    for name in "${ORDER[@]}"; do
      echo "bench: round $round/$ROUNDS $kind $name" >&2
      wrk -t2 -c64 -d"${DURATION}s" -s "$WORK/$kind.lua" "${BASE[$name]}/v1/chat/completions" \
        > "$WORK/wrk-$kind-$name-$round.txt"
      echo "$round $kind $name $(parse_wrk "$WORK/wrk-$kind-$name-$round.txt")" >> "$WORK/raw.txt"
    done
  done
done

# what the accounting gateway recorded (every request it served, less the last flush window)
sleep 1
RECORDED=$(curl -sS "${BASE[usage-on]}/v1/management/usage?from=1h" -H "$(admin_header "$WORK/gw-on")" \
  | grep -o '"totals":{"requests":[0-9]*' | grep -o '[0-9]*$')
stop_gateways
GATEWAY_DIRS=()

echo "bench: seeding $ROWS usage rows" >&2
CP="$(ls "$DIST"/lib/*.jar | grep -v '/sage-gateway' | paste -sd: -)"
mkdir -p "$WORK/gw-month"
printf '<configuration><root level="WARN"/></configuration>\n' > "$WORK/logback-quiet.xml"
java -Dlogback.configurationFile="$WORK/logback-quiet.xml" -cp "$CP" "$ROOT/bench/UsageSeed.java" \
  "$WORK/gw-month" "$ROWS" > "$WORK/seed.txt" 2> "$WORK/seed.log" \
  || { echo "bench: seeding failed:" >&2; tail -20 "$WORK/seed.log" >&2; exit 2; }
MONTH_PORT=$(free_port)
start_gateway usage-month "$MONTH_PORT" "$WORK/gw-month"
MONTH_AUTH="$(admin_header "$WORK/gw-month")"
for query in "" "group_by=key" "group_by=key,model" "group_by=day" "group_by=model,hour"; do
  best=""
  for _ in 1 2 3 4 5; do
    t=$(curl -sS -o "$WORK/month.json" -w '%{time_total}' -H "$MONTH_AUTH" \
      "http://127.0.0.1:$MONTH_PORT/v1/management/usage?from=30d&$query")
    best=$(awk -v a="$t" -v b="${best:-999}" 'BEGIN { print (a < b) ? a : b }')
  done
  requests=$(grep -o '"totals":{"requests":[0-9]*' "$WORK/month.json" | grep -o '[0-9]*$')
  echo "${query:-total} $(awk -v s="$best" 'BEGIN { printf "%.1f", s * 1000 }') ms, $requests requests" >> "$WORK/month.txt"
done

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo
echo "SAGE usage accounting benchmark  ($(date -u '+%Y-%m-%d %H:%M UTC'); ${ROUNDS} rounds x ${DURATION}s, 64 connections, interleaved)"
echo "Raw wrk results (round body gateway req/s errors):"
sed 's/^/  /' "$WORK/raw.txt"
echo
echo "Median req/s, accounting on vs off:"
for kind in json stream; do
  off=$(awk -v k="$kind" '$2 == k && $3 == "usage-off" { print $4 }' "$WORK/raw.txt" | median)
  on=$(awk -v k="$kind" '$2 == k && $3 == "usage-on" { print $4 }' "$WORK/raw.txt" | median)
  awk -v k="$kind" -v off="$off" -v on="$on" \
    'BEGIN { printf "  %-6s off %9.1f  on %9.1f  on/off %.3f  (cost %.1f%%)\n", k, off, on, on / off, (1 - on / off) * 100 }'
done
echo "  usage rows the accounting gateway recorded: $RECORDED"
echo
echo "A month of usage over $ROWS raw rows (20 keys, 5 models, 30 days):"
echo "  seeding through the store (rows, seconds, rows/s) and reads on the store (best of 5):"
sed 's/^/    /' "$WORK/seed.txt"
echo "  through GET /v1/management/usage?from=30d (best of 5, curl time_total):"
sed 's/^/    /' "$WORK/month.txt"
echo
versions
