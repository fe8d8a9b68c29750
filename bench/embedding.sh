#!/usr/bin/env bash
# Embedding benchmark: the plugin's encoder in-process vs the embedding engine directly vs through
# the gateway, interleaved in one run. See docs/benchmarks.md.
#
#   ./mvnw -B -q -DskipTests package && bench/embedding.sh
#
# Environment: BENCH_THREADS (ONNX threads everywhere, default 2), BENCH_SECONDS (per measurement,
# default 4), BENCH_ROUNDS (default 2), BENCH_BATCH_WAIT_MS (engine and in-process batcher wait,
# default 0 = the engine's default), BENCH_GATEWAY_WARMUP (s of the gateway's /v1/embeddings
# against nginx before measuring, default 90; 0 = none), BENCH_KEEP=1 keeps the temp dir.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/sage-bench-embed.XXXXXX")"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
THREADS="${BENCH_THREADS:-2}"
SECONDS_EACH="${BENCH_SECONDS:-4}"
ROUNDS="${BENCH_ROUNDS:-2}"
BATCH_WAIT="${BENCH_BATCH_WAIT_MS:-0}"
GATEWAY_WARMUP="${BENCH_GATEWAY_WARMUP:-90}"
MODEL=bench-embed
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
ensure_commands curl:curl unzip:unzip
echo "bench: working in $WORK" >&2

# The plugin as the gateway would unpack it: classes/ + lib/*.jar, plus the host's slf4j-api.
PLUGIN_ZIP="$DIST/plugins/sage-engine-embedding.zip"
[ -f "$PLUGIN_ZIP" ] || { echo "bench: $PLUGIN_ZIP missing" >&2; exit 2; }
unzip -q "$PLUGIN_ZIP" -d "$WORK/plugin"
SLF4J=$(ls "$DIST"/lib/slf4j-api-*.jar | head -1)
CP="$WORK/plugin/classes:$WORK/plugin/lib/*:$SLF4J"
# The JVM flags EmbeddingEngineRuntime gives the engine, used for the in-process run too.
JVM_FLAGS=(-Xmx512m -XX:+ExitOnOutOfMemoryError "-XX:ActiveProcessorCount=$THREADS"
  "-DDJL_CACHE_DIR=$WORK/djl-cache" -Dai.djl.offline=true)

ENGINE_PORT=$(free_port)
java "${JVM_FLAGS[@]}" -cp "$CP" io.sage.engine.embedding.EmbeddingServerMain \
  --host 127.0.0.1 --port "$ENGINE_PORT" --served-model-name "$MODEL" --threads "$THREADS" \
  --max-batch-size 32 --batch-wait-ms "$BATCH_WAIT" > "$WORK/engine.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$ENGINE_PORT/health" 180

GW_PORT=$(free_port)
start_gateway gateway "$GW_PORT" "$WORK/gw"
register_engine "http://127.0.0.1:$GW_PORT" "$WORK/gw" "$MODEL" "http://127.0.0.1:$ENGINE_PORT" embedding

# The gateway's JIT warmed as a gateway that has served traffic is: its /v1/embeddings path
# (route, auth, proxy, relay, metrics, access log) run GATEWAY_WARMUP seconds at 8 connections
# against nginx answering the engine's own answer for a sentence, registered as a second model.
# A sequential client at ~100 requests/s through the real engine runs the gateway's code a few
# thousand times, far below where the JIT compiles it, and measured the JIT's warm-up instead of
# the gateway: on 2 cores the gateway served this path at ~1,000 requests/s after 20 s and
# ~5,700 after two minutes (docs/benchmarks.md). The engine and the in-process targets warm up
# as before.
if [ "$GATEWAY_WARMUP" -gt 0 ]; then
  ensure_commands wrk:wrk nginx:nginx-light
  command -v nginx >/dev/null 2>&1 || PATH="$PATH:/usr/sbin"
  ANSWER=$(curl -sS -X POST "http://127.0.0.1:$ENGINE_PORT/v1/embeddings" -H 'Content-Type: application/json' \
    -d "{\"model\":\"$MODEL\",\"input\":\"The quick brown fox jumps over the lazy dog.\"}" | sed "s/\"model\":\"$MODEL\"/\"model\":\"warm-embed\"/")
  WARM_PORT=$(free_port)
  mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp"
  printf '%s' "$ANSWER" > "$WORK/nginx/answer.json"
  # nginx's workers drop root's rights: they must be able to reach the file
  chmod 755 "$WORK" "$WORK/nginx"
  chmod 644 "$WORK/nginx/answer.json"
  cat > "$WORK/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/tmp/body;
  server {
    listen 127.0.0.1:$WARM_PORT;
    keepalive_requests 1000000;
    default_type application/json;
    location = /health { return 200 '{"status":"ok"}'; }
    location = /v1/models { return 200 '{"object":"list","data":[{"id":"warm-embed","object":"model"}]}'; }
    # the answer is longer than an nginx parameter may be: a file, served to a POST through the
    # 405 that nginx gives a POST to a file (an error page is fetched with GET)
    location = /answer.json { root $WORK/nginx; }
    location / { error_page 405 =200 /answer.json; return 405; }
  }
}
CONF
  nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" > "$WORK/nginx/stdout.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$WARM_PORT/health" 30
  register_engine "http://127.0.0.1:$GW_PORT" "$WORK/gw" warm-embed "http://127.0.0.1:$WARM_PORT" embedding
  cat > "$WORK/warm.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"model":"warm-embed","input":"The quick brown fox jumps over the lazy dog."}'
