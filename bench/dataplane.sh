#!/usr/bin/env bash
# Data-plane benchmark: direct-to-engine vs through the gateway vs a plain nginx reverse proxy,
# measured interleaved in one run. See docs/benchmarks.md.
#
#   ./mvnw -B -q -DskipTests package && bench/dataplane.sh
#
# Environment: BENCH_DURATION (s per wrk run, default 5), BENCH_ROUNDS (default 2),
# BENCH_STREAMS (streams per target, default 10), BENCH_KEEP=1 keeps the temp dir,
# BENCH_FJP=1 adds a diagnostic gateway "gw-fjp" started with
# JAVA_TOOL_OPTIONS=-Djava.util.concurrent.ForkJoinPool.common.parallelism=2 (see docs/benchmarks.md).
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
GATEWAYS=("$GW_PORT:$WORK/gw-default" "$LEAN_PORT:$WORK/gw-lean")
NAMES=(direct gateway gw-lean nginx)
if [ "${BENCH_FJP:-0}" = 1 ]; then
  FJP_PORT=$(free_port)
  start_gateway gw-fjp "$FJP_PORT" "$WORK/gw-fjp" \
    JAVA_TOOL_OPTIONS=-Djava.util.concurrent.ForkJoinPool.common.parallelism=2
  GATEWAYS+=("$FJP_PORT:$WORK/gw-fjp")
  NAMES+=(gw-fjp)
fi
for pair in "${GATEWAYS[@]}"; do
  register_engine "http://127.0.0.1:${pair%%:*}" "${pair#*:}" bench "http://127.0.0.1:$MOCK_PORT" llm
  register_engine "http://127.0.0.1:${pair%%:*}" "${pair#*:}" stream "http://127.0.0.1:$STREAM_PORT" llm
done
wait_http "http://127.0.0.1:$NGINX_PORT/health" 10

# Targets in interleaving order (NAMES, direct first): URL base, stream URL base, auth header.
declare -A BASE=(
  [direct]="http://127.0.0.1:$MOCK_PORT" [gateway]="http://127.0.0.1:$GW_PORT"
  [gw-lean]="http://127.0.0.1:$LEAN_PORT" [nginx]="http://127.0.0.1:$NGINX_PORT")
declare -A STREAM_BASE=(
  [direct]="http://127.0.0.1:$STREAM_PORT" [gateway]="http://127.0.0.1:$GW_PORT"
  [gw-lean]="http://127.0.0.1:$LEAN_PORT" [nginx]="http://127.0.0.1:$NGINX_STREAM_PORT")
# Inference on a loopback gateway needs no key (sage.auth.inference defaults to optional there);
# the admin key is only used for the management routes. BENCH_INFERENCE_AUTH='Authorization:
# Bearer ...' sends a key on the gateways' inference requests instead.
GW_AUTH="${BENCH_INFERENCE_AUTH:-X-Bench: gateway}"
declare -A AUTH=(
  [direct]="X-Bench: direct" [gateway]="$GW_AUTH" [gw-lean]="$GW_AUTH" [nginx]="X-Bench: nginx")
if [ -n "${FJP_PORT:-}" ]; then
  BASE[gw-fjp]="http://127.0.0.1:$FJP_PORT"
  STREAM_BASE[gw-fjp]="http://127.0.0.1:$FJP_PORT"
  AUTH[gw-fjp]="$GW_AUTH"
