#!/usr/bin/env bash
# Usage accounting benchmark (issue 21, docs/usage.md), two parts:
#  1. throughput at 64 connections through a gateway with usage accounting on (the default) and
#     one with it off (SAGE_USAGE_ENABLED=false), interleaved, for whole responses and for streams
#     whose client did not ask for usage (the gateway rewrites those), each beside the goal
#     (accounting costs <= 5 %, on/off >= 0.95) with yes/no; plus the gateways' CPU time per
#     request on and off and the usage writer thread's CPU per recorded row (from /proc: a check
#     beside the ratios, not a substitute; on a busy machine a starved gateway's JIT lags and
#     its CPU per request rises, so these are only comparable between runs of equal throughput);
#     and the usage writer alone (bench/UsageWriteCost.java: in-process CPU time per recorded row
#     for batches of 240 and 1,200 rows, which does not depend on the machine's load);
#  2. reading a month of usage after seeding 1 million raw rows: on the store directly, and through
#     GET /v1/management/usage of a gateway started on that data dir (goal: under 1 s).
#
#   ./mvnw -B -q -DskipTests package && bench/usage.sh
#
# The upstream (BENCH_UPSTREAM): "static" (default), nginx answering from memory with the same
# bytes whatever the request: a chat completion with its usage, or a stream of 16 token events that
# always ends with the usage event. The upstream's work is then the same with accounting on and
# off, and the ratio is the gateway's own cost (docs/decisions.md). "mock", the JVM mock engine:
# it shares the CPU with the gateways and, with accounting on, streams one more (usage) event
# than with it off, so its ratio also carries the engine's extra work.
#
# Environment: BENCH_UPSTREAM (static|mock), BENCH_DURATION (s per wrk run, default 10),
# BENCH_ROUNDS (default 5), BENCH_WARMUP (s of untimed wrk per gateway and body before the first
# measurement, default 60: the JIT's steady state, not its first minutes; on 2 cores the rounds
# still rose after 30 s), BENCH_ROWS (default
# 1000000), BENCH_KEEP=1 keeps the temp dir.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/sage-bench-usage.XXXXXX")"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
DURATION="${BENCH_DURATION:-10}"
ROUNDS="${BENCH_ROUNDS:-5}"
WARMUP="${BENCH_WARMUP:-60}"
ROWS="${BENCH_ROWS:-1000000}"
UPSTREAM="${BENCH_UPSTREAM:-static}"
GOAL_RATIO=0.95
GATEWAY_DIRS=()
PIDS=()
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"

cleanup() {
  set +e
  stop_gateways
  [ -f "$WORK/nginx/nginx.pid" ] && kill "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "bench: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

require_dist
ensure_commands wrk:wrk curl:curl
echo "bench: working in $WORK, upstream $UPSTREAM (load average at start: $LOAD_START)" >&2

case "$UPSTREAM" in
  static)
    ensure_commands nginx:nginx-light
    command -v nginx >/dev/null 2>&1 || PATH="$PATH:/usr/sbin"
    JSON_PORT=$(free_port)
    STREAM_PORT=$(free_port)
    MODEL_JSON=bench
    MODEL_STREAM=bench-stream
    COMPLETION='{"id":"chatcmpl-bench","object":"chat.completion","created":1,"model":"bench","choices":[{"index":0,"message":{"role":"assistant","content":"t0 t1 t2 t3 t4 t5 t6 t7 t8 t9 t10 t11 t12 t13 t14 t15 "},"finish_reason":"length"}],"usage":{"prompt_tokens":2,"completion_tokens":16,"total_tokens":18}}'
    # 16 token events, the usage event (empty choices) and [DONE]; "\n" is nginx's escape
    CHUNK='data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1,"model":"bench-stream","choices":'
    EVENTS=""
    for i in $(seq 0 15); do
      finish=null
      [ "$i" = 15 ] && finish='"length"'
      EVENTS+="$CHUNK"'[{"index":0,"delta":{"content":"t'"$i"' "},"finish_reason":'"$finish"'}]}\n\n'
    done
    EVENTS+="$CHUNK"'[],"usage":{"prompt_tokens":2,"completion_tokens":16,"total_tokens":18}}\n\n'
    EVENTS+='data: [DONE]\n\n'
    mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp"
    cat > "$WORK/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/tmp/body;
  proxy_temp_path $WORK/nginx/tmp/proxy;
  server {
    listen 127.0.0.1:$JSON_PORT;
    keepalive_requests 1000000;
    default_type application/json;
    location = /health { return 200 '{"status":"ok"}'; }
    location = /v1/models { return 200 '{"object":"list","data":[{"id":"$MODEL_JSON","object":"model"}]}'; }
    location / { return 200 '$COMPLETION'; }
  }
  server {
    listen 127.0.0.1:$STREAM_PORT;
    keepalive_requests 1000000;
    default_type application/json;
    location = /health { return 200 '{"status":"ok"}'; }
    location = /v1/models { return 200 '{"object":"list","data":[{"id":"$MODEL_STREAM","object":"model"}]}'; }
    location / { default_type text/event-stream; return 200 '$EVENTS'; }
  }
}
CONF
    nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" > "$WORK/nginx/stdout.log" 2>&1 &
    PIDS+=($!)
    wait_http "http://127.0.0.1:$JSON_PORT/health" 30
    wait_http "http://127.0.0.1:$STREAM_PORT/health" 30
    JSON_ENGINE="http://127.0.0.1:$JSON_PORT"
    STREAM_ENGINE="http://127.0.0.1:$STREAM_PORT"
    ;;
  mock)
    MOCK_JAR="$DIST/plugins/sage-engine-mock.jar"
    java -Dsun.net.httpserver.maxIdleConnections=2000 -cp "$MOCK_JAR" io.sage.engine.mock.MockEngineMain \
      --host 127.0.0.1 --port 0 --model bench --kind llm > "$WORK/mock.log" 2>&1 &
    PIDS+=($!)
    MOCK_PORT=$(port_from_log "$WORK/mock.log")
    wait_http "http://127.0.0.1:$MOCK_PORT/health" 30
    MODEL_JSON=bench
    MODEL_STREAM=bench
    JSON_ENGINE="http://127.0.0.1:$MOCK_PORT"
    STREAM_ENGINE=""
    ;;
  *)
    echo "bench: BENCH_UPSTREAM must be static or mock, not $UPSTREAM" >&2
    exit 2
    ;;
