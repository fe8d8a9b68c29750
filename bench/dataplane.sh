#!/usr/bin/env bash
# Data-plane benchmark: direct-to-engine vs through the gateway vs a plain nginx reverse proxy,
# measured interleaved in one run. See docs/benchmarks.md.
#
#   ./mvnw -B -q -DskipTests package && bench/dataplane.sh
#
# Environment: BENCH_DURATION (s per wrk run, default 5), BENCH_ROUNDS (default 2),
# BENCH_STREAMS (streams per target, default 10), BENCH_KEEP=1 keeps the temp dir.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/sage-bench.XXXXXX")"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
DURATION="${BENCH_DURATION:-5}"
ROUNDS="${BENCH_ROUNDS:-2}"
STREAMS="${BENCH_STREAMS:-10}"
GATEWAY_DIRS=()
PIDS=()

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
ensure_commands wrk:wrk nginx:nginx-light curl:curl
command -v nginx >/dev/null 2>&1 || PATH="$PATH:/usr/sbin"
echo "bench: working in $WORK" >&2

# --- engines: one unpaced mock (latency, throughput), one paced at 50 tokens/s (streams) ---
MOCK_JAR="$DIST/plugins/sage-engine-mock.jar"
java -cp "$MOCK_JAR" io.sage.engine.mock.MockEngineMain --host 127.0.0.1 --port 0 --model bench \
  --kind llm > "$WORK/mock.log" 2>&1 &
PIDS+=($!)
java -cp "$MOCK_JAR" io.sage.engine.mock.MockEngineMain --host 127.0.0.1 --port 0 --model stream \
  --kind llm --option tokens_per_second=50 > "$WORK/mock-stream.log" 2>&1 &
PIDS+=($!)
MOCK_PORT=$(port_from_log "$WORK/mock.log")
STREAM_PORT=$(port_from_log "$WORK/mock-stream.log")
wait_http "http://127.0.0.1:$MOCK_PORT/health" 30
wait_http "http://127.0.0.1:$STREAM_PORT/health" 30