wrk.headers["Content-Type"] = "application/json"
LUA
  echo "bench: warming the gateway's /v1/embeddings for ${GATEWAY_WARMUP}s" >&2
  wrk -t1 -c8 -d"${GATEWAY_WARMUP}s" -s "$WORK/warm.lua" "http://127.0.0.1:$GW_PORT/v1/embeddings" \
    > "$WORK/warm.txt"
  grep -E "Requests/sec|Non-2xx" "$WORK/warm.txt" | sed 's/^/bench: warm-up /' >&2
  if grep -q "Non-2xx" "$WORK/warm.txt"; then
    echo "bench: the gateway's warm-up got errors; see $WORK/warm.txt" >&2
    exit 2
  fi
  kill "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null || true
fi

java "${JVM_FLAGS[@]}" -cp "$CP" "$ROOT/bench/EmbeddingBench.java" --threads "$THREADS" \
  --batch-wait-ms "$BATCH_WAIT" --seconds "$SECONDS_EACH" --rounds "$ROUNDS" --model "$MODEL" \
  --header "${BENCH_INFERENCE_AUTH:-X-Bench: embedding}" \
  "direct=http://127.0.0.1:$ENGINE_PORT/v1/embeddings" \
  "gateway=http://127.0.0.1:$GW_PORT/v1/embeddings" > "$WORK/result.txt"
# bench/run-all.sh reads the raw figures from here
[ -n "${BENCH_EMBED_RESULT:-}" ] && cp "$WORK/result.txt" "$BENCH_EMBED_RESULT"

echo
echo "SAGE embedding benchmark  ($(date -u '+%Y-%m-%d %H:%M UTC'); all-MiniLM-L6-v2, $THREADS ONNX threads, batch wait ${BATCH_WAIT} ms, ${ROUNDS} rounds x ${SECONDS_EACH}s, interleaved, 1 sequential client on one kept-alive connection, gateway warmed ${GATEWAY_WARMUP}s)"
awk '
  { name[NR] = $1; ss[$1] = $2; s50[$1] = $3; s99[$1] = $4; bs[$1] = $5; b50[$1] = $6; b99[$1] = $7 }
  function yes(c) { return c ? "yes" : "NO" }
  END {
    printf "%-12s %14s %10s %10s %14s %10s %10s\n", "target", "single sent/s", "p50 ms", "p99 ms", "batch32 sent/s", "p50 ms", "p99 ms"
    for (i = 1; i <= NR; i++) { t = name[i]
      printf "%-12s %14.1f %10.3f %10.3f %14.1f %10.3f %10.3f\n", t, ss[t], s50[t], s99[t], bs[t], b50[t], b99[t] }
    print ""
    printf "%-44s %8s %8s %8s %s\n", "ratio", "goal", "single", "batch32", "  met (single / batch32)"
    printf "%-44s %8s %8.2f %8.2f   %s / %s\n", "gateway / direct", ">= 0.95", ss["gateway"] / ss["direct"], bs["gateway"] / bs["direct"], yes(ss["gateway"] / ss["direct"] >= 0.95), yes(bs["gateway"] / bs["direct"] >= 0.95)
    printf "%-44s %8s %8.2f %8.2f   %s / %s\n", "direct / in-process (same batcher and wait)", ">= 0.90", ss["direct"] / ss["in-process"], bs["direct"] / bs["in-process"], yes(ss["direct"] / ss["in-process"] >= 0.9), yes(bs["direct"] / bs["in-process"] >= 0.9)
    printf "%-44s %8s %8.2f %8.2f\n", "direct / encoder (no batcher, no wait)", "-", ss["direct"] / ss["encoder"], bs["direct"] / bs["encoder"]
  }' "$WORK/result.txt"
echo
echo "encoder = io.sage.engine.embedding.server.TextEncoder called directly; in-process = the same"
echo "encoder behind the engine's MicroBatcher (batch wait ${BATCH_WAIT} ms), i.e. the engine minus HTTP/JSON."
echo "Load generator, engine and gateway share this machine's CPUs."
versions | grep -v -e '^wrk' -e '^nginx'