esac

OFF_PORT=$(free_port)
start_gateway usage-off "$OFF_PORT" "$WORK/gw-off" SAGE_USAGE_ENABLED=false
ON_PORT=$(free_port)
start_gateway usage-on "$ON_PORT" "$WORK/gw-on"
for gw in off on; do
  port=$OFF_PORT
  [ "$gw" = on ] && port=$ON_PORT
  register_engine "http://127.0.0.1:$port" "$WORK/gw-$gw" "$MODEL_JSON" "$JSON_ENGINE" llm
  if [ -n "$STREAM_ENGINE" ]; then
    register_engine "http://127.0.0.1:$port" "$WORK/gw-$gw" "$MODEL_STREAM" "$STREAM_ENGINE" llm
  fi
done
declare -A BASE=([usage-off]="http://127.0.0.1:$OFF_PORT" [usage-on]="http://127.0.0.1:$ON_PORT")
declare -A PID_OF=([usage-off]="$(cat "$WORK/gw-off/gateway.pid")" [usage-on]="$(cat "$WORK/gw-on/gateway.pid")")
NAMES=(usage-off usage-on)
CLK_TCK="$(getconf CLK_TCK)"

JSON_BODY='{"model":"'"$MODEL_JSON"'","max_tokens":16,"messages":[{"role":"user","content":"benchmark request"}]}'
STREAM_BODY='{"model":"'"$MODEL_STREAM"'","stream":true,"max_tokens":16,"messages":[{"role":"user","content":"benchmark request"}]}'
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
  for body in "$JSON_BODY" "$STREAM_BODY"; do
    code=$(curl -s -o "$WORK/check.txt" -w '%{http_code}' -X POST "${BASE[$name]}/v1/chat/completions" \
      -H 'Content-Type: application/json' -d "$body")
    [ "$code" = 200 ] || { echo "bench: $name answered $code: $(head -c 300 "$WORK/check.txt")" >&2; exit 2; }
  done
done

parse_wrk() { # prints "req_per_s errors requests"
  awk '
    /^Requests\/sec:/ { rps = $2 }
    / requests in / { requests = $1 }
    /Non-2xx/ { errors += $NF }
    /Socket errors/ { gsub(/,/, ""); errors += $4 + $6 + $8 + $10 }
    END { printf "%.1f %d %d\n", rps, errors, requests }' "$1"
}