# --- nginx: plain reverse proxy with upstream keep-alive, no buffering ---
NGINX_PORT=$(free_port)
NGINX_STREAM_PORT=$(free_port)
mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp"
cat > "$WORK/nginx/nginx.conf" <<EOF
daemon off;
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log $WORK/nginx/logs/access.log;
  client_body_temp_path $WORK/nginx/tmp/body;
  proxy_temp_path $WORK/nginx/tmp/proxy;
  upstream engine { server 127.0.0.1:$MOCK_PORT; keepalive 64; }
  upstream stream_engine { server 127.0.0.1:$STREAM_PORT; keepalive 16; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://engine;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
  server {
    listen 127.0.0.1:$NGINX_STREAM_PORT;
    location / {
      proxy_pass http://stream_engine;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
EOF
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" > "$WORK/nginx/stdout.log" 2>&1 &
PIDS+=($!)

# --- two gateways: defaults, and metrics + access log switched off (issue 11) ---
GW_PORT=$(free_port)
start_gateway gateway "$GW_PORT" "$WORK/gw-default"
LEAN_PORT=$(free_port)
start_gateway gw-lean "$LEAN_PORT" "$WORK/gw-lean" SAGE_METRICS_ENABLED=false SAGE_ACCESS_LOG_ENABLED=false
for pair in "$GW_PORT:$WORK/gw-default" "$LEAN_PORT:$WORK/gw-lean"; do
  register_engine "http://127.0.0.1:${pair%%:*}" "${pair#*:}" bench "http://127.0.0.1:$MOCK_PORT" llm
  register_engine "http://127.0.0.1:${pair%%:*}" "${pair#*:}" stream "http://127.0.0.1:$STREAM_PORT" llm
done
wait_http "http://127.0.0.1:$NGINX_PORT/health" 10

# Targets in interleaving order: name, URL base, stream URL base, auth header.
NAMES=(direct gateway gw-lean nginx)
declare -A BASE=(
  [direct]="http://127.0.0.1:$MOCK_PORT" [gateway]="http://127.0.0.1:$GW_PORT"
  [gw-lean]="http://127.0.0.1:$LEAN_PORT" [nginx]="http://127.0.0.1:$NGINX_PORT")
declare -A STREAM_BASE=(
  [direct]="http://127.0.0.1:$STREAM_PORT" [gateway]="http://127.0.0.1:$GW_PORT"
  [gw-lean]="http://127.0.0.1:$LEAN_PORT" [nginx]="http://127.0.0.1:$NGINX_STREAM_PORT")
# Inference keys are not needed today; send the admin key when a gateway wrote one.
declare -A AUTH=(
  [direct]="X-Bench: direct" [gateway]="$(admin_header "$WORK/gw-default")"
  [gw-lean]="$(admin_header "$WORK/gw-lean")" [nginx]="X-Bench: nginx")

BODY='{"model":"bench","max_tokens":16,"messages":[{"role":"user","content":"benchmark request"}]}'
for name in "${NAMES[@]}"; do
  header="${AUTH[$name]}"
  cat > "$WORK/$name.lua" <<EOF
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["${header%%:*}"] = "${header#*: }"
EOF
  # Every target must answer 200 before anything is timed.
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "${BASE[$name]}/v1/chat/completions" \
    -H 'Content-Type: application/json' -H "$header" -d "$BODY")
  [ "$code" = 200 ] || { echo "bench: $name answered $code" >&2; exit 2; }
done

run_wrk() { # name mode(c1|c64) round
  local name="$1" mode="$2" round="$3" args
  if [ "$mode" = c1 ]; then args="-t1 -c1"; else args="-t2 -c64"; fi
  # shellcheck disable=SC2086
  wrk $args -d"${DURATION}s" --latency -s "$WORK/$name.lua" "${BASE[$name]}/v1/chat/completions" \
    > "$WORK/wrk-$mode-$name-$round.txt"
}

# Prints "p50_ms p99_ms req_per_s errors" from a wrk --latency report.
parse_wrk() {
  awk '
    function ms(v) {
      if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
      if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
      if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
      return v
    }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /^Requests\/sec:/ { rps = $2 }
    /Non-2xx/ { errors += $NF }
    /Socket errors/ { gsub(/,/, ""); errors += $4 + $6 + $8 + $10 }
    END { printf "%.4f %.4f %.1f %d\n", p50, p99, rps, errors }' "$1"
}

echo "bench: warming up every target (untimed)" >&2
for name in "${NAMES[@]}"; do
  wrk -t2 -c16 -d3s -s "$WORK/$name.lua" "${BASE[$name]}/v1/chat/completions" > /dev/null
done

for round in $(seq 1 "$ROUNDS"); do
  for mode in c1 c64; do
    for name in "${NAMES[@]}"; do
      echo "bench: round $round/$ROUNDS $mode $name" >&2
      run_wrk "$name" "$mode" "$round"
      echo "$round $mode $name $(parse_wrk "$WORK/wrk-$mode-$name-$round.txt")" >> "$WORK/raw.txt"
    done
  done
done

echo "bench: streams, $STREAMS per target, interleaved" >&2
STREAM_ARGS=()
for name in "${NAMES[@]}"; do
  STREAM_ARGS+=("$name=${STREAM_BASE[$name]}/v1/chat/completions")
done
# The probe sends one header to all targets; the admin key (if any) is harmless to the others.
java "$ROOT/bench/StreamProbe.java" --requests "$STREAMS" --max-tokens 64 --model stream \
  --header "${AUTH[gateway]}" "${STREAM_ARGS[@]}" > "$WORK/streams.txt"

# --- report ---
echo
echo "SAGE data-plane benchmark  ($(date -u '+%Y-%m-%d %H:%M UTC'); ${ROUNDS} rounds x ${DURATION}s per wrk run, interleaved)"
echo "Raw wrk results (round mode target p50_ms p99_ms req/s errors):"
sed 's/^/  /' "$WORK/raw.txt"
echo "Streams (target ttft_p50_ms ttft_p99_ms gap_mean_ms gap_p99_ms tokens):"
sed 's/^/  /' "$WORK/streams.txt"
echo
awk -v lean_note="${BENCH_LEAN_NOTE:-}" '
  FNR == NR { k = $2 SUBSEP $3; p50[k] += $4; p99[k] += $5; rps[k] += $6; err[k] += $7; n[k]++; next }
  { tp50[$1] = $2; tp99[$1] = $3; gap[$1] = $4; gap99[$1] = $5 }
  function avg(a, m, t) { return a[m SUBSEP t] / n[m SUBSEP t] }
  function yes(c) { return c ? "yes" : "NO" }
  END {
    split("gateway gw-lean nginx", proxies, " ")
    printf "%-34s %10s %10s %10s %10s\n", "metric", "direct", "gateway", "gw-lean", "nginx"
    printf "%-34s %10.3f %10.3f %10.3f %10.3f\n", "1 client p50 latency (ms)", avg(p50,"c1","direct"), avg(p50,"c1","gateway"), avg(p50,"c1","gw-lean"), avg(p50,"c1","nginx")
    printf "%-34s %10.3f %10.3f %10.3f %10.3f\n", "1 client p99 latency (ms)", avg(p99,"c1","direct"), avg(p99,"c1","gateway"), avg(p99,"c1","gw-lean"), avg(p99,"c1","nginx")
    printf "%-34s %10.0f %10.0f %10.0f %10.0f\n", "1 client req/s", avg(rps,"c1","direct"), avg(rps,"c1","gateway"), avg(rps,"c1","gw-lean"), avg(rps,"c1","nginx")
    printf "%-34s %10.0f %10.0f %10.0f %10.0f\n", "64 connections req/s", avg(rps,"c64","direct"), avg(rps,"c64","gateway"), avg(rps,"c64","gw-lean"), avg(rps,"c64","nginx")
    printf "%-34s %10.3f %10.3f %10.3f %10.3f\n", "64 connections p50 latency (ms)", avg(p50,"c64","direct"), avg(p50,"c64","gateway"), avg(p50,"c64","gw-lean"), avg(p50,"c64","nginx")
    printf "%-34s %10.3f %10.3f %10.3f %10.3f\n", "64 connections p99 latency (ms)", avg(p99,"c64","direct"), avg(p99,"c64","gateway"), avg(p99,"c64","gw-lean"), avg(p99,"c64","nginx")
    printf "%-34s %10.3f %10.3f %10.3f %10.3f\n", "stream TTFT p50 (ms)", tp50["direct"], tp50["gateway"], tp50["gw-lean"], tp50["nginx"]
    printf "%-34s %10.3f %10.3f %10.3f %10.3f\n", "stream TTFT p99 (ms)", tp99["direct"], tp99["gateway"], tp99["gw-lean"], tp99["nginx"]
    printf "%-34s %10.3f %10.3f %10.3f %10.3f\n", "stream inter-token gap mean (ms)", gap["direct"], gap["gateway"], gap["gw-lean"], gap["nginx"]
    printf "%-34s %10.3f %10.3f %10.3f %10.3f\n", "stream inter-token gap p99 (ms)", gap99["direct"], gap99["gateway"], gap99["gw-lean"], gap99["nginx"]
    printf "%-34s %10d %10d %10d %10d\n", "errors (non-2xx + socket)", err["c1" SUBSEP "direct"] + err["c64" SUBSEP "direct"], err["c1" SUBSEP "gateway"] + err["c64" SUBSEP "gateway"], err["c1" SUBSEP "gw-lean"] + err["c64" SUBSEP "gw-lean"], err["c1" SUBSEP "nginx"] + err["c64" SUBSEP "nginx"]
    print ""
    printf "%-34s %10s %10s %10s %10s %s\n", "versus direct", "goal", "gateway", "gw-lean", "nginx", "  met (gateway / gw-lean)"
    for (i = 1; i <= 3; i++) {
      t = proxies[i]
      a50[t] = avg(p50,"c1",t) - avg(p50,"c1","direct")
      a99[t] = avg(p99,"c1",t) - avg(p99,"c1","direct")
      ratio[t] = avg(rps,"c64",t) / avg(rps,"c64","direct")
      attft[t] = tp50[t] - tp50["direct"]
      agap[t] = gap[t] - gap["direct"]
    }
    printf "%-34s %10s %10.3f %10.3f %10.3f   %s / %s\n", "added p50, 1 client (ms)", "<= 0.2", a50["gateway"], a50["gw-lean"], a50["nginx"], yes(a50["gateway"] <= 0.2), yes(a50["gw-lean"] <= 0.2)
    printf "%-34s %10s %10.3f %10.3f %10.3f   %s / %s\n", "added p99, 1 client (ms)", "<= 1", a99["gateway"], a99["gw-lean"], a99["nginx"], yes(a99["gateway"] <= 1), yes(a99["gw-lean"] <= 1)
    printf "%-34s %10s %10.2f %10.2f %10.2f   %s / %s\n", "throughput ratio, 64 connections", ">= 0.70", ratio["gateway"], ratio["gw-lean"], ratio["nginx"], yes(ratio["gateway"] >= 0.7), yes(ratio["gw-lean"] >= 0.7)
    printf "%-34s %10s %10.3f %10.3f %10.3f   %s / %s\n", "added TTFT p50 (ms)", "<= 1", attft["gateway"], attft["gw-lean"], attft["nginx"], yes(attft["gateway"] <= 1), yes(attft["gw-lean"] <= 1)
    printf "%-34s %10s %10.3f %10.3f %10.3f\n", "added inter-token gap mean (ms)", "-", agap["gateway"], agap["gw-lean"], agap["nginx"]
    print ""
    printf "metrics + access log cost (gateway vs gw-lean): throughput %.2fx of lean, 1-client p99 %+.3f ms, 64-conn p99 %+.3f ms\n",
      avg(rps,"c64","gateway") / avg(rps,"c64","gw-lean"), avg(p99,"c1","gateway") - avg(p99,"c1","gw-lean"),
      avg(p99,"c64","gateway") - avg(p99,"c64","gw-lean")
  }' "$WORK/raw.txt" "$WORK/streams.txt"
echo
echo "gateway = defaults; gw-lean = SAGE_METRICS_ENABLED=false SAGE_ACCESS_LOG_ENABLED=false"
echo "Load generator, engines, proxies and gateways share this machine's CPUs."
versions