fi

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
# The probe sends one header to all targets; a key (if any) is ignored by the mock and nginx.
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
awk -v names="${NAMES[*]}" '
  FNR == NR { k = $2 SUBSEP $3; p50[k] += $4; p99[k] += $5; rps[k] += $6; err[k] += $7; n[k]++; next }
  { tp50[$1] = $2; tp99[$1] = $3; gap[$1] = $4; gap99[$1] = $5 }
  function avg(a, m, t) { return a[m SUBSEP t] / n[m SUBSEP t] }
  function yes(c) { return c ? "yes" : "NO" }
  function head(title,   i) { printf "%-34s", title; for (i = 1; i <= nt; i++) printf " %10s", t[i]; printf "\n" }
  function row(title, a, m, fmt,   i) { printf "%-34s", title; for (i = 1; i <= nt; i++) printf " " fmt, avg(a, m, t[i]); printf "\n" }
  function srow(title, a, fmt,   i) { printf "%-34s", title; for (i = 1; i <= nt; i++) printf " " fmt, a[t[i]]; printf "\n" }
  END {
    nt = split(names, t, " ")
    head("metric")
    row("1 client p50 latency (ms)", p50, "c1", "%10.3f")
    row("1 client p99 latency (ms)", p99, "c1", "%10.3f")
    row("1 client req/s", rps, "c1", "%10.0f")
    row("64 connections req/s", rps, "c64", "%10.0f")
    row("64 connections p50 latency (ms)", p50, "c64", "%10.3f")
    row("64 connections p99 latency (ms)", p99, "c64", "%10.3f")
    srow("stream TTFT p50 (ms)", tp50, "%10.3f")
    srow("stream TTFT p99 (ms)", tp99, "%10.3f")
    srow("stream inter-token gap mean (ms)", gap, "%10.3f")
    srow("stream inter-token gap p99 (ms)", gap99, "%10.3f")
    for (i = 1; i <= nt; i++) errors[t[i]] = err["c1" SUBSEP t[i]] + err["c64" SUBSEP t[i]]
    srow("errors (non-2xx + socket)", errors, "%10d")
    print ""
    for (i = 2; i <= nt; i++) {
      a50[t[i]] = avg(p50,"c1",t[i]) - avg(p50,"c1","direct")
      a99[t[i]] = avg(p99,"c1",t[i]) - avg(p99,"c1","direct")
      ratio[t[i]] = avg(rps,"c64",t[i]) / avg(rps,"c64","direct")
      attft[t[i]] = tp50[t[i]] - tp50["direct"]
      agap[t[i]] = gap[t[i]] - gap["direct"]
      m1[t[i]] = yes(a50[t[i]] <= 0.2); m2[t[i]] = yes(a99[t[i]] <= 1)
      m3[t[i]] = yes(ratio[t[i]] >= 0.7); m4[t[i]] = yes(attft[t[i]] <= 1)
    }
    printf "%-34s %10s", "versus direct (goal)", ""; for (i = 2; i <= nt; i++) printf " %10s", t[i]; printf "\n"
    printf "%-34s %10s", "added p50, 1 client (ms)", "<= 0.2"; for (i = 2; i <= nt; i++) printf " %10.3f", a50[t[i]]; printf "\n"
    printf "%-34s %10s", "  goal met", ""; for (i = 2; i <= nt; i++) printf " %10s", m1[t[i]]; printf "\n"
    printf "%-34s %10s", "added p99, 1 client (ms)", "<= 1"; for (i = 2; i <= nt; i++) printf " %10.3f", a99[t[i]]; printf "\n"
    printf "%-34s %10s", "  goal met", ""; for (i = 2; i <= nt; i++) printf " %10s", m2[t[i]]; printf "\n"
    printf "%-34s %10s", "throughput ratio, 64 connections", ">= 0.70"; for (i = 2; i <= nt; i++) printf " %10.2f", ratio[t[i]]; printf "\n"
    printf "%-34s %10s", "  goal met", ""; for (i = 2; i <= nt; i++) printf " %10s", m3[t[i]]; printf "\n"
    printf "%-34s %10s", "added TTFT p50 (ms)", "<= 1"; for (i = 2; i <= nt; i++) printf " %10.3f", attft[t[i]]; printf "\n"
    printf "%-34s %10s", "  goal met", ""; for (i = 2; i <= nt; i++) printf " %10s", m4[t[i]]; printf "\n"
    printf "%-34s %10s", "added inter-token gap mean (ms)", "-"; for (i = 2; i <= nt; i++) printf " %10.3f", agap[t[i]]; printf "\n"
    print ""
    printf "metrics + access log cost (gateway vs gw-lean): throughput %.2fx of lean, 1-client p99 %+.3f ms, 64-conn p99 %+.3f ms\n",
      avg(rps,"c64","gateway") / avg(rps,"c64","gw-lean"), avg(p99,"c1","gateway") - avg(p99,"c1","gw-lean"),
      avg(p99,"c64","gateway") - avg(p99,"c64","gw-lean")
  }' "$WORK/raw.txt" "$WORK/streams.txt"
echo
echo "gateway = defaults; gw-lean = SAGE_METRICS_ENABLED=false SAGE_ACCESS_LOG_ENABLED=false"
[ -n "${FJP_PORT:-}" ] && echo "gw-fjp = defaults + JAVA_TOOL_OPTIONS=-Djava.util.concurrent.ForkJoinPool.common.parallelism=2"
for name in "${NAMES[@]}"; do
  case "$name" in gateway) dir="$WORK/gw-default" ;; gw-*) dir="$WORK/$name" ;; *) continue ;; esac
  pid=$(cat "$dir/gateway.pid" 2>/dev/null || true)
  [ -n "$pid" ] && command -v jcmd >/dev/null 2>&1 && echo "$name: JVM threads started over the run: $(jcmd "$pid" PerfCounter.print 2>/dev/null | sed -n 's/^java.threads.started=//p'); timed wrk requests: $(cat "$WORK"/wrk-*-"$name"-*.txt | awk '/requests in/ { n += $1 } END { print n }')"
done
echo "Load generator, engines, proxies and gateways share this machine's CPUs."
versions