# CPU clock ticks (user + system) a gateway process has used, all its threads
process_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# ... and its threads whose name starts with $2 (Linux keeps 15 characters of a thread's name)
thread_ticks() {
  local pid="$1" prefix="$2" total=0 task
  for task in /proc/"$pid"/task/*; do
    case "$(cat "$task/comm" 2>/dev/null)" in
      "$prefix"*) total=$((total + $(awk '{ print $14 + $15 }' "$task/stat" 2>/dev/null || echo 0))) ;;
    esac
  done
  echo "$total"
}
cpu_snapshot() { # prints "process writer h2_background" ticks of a gateway
  echo "$(process_ticks "$1") $(thread_ticks "$1" sage-usage-wri) $(thread_ticks "$1" "MVStore")"
}

echo "bench: warming up (untimed, ${WARMUP}s per gateway and body)" >&2
for name in "${NAMES[@]}"; do
  for kind in json stream; do
    wrk -t2 -c64 -d"${WARMUP}s" -s "$WORK/$kind.lua" "${BASE[$name]}/v1/chat/completions" > /dev/null
  done
done

for round in $(seq 1 "$ROUNDS"); do
  # the order alternates per round, so that a load that drifts during the run favours neither
  ORDER=("${NAMES[@]}")
  [ $((round % 2)) = 0 ] && ORDER=(usage-on usage-off)
  for kind in json stream; do
    for name in "${ORDER[@]}"; do
      echo "bench: round $round/$ROUNDS $kind $name" >&2
      read -r p0 w0 h0 <<< "$(cpu_snapshot "${PID_OF[$name]}")"
      wrk -t2 -c64 -d"${DURATION}s" -s "$WORK/$kind.lua" "${BASE[$name]}/v1/chat/completions" \
        > "$WORK/wrk-$kind-$name-$round.txt"
      # the writer commits what is queued every 200 ms: let it finish this run's rows
      sleep 0.5
      read -r p1 w1 h1 <<< "$(cpu_snapshot "${PID_OF[$name]}")"
      echo "$round $kind $name $(parse_wrk "$WORK/wrk-$kind-$name-$round.txt")" \
        "$((p1 - p0)) $((w1 - w0)) $((h1 - h0))" >> "$WORK/raw.txt"
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

echo "bench: the usage writer's CPU per recorded request, in-process (bench/UsageWriteCost.java)" >&2
for batch in 240 1200; do
  mkdir -p "$WORK/cost-$batch"
  java -Dlogback.configurationFile="$WORK/logback-quiet.xml" -cp "$CP" "$ROOT/bench/UsageWriteCost.java" \
    "$WORK/cost-$batch" 200000 "$batch" >> "$WORK/cost.txt" 2> "$WORK/cost.log" \
    || { echo "bench: UsageWriteCost failed:" >&2; tail -20 "$WORK/cost.log" >&2; exit 2; }
done

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo
echo "SAGE usage accounting benchmark  ($(date -u '+%Y-%m-%d %H:%M UTC'); ${ROUNDS} rounds x ${DURATION}s after ${WARMUP}s warm-up, 64 connections, interleaved)"
echo "load average at start: $LOAD_START"
echo "Upstream: $UPSTREAM. Raw results (round body gateway req/s errors requests cpu_ticks writer_ticks h2_ticks; $CLK_TCK ticks/s):"
sed 's/^/  /' "$WORK/raw.txt"
echo
echo "Median req/s, accounting on vs off (goal: accounting costs <= 5 %, on/off >= $GOAL_RATIO):"
for kind in json stream; do
  off=$(awk -v k="$kind" '$2 == k && $3 == "usage-off" { print $4 }' "$WORK/raw.txt" | median)
  on=$(awk -v k="$kind" '$2 == k && $3 == "usage-on" { print $4 }' "$WORK/raw.txt" | median)
  awk -v k="$kind" -v off="$off" -v on="$on" -v goal="$GOAL_RATIO" \
    'BEGIN { r = on / off; printf "  %-6s off %9.1f  on %9.1f  on/off %.3f  (cost %.1f%%)  met: %s\n", k, off, on, r, (1 - r) * 100, (r >= goal) ? "yes" : "no" }'
done
echo
echo "Gateway CPU per request (all rounds, from /proc; comparable only between runs of similar req/s):"
for kind in json stream; do
  awk -v k="$kind" -v tck="$CLK_TCK" '
    $2 == k { req[$3] += $6; cpu[$3] += $7; writer[$3] += $8; h2[$3] += $9 }
    END {
      off = cpu["usage-off"] * 1e6 / tck / req["usage-off"]
      on = cpu["usage-on"] * 1e6 / tck / req["usage-on"]
      printf "  %-6s off %7.1f us  on %7.1f us  accounting +%.1f us (%.1f%% of a request on)\n", k, off, on, on - off, (on - off) / on * 100
      printf "         usage writer thread %.2f us, H2 background threads %.2f us per recorded request\n", writer["usage-on"] * 1e6 / tck / req["usage-on"], h2["usage-on"] * 1e6 / tck / req["usage-on"]
    }' "$WORK/raw.txt"
done
echo "  usage rows the accounting gateway recorded: $RECORDED"
echo "  usage writer alone, in-process CPU per recorded request (thread, and whole process with JIT/GC):"
sed 's/^/    /' "$WORK/cost.txt"
echo
echo "A month of usage over $ROWS raw rows (20 keys, 5 models, 30 days):"
echo "  seeding through the store (rows, seconds, rows/s) and reads on the store (best of 5):"
sed 's/^/    /' "$WORK/seed.txt"
echo "  through GET /v1/management/usage?from=30d (best of 5, curl time_total; goal: under 1 s):"
sed 's/^/    /' "$WORK/month.txt"
awk '{ if ($2 + 0 > worst) worst = $2 + 0 } END { printf "  slowest month read %.1f ms, met: %s\n", worst, (worst < 1000) ? "yes" : "no" }' "$WORK/month.txt"
echo
versions
