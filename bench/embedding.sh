#!/usr/bin/env bash
# Embedding benchmark: the plugin's encoder in-process vs the embedding engine directly vs through
# the gateway, interleaved in one run. See docs/benchmarks.md.
#
#   ./mvnw -B -q -DskipTests package && bench/embedding.sh
#
# Environment: BENCH_THREADS (ONNX threads everywhere, default 2), BENCH_SECONDS (per measurement,
# default 4), BENCH_ROUNDS (default 2), BENCH_BATCH_WAIT_MS (engine and in-process batcher wait,
# default 5 = the engine's default), BENCH_KEEP=1 keeps the temp dir.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/sage-bench-embed.XXXXXX")"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
THREADS="${BENCH_THREADS:-2}"
SECONDS_EACH="${BENCH_SECONDS:-4}"
ROUNDS="${BENCH_ROUNDS:-2}"
BATCH_WAIT="${BENCH_BATCH_WAIT_MS:-0}"
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

java "${JVM_FLAGS[@]}" -cp "$CP" "$ROOT/bench/EmbeddingBench.java" --threads "$THREADS" \
  --batch-wait-ms "$BATCH_WAIT" --seconds "$SECONDS_EACH" --rounds "$ROUNDS" --model "$MODEL" \
  --header "${BENCH_INFERENCE_AUTH:-X-Bench: embedding}" \
  "direct=http://127.0.0.1:$ENGINE_PORT/v1/embeddings" \
  "gateway=http://127.0.0.1:$GW_PORT/v1/embeddings" > "$WORK/result.txt"
# bench/run-all.sh reads the raw figures from here
[ -n "${BENCH_EMBED_RESULT:-}" ] && cp "$WORK/result.txt" "$BENCH_EMBED_RESULT"

echo
echo "SAGE embedding benchmark  ($(date -u '+%Y-%m-%d %H:%M UTC'); all-MiniLM-L6-v2, $THREADS ONNX threads, batch wait ${BATCH_WAIT} ms, ${ROUNDS} rounds x ${SECONDS_EACH}s, interleaved, 1 sequential client)"
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
