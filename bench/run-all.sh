#!/usr/bin/env bash
# Every data-plane figure of issue 17 in one run, each beside its goal with yes/no:
#   closed loop (wrk, static nginx upstream): added latency at 1 connection, throughput at 64;
#   open loop (bench/loadgen, 20 ms upstream): added p99 at 2,000 and 5,000 requests/s, highest
#     rate with p99 < 10 ms; streams (64 tokens 20 ms apart): added TTFT and inter-token gap,
#     2,000 concurrent streams; 10,000 idle keep-alive connections and RSS per connection;
#   idle RSS after start, `sage gateway start` to /health; metrics + access log on vs off;
#   embedding (bench/embedding.sh) unless BENCH_EMBEDDING=0.
# Targets: "direct" (the upstream itself), "nginx" (a plain nginx reverse proxy), "gateway"
# (bin/sage gateway start, defaults) and "gw-lean" (metrics and access log off), interleaved.
#
#   ./mvnw -B -q -DskipTests package && bench/run-all.sh
#
# Environment: BENCH_DURATION (s per wrk run, 5), BENCH_ROUNDS (wrk rounds, 2), BENCH_WARMUP (s of
# wrk per gateway before the first measurement, 45), BENCH_OPEN_SECONDS
# (s per open-loop phase, 5), BENCH_SEARCH_RATES (open-loop rate search, requests/s),
# BENCH_STREAMS_MANY (2000), BENCH_IDLE_CONNECTIONS (10000), BENCH_EMBEDDING (1), BENCH_KEEP=1
# keeps the temp dir. Results and the machine's load average go to stdout (docs/benchmarks.md).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/sage-bench-all.XXXXXX")"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
DURATION="${BENCH_DURATION:-5}"
ROUNDS="${BENCH_ROUNDS:-2}"
OPEN_SECONDS="${BENCH_OPEN_SECONDS:-5}"
WARMUP="${BENCH_WARMUP:-45}"
SEARCH_RATES="${BENCH_SEARCH_RATES:-1000,2000,3000,4000,5000,6000,8000,10000,12000,15000}"
STREAMS_MANY="${BENCH_STREAMS_MANY:-2000}"
IDLE_CONNECTIONS="${BENCH_IDLE_CONNECTIONS:-10000}"
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
ensure_commands wrk:wrk nginx:nginx-light curl:curl
command -v nginx >/dev/null 2>&1 || PATH="$PATH:/usr/sbin"
# 10,000 idle connections need as many descriptors in the load generator and in the gateway.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
echo "bench: working in $WORK (load average at start: $LOAD_START)" >&2

# --- the load generator and paced upstream (bench/loadgen, not part of the default build) ---
LOADGEN="$ROOT/bench/loadgen/target"
if [ ! -d "$LOADGEN/lib" ] || [ -n "$(find "$ROOT/bench/loadgen/src" -newer "$LOADGEN/classes" -name '*.java' 2>/dev/null | head -1)" ]; then
  echo "bench: building bench/loadgen" >&2
  (cd "$ROOT" && { ./mvnw -B -q -o -Pbench -pl bench/loadgen -DskipTests package 2>/dev/null \
    || ./mvnw -B -q -Pbench -pl bench/loadgen -DskipTests package; })
fi
LG=(java -XX:+UseSerialGC -Xmx512m -cp "$LOADGEN/classes:$LOADGEN/lib/*" io.sage.bench.BenchMain)

# --- 1. `sage gateway start` to /health, then idle RSS. The first start of a fresh data dir
# (database created, class archive recorded if none exists yet) is reported for information; the
# figure is the second start, as every later start of an installation is. ---
GW_PORT=$(free_port)
mkdir -p "$WORK/gw-default"
time_start() { # prints ms from `sage gateway start` to /health answering 200
  local ms
  ms=$(time_gateway_start "$GW_PORT" "$WORK/gw-default" "$WORK/gateway.start.log")
  echo "${ms%% *}"
}
GATEWAY_DIRS+=("$WORK/gw-default")
FIRST_START_MS=$(time_start)
"$SAGE" gateway stop --data-dir "$WORK/gw-default" --timeout 120 > /dev/null 2>&1
START_MS=$(time_start)
GW_PID=$(cat "$WORK/gw-default/gateway.pid")
sleep 5
IDLE_RSS_KB=$(awk '/^VmRSS:/ { print $2 }' "/proc/$GW_PID/status")
echo "bench: start to /health ${START_MS} ms (first start ${FIRST_START_MS} ms), idle RSS $((IDLE_RSS_KB / 1024)) MB" >&2

# --- upstreams: static nginx (chat completion JSON), paced Netty upstream (20 ms, streams) ---
"${LG[@]}" upstream --port 0 --delay-ms 20 --gap-ms 20 --model slow > "$WORK/paced.log" 2>&1 &
PIDS+=($!)
PACED_PORT=$(port_from_log "$WORK/paced.log")
STATIC_PORT=$(free_port)
NGINX_PORT=$(free_port)
NGINX_SLOW_PORT=$(free_port)
COMPLETION='{"id":"chatcmpl-bench","object":"chat.completion","created":1,"model":"bench","choices":[{"index":0,"message":{"role":"assistant","content":"t0 t1 t2 t3 t4 t5 t6 t7 t8 t9 t10 t11 t12 t13 t14 t15 "},"finish_reason":"stop"}],"usage":{"prompt_tokens":2,"completion_tokens":16,"total_tokens":18}}'
mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp"
cat > "$WORK/nginx/nginx.conf" <<EOF
daemon off;
worker_processes auto;
worker_rlimit_nofile 20000;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 8192; }
http {
  access_log $WORK/nginx/logs/access.log;
  client_body_temp_path $WORK/nginx/tmp/body;
  proxy_temp_path $WORK/nginx/tmp/proxy;
  upstream static_engine { server 127.0.0.1:$STATIC_PORT; keepalive 64; }
  upstream slow_engine { server 127.0.0.1:$PACED_PORT; keepalive 512; }
  # the upstream: an OpenAI-shaped engine answering from memory, no access log
  server {
    listen 127.0.0.1:$STATIC_PORT;
    access_log off;
    keepalive_requests 1000000;
    default_type application/json;
    location = /health { return 200 '{"status":"ok"}'; }
    location = /v1/models { return 200 '{"object":"list","data":[{"id":"bench","object":"model"}]}'; }
    location / { return 200 '$COMPLETION'; }
  }
  # the reference proxies: plain reverse proxy, upstream keep-alive, no buffering
  server {
    listen 127.0.0.1:$NGINX_PORT;
    keepalive_requests 1000000;
    location / {
      proxy_pass http://static_engine;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
  server {
    listen 127.0.0.1:$NGINX_SLOW_PORT;
    keepalive_requests 1000000;
    location / {
      proxy_pass http://slow_engine;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
EOF
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" > "$WORK/nginx/stdout.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$STATIC_PORT/health" 10
wait_http "http://127.0.0.1:$NGINX_PORT/health" 10

# --- the second gateway (metrics and access log off); both serve both engines ---
LEAN_PORT=$(free_port)
mkdir -p "$WORK/gw-lean"
env SAGE_METRICS_ENABLED=false SAGE_ACCESS_LOG_ENABLED=false \
  "$SAGE" gateway start --port "$LEAN_PORT" --data-dir "$WORK/gw-lean" > "$WORK/gw-lean.start.log" 2>&1 \
  || { echo "bench: gateway gw-lean did not start:" >&2; cat "$WORK/gw-lean.start.log" >&2; exit 2; }
GATEWAY_DIRS+=("$WORK/gw-lean")
for pair in "$GW_PORT:$WORK/gw-default" "$LEAN_PORT:$WORK/gw-lean"; do
  register_engine "http://127.0.0.1:${pair%%:*}" "${pair#*:}" bench "http://127.0.0.1:$STATIC_PORT" llm
  register_engine "http://127.0.0.1:${pair%%:*}" "${pair#*:}" slow "http://127.0.0.1:$PACED_PORT" llm
done

declare -A STATIC=([direct]="http://127.0.0.1:$STATIC_PORT" [nginx]="http://127.0.0.1:$NGINX_PORT"
  [gateway]="http://127.0.0.1:$GW_PORT" [gw-lean]="http://127.0.0.1:$LEAN_PORT")
declare -A SLOW=([direct]="http://127.0.0.1:$PACED_PORT" [nginx]="http://127.0.0.1:$NGINX_SLOW_PORT"
  [gateway]="http://127.0.0.1:$GW_PORT")
AUTH="${BENCH_INFERENCE_AUTH:-X-Bench: run-all}"
BODY='{"model":"bench","max_tokens":16,"messages":[{"role":"user","content":"benchmark request"}]}'
SLOW_BODY='{"model":"slow","max_tokens":16,"messages":[{"role":"user","content":"benchmark request"}]}'
STREAM_BODY='{"model":"slow","stream":true,"max_tokens":64,"messages":[{"role":"user","content":"benchmark stream"}]}'
cat > "$WORK/wrk.lua" <<EOF
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["${AUTH%%:*}"] = "${AUTH#*: }"
EOF
for name in direct nginx gateway gw-lean; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "${STATIC[$name]}/v1/chat/completions" \
    -H 'Content-Type: application/json' -H "$AUTH" -d "$BODY")
  [ "$code" = 200 ] || { echo "bench: $name answered $code" >&2; exit 2; }
done

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

# --- 2. closed loop, static upstream ---
# The JVM's JIT takes well over a minute of load on 2 cores to compile the request path (C2
# was still compiling ~25 methods/s minutes into a loaded run): the gateways are warmed up for WARMUP seconds
# each, so the figures are the steady state a long-running server has, not its first seconds.
echo "bench: wrk warm-up (untimed, ${WARMUP}s per gateway)" >&2
for name in direct nginx gateway gw-lean; do
  seconds=3
  case "$name" in gateway | gw-lean) seconds="$WARMUP" ;; esac
  wrk -t2 -c64 -d"${seconds}s" -s "$WORK/wrk.lua" "${STATIC[$name]}/v1/chat/completions" > /dev/null
  wrk -t1 -c1 -d2s -s "$WORK/wrk.lua" "${STATIC[$name]}/v1/chat/completions" > /dev/null
done
for round in $(seq 1 "$ROUNDS"); do
  for mode in c1 c64; do
    for name in direct nginx gateway gw-lean; do
      echo "bench: wrk round $round/$ROUNDS $mode $name" >&2
      if [ "$mode" = c1 ]; then args="-t1 -c1"; else args="-t2 -c64"; fi
      # shellcheck disable=SC2086
      wrk $args -d"${DURATION}s" --latency -s "$WORK/wrk.lua" "${STATIC[$name]}/v1/chat/completions" \
        > "$WORK/wrk-$mode-$name-$round.txt"
      echo "$round $mode $name $(parse_wrk "$WORK/wrk-$mode-$name-$round.txt")" >> "$WORK/wrk.txt"
    done
  done
done

# --- 3. open loop, 20 ms upstream ---
for rate in 2000 5000; do
  for name in direct nginx gateway; do
    echo "bench: open loop $rate/s $name" >&2
    "${LG[@]}" open --label "fixed-$name" --url "${SLOW[$name]}/v1/chat/completions" --rates "$rate" \
      --duration "$OPEN_SECONDS" --warmup 2 --connections 512 --body "$SLOW_BODY" --header "$AUTH" \
      >> "$WORK/open.txt"
  done
done
for name in nginx gateway; do
  echo "bench: open-loop rate search $name ($SEARCH_RATES)" >&2
  "${LG[@]}" open --label "search-$name" --url "${SLOW[$name]}/v1/chat/completions" \
    --rates "$SEARCH_RATES" --duration 3 --warmup 1 --connections 1024 --stop-p99-ms 10 \
    --body "$SLOW_BODY" --header "$AUTH" >> "$WORK/open.txt"
done

# --- 4. streams: latency at 16 concurrent, then many concurrent ---
for name in direct nginx gateway; do
  echo "bench: streams x16 $name" >&2
  "${LG[@]}" streams --label "latency-$name" --url "${SLOW[$name]}/v1/chat/completions" \
    --concurrency 16 --total 96 --ramp-ms 300 --body "$STREAM_BODY" --header "$AUTH" >> "$WORK/streams.txt"
done
for name in direct nginx gateway; do
  echo "bench: $STREAMS_MANY concurrent streams $name" >&2
  "${LG[@]}" streams --label "many-$name" --url "${SLOW[$name]}/v1/chat/completions" --threads 2 \
    --concurrency "$STREAMS_MANY" --total "$STREAMS_MANY" --ramp-ms 2000 --body "$STREAM_BODY" \
    --header "$AUTH" >> "$WORK/streams.txt"
done

# --- 5. idle keep-alive connections held by the gateway, RSS per connection ---
echo "bench: $IDLE_CONNECTIONS idle connections on the gateway" >&2
JCMD="$(command -v jcmd || true)"
"${LG[@]}" idle --label idle-gateway --url "http://127.0.0.1:$GW_PORT/health" \
  --connections "$IDLE_CONNECTIONS" --pid "$GW_PID" --jcmd "$JCMD" --hold-s 5 >> "$WORK/idle.txt"

# --- 6. embedding ---
if [ "${BENCH_EMBEDDING:-1}" = 1 ]; then
  echo "bench: embedding (bench/embedding.sh)" >&2
  BENCH_EMBED_RESULT="$WORK/embedding.txt" "$ROOT/bench/embedding.sh" > "$WORK/embedding.out" 2>"$WORK/embedding.err" \
    || { echo "bench: embedding.sh failed:" >&2; tail -5 "$WORK/embedding.err" >&2; }
fi
LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- report ---
echo
echo "SAGE data-plane benchmark, issue 17  ($(date -u '+%Y-%m-%d %H:%M UTC'))"
echo "load average (1/5/15 min): $LOAD_START at the start, $LOAD_END at the end; $(nproc) CPUs shared by all processes"
echo
echo "wrk (round mode target p50_ms p99_ms req/s errors):"
sed 's/^/  /' "$WORK/wrk.txt"
echo "open loop (label rate achieved count errors p50 p90 p99 p99.9 max [ms]):"
sed 's/^/  /' "$WORK/open.txt"
echo "streams (label ok bad gaps>200ms ttft_p50 ttft_p99 gap_mean gap_p50 gap_p99 gap_max [ms]):"
sed 's/^/  /' "$WORK/streams.txt"
echo "idle (label answered answered_again rss_before_kb rss_held_kb kb_per_connection):"
sed 's/^/  /' "$WORK/idle.txt"
[ -f "$WORK/embedding.txt" ] && { echo "embedding (target single/s p50 p99 batch32/s p50 p99):"; sed 's/^/  /' "$WORK/embedding.txt"; }
echo
touch "$WORK/embedding.txt"
awk -v start_ms="$START_MS" -v first_ms="$FIRST_START_MS" -v idle_kb="$IDLE_RSS_KB" -v many="$STREAMS_MANY" -v idle_n="$IDLE_CONNECTIONS" '
  FILENAME ~ /wrk.txt$/ { k = $2 SUBSEP $3; p50[k] += $4; p99[k] += $5; rps[k] += $6; err[k] += $7; n[k]++; next }
  FILENAME ~ /open.txt$/ {
    split($1, l, "-"); kind = l[1]; t = substr($1, length(kind) + 2)
    if (kind == "fixed") { op99[$2 SUBSEP t] = $8; oerr[$2 SUBSEP t] = $5 + 0; oach[$2 SUBSEP t] = $3 }
    else if ($5 == 0 && $8 < 10) best[t] = $2 + 0
    next }
  FILENAME ~ /streams.txt$/ { s[$1, "ok"] = $2; s[$1, "bad"] = $3; s[$1, "over"] = $4; s[$1, "t50"] = $5
    s[$1, "t99"] = $6; s[$1, "gmean"] = $7; s[$1, "g99"] = $9; s[$1, "gmax"] = $10; next }
  FILENAME ~ /idle.txt$/ { held = $3; perkb = $6; next }
  FILENAME ~ /embedding.txt$/ { es[$1] = $2; eb[$1] = $5; next }
  function a(arr, m, t) { return n[m SUBSEP t] ? arr[m SUBSEP t] / n[m SUBSEP t] : 0 }
  function yes(c) { return c ? "yes" : "NO" }
  function line(figure, goal, gw, ng, met) { printf "%-52s %-12s %12s %12s  %s\n", figure, goal, gw, ng, met }
  function f(v, d) { return sprintf("%." d "f", v) }
  END {
    line("figure", "goal", "gateway", "nginx", "met")
    g50 = a(p50, "c1", "gateway") - a(p50, "c1", "direct"); n50 = a(p50, "c1", "nginx") - a(p50, "c1", "direct")
    g99 = a(p99, "c1", "gateway") - a(p99, "c1", "direct"); n99 = a(p99, "c1", "nginx") - a(p99, "c1", "direct")
    line("added p50 at 1 connection (ms)", "<= 0.1", f(g50, 3), f(n50, 3), yes(g50 <= 0.1))
    line("added p99 at 1 connection (ms)", "<= 0.5", f(g99, 3), f(n99, 3), yes(g99 <= 0.5))
    gs = a(rps, "c64", "gateway") / a(rps, "c64", "direct"); ns = a(rps, "c64", "nginx") / a(rps, "c64", "direct")
    line("throughput at 64 connections, share of direct", ">= nginx", f(gs, 2), f(ns, 2), yes(gs >= ns))
    werr = 0; for (k in err) werr += err[k]
    line("wrk errors (non-2xx + socket), all targets", "0", werr, "", yes(werr == 0))
    for (r = 2000; r <= 5000; r += 3000) {
      goal = r == 2000 ? 1 : 2
      ga = op99[r SUBSEP "gateway"] - op99[r SUBSEP "direct"]; na = op99[r SUBSEP "nginx"] - op99[r SUBSEP "direct"]
      e = oerr[r SUBSEP "gateway"]
      line("open loop " r "/s: added p99 (ms)", "<= " goal, f(ga, 3), f(na, 3), yes(ga <= goal && e == 0))
      line("open loop " r "/s: errors / achieved rate", "0", e " / " f(oach[r SUBSEP "gateway"], 0), oerr[r SUBSEP "nginx"] " / " f(oach[r SUBSEP "nginx"], 0), yes(e == 0))
    }
    line("open loop: highest rate with p99 < 10 ms (req/s)", "report", best["gateway"] + 0, best["nginx"] + 0, "-")
    t50 = s["latency-gateway", "t50"] - s["latency-direct", "t50"]; nt50 = s["latency-nginx", "t50"] - s["latency-direct", "t50"]
    t99 = s["latency-gateway", "t99"] - s["latency-direct", "t99"]; nt99 = s["latency-nginx", "t99"] - s["latency-direct", "t99"]
    gg = s["latency-gateway", "g99"] - s["latency-direct", "g99"]; ng = s["latency-nginx", "g99"] - s["latency-direct", "g99"]
    line("stream added TTFT p50 (ms)", "<= 0.3", f(t50, 3), f(nt50, 3), yes(t50 <= 0.3))
    line("stream added TTFT p99 (ms)", "<= 1", f(t99, 3), f(nt99, 3), yes(t99 <= 1))
    line("stream added inter-token gap p99 (ms)", "<= 0.05", f(gg, 3), f(ng, 3), yes(gg <= 0.05))
    mok = s["many-gateway", "ok"] + 0; mbad = s["many-gateway", "bad"] + 0; mover = s["many-gateway", "over"] + 0
    line(many " concurrent streams: intact / broken", many " / 0", mok " / " mbad, (s["many-nginx", "ok"] + 0) " / " (s["many-nginx", "bad"] + 0), yes(mok == many && mbad == 0))
    line(many " concurrent streams: gaps > 200 ms (max ms)", "0", mover " (" f(s["many-gateway", "gmax"], 0) ")", (s["many-nginx", "over"] + 0) " (" f(s["many-nginx", "gmax"], 0) ")", yes(mover == 0))
    line(idle_n " idle keep-alive connections held", idle_n, held + 0, "", yes(held == idle_n))
    line("RSS per idle connection (KB)", "<= 10", f(perkb, 1), "", yes(perkb <= 10))
    line("idle RSS after start (MB)", "<= 150", f(idle_kb / 1024, 0), "", yes(idle_kb / 1024 <= 150))
    line("sage gateway start to /health (s)", "<= 1.5", f(start_ms / 1000, 2), "", yes(start_ms <= 1500))
    line("  first start of a fresh data dir (s)", "-", f(first_ms / 1000, 2), "", "-")
    cost = a(rps, "c64", "gateway") / a(rps, "c64", "gw-lean")
    line("metrics + access log on: throughput vs off", ">= 0.95", f(cost, 2), "", yes(cost >= 0.95))
    if ("direct" in es) {
      line("embedding engine / in-process, single", ">= 0.9", f(es["direct"] / es["in-process"], 2), "", yes(es["direct"] / es["in-process"] >= 0.9))
      line("embedding engine / in-process, batch 32", ">= 0.9", f(eb["direct"] / eb["in-process"], 2), "", yes(eb["direct"] / eb["in-process"] >= 0.9))
      line("embedding gateway / engine, single", ">= 0.95", f(es["gateway"] / es["direct"], 2), "", yes(es["gateway"] / es["direct"] >= 0.95))
      line("embedding gateway / engine, batch 32", ">= 0.95", f(eb["gateway"] / eb["direct"], 2), "", yes(eb["gateway"] / eb["direct"] >= 0.95))
    }
  }' "$WORK/wrk.txt" "$WORK/open.txt" "$WORK/streams.txt" "$WORK/idle.txt" "$WORK/embedding.txt"
echo
echo "direct = the upstream itself (static nginx for wrk, bench/loadgen's paced upstream for open"
echo "loop and streams); gateway = defaults; gw-lean = SAGE_METRICS_ENABLED=false SAGE_ACCESS_LOG_ENABLED=false."
versions
