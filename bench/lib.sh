# Shared helpers for the benchmark scripts (sourced, not run).
# Expects ROOT (repository root) and WORK (a fresh temp dir) to be set by the caller.

DIST="$ROOT/dist/target/sage"
SAGE="$DIST/bin/sage"

require_dist() {
  if [ ! -x "$SAGE" ] || [ ! -d "$DIST/plugins" ]; then
    echo "bench: $DIST is missing; build the distribution first:" >&2
    echo "  ./mvnw -B -q -DskipTests package" >&2
    exit 2
  fi
}

# Installs Debian packages for the commands that are missing (needs root or sudo).
ensure_commands() {
  local missing=() cmd pkg
  for pair in "$@"; do
    cmd="${pair%%:*}"
    pkg="${pair#*:}"
    command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "bench: installing ${missing[*]} with apt-get" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y "${missing[@]}" >/dev/null 2>&1 \
    || { $sudo apt-get update >/dev/null 2>&1 && $sudo apt-get install -y "${missing[@]}" >/dev/null; } \
    || { echo "bench: could not install ${missing[*]}; install them and rerun" >&2; exit 2; }
}

# A TCP port nobody listens on right now (best effort: bash's /dev/tcp, no extra tools).
free_port() {
  # below the kernel's ephemeral range: wrk's connections and the 10,000 idle ones take (and leave
  # in TIME_WAIT) local ports in that range, where a server's bind then fails
  local port low
  low=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  [ "$low" -gt 12000 ] 2>/dev/null || low=32768
  for _ in $(seq 1 200); do
    port=$(( 10000 + RANDOM % (low - 10000) ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "bench: no free port found" >&2
  exit 2
}

# Waits until a log file contains "listening on H:P" and prints P.
port_from_log() {
  local log="$1" port=""
  for _ in $(seq 1 300); do
    port=$(grep -o 'listening on [0-9.]*:[0-9]*' "$log" 2>/dev/null | head -1 | sed 's/.*://' || true)
    [ -n "$port" ] && { echo "$port"; return 0; }
    sleep 0.1
  done
  echo "bench: nothing listening according to $log:" >&2
  tail -5 "$log" >&2
  exit 2
}

# Waits until GET url answers 200.
wait_http() {
  local url="$1" seconds="${2:-120}"
  for _ in $(seq 1 $(( seconds * 4 ))); do
    curl -sf -o /dev/null "$url" && return 0
    sleep 0.25
  done
  echo "bench: $url did not answer 200 within ${seconds}s" >&2
  exit 2
}

# Runs `$SAGE gateway start` on PORT and DIR (its output to LOG) and prints "<ms until /health
# answered 200> <ms until the command returned>", polling every 10 ms for at most 120 s.
time_gateway_start() {
  local port="$1" dir="$2" log="$3" t0 t1 t2 pid
  t0=$(date +%s%N)
  "$SAGE" gateway start --port "$port" --data-dir "$dir" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 12000); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/health" && break
    sleep 0.01
  done
  t1=$(date +%s%N)
  wait "$pid" || { echo "bench: gateway did not start:" >&2; cat "$log" >&2; exit 2; }
  t2=$(date +%s%N)
  echo "$(((t1 - t0) / 1000000)) $(((t2 - t0) / 1000000))"
}

# The Authorization header for a gateway's admin routes, when the gateway wrote an admin key.
admin_header() {
  local data_dir="$1"
  if [ -f "$data_dir/admin.key" ]; then
    echo "Authorization: Bearer $(tr -d '[:space:]' < "$data_dir/admin.key")"
  else
    echo "X-Bench: no-admin-key"
  fi
}

# Starts a gateway: start_gateway NAME PORT DATA_DIR [ENV=VALUE ...]
start_gateway() {
  local name="$1" port="$2" data_dir="$3"
  shift 3
  mkdir -p "$data_dir"
  if ! env "$@" "$SAGE" gateway start --port "$port" --data-dir "$data_dir" > "$WORK/$name.start.log" 2>&1; then
    echo "bench: gateway $name did not start:" >&2
    cat "$WORK/$name.start.log" >&2
    exit 2
  fi
  GATEWAY_DIRS+=("$data_dir")
}

# Registers a remote engine on a gateway and waits until it is READY:
# register_engine GATEWAY_URL DATA_DIR MODEL BASE_URL KIND
register_engine() {
  local url="$1" data_dir="$2" model="$3" base="$4" kind="$5" auth answer id state=""
  auth="$(admin_header "$data_dir")"
  answer=$(curl -sS -X POST "$url/v1/management/engines/register" -H "$auth" \
    -H 'Content-Type: application/json' \
    -d "{\"model\":\"$model\",\"base_url\":\"$base\",\"engine_kind\":\"$kind\"}")
  id=$(echo "$answer" | grep -o '"id":"[^"]*"' | head -1 | sed 's/"id":"//; s/"$//')
  if [ -z "$id" ]; then
    echo "bench: registering $model at $url failed: $answer" >&2
    exit 2
  fi
  for _ in $(seq 1 240); do
    state=$(curl -sS "$url/v1/management/engines/$id" -H "$auth" | grep -o '"state":"[A-Z_]*"' | head -1 || true)
    [ "$state" = '"state":"READY"' ] && return 0
    sleep 0.25
  done
  echo "bench: engine $id ($model) on $url not READY after 60 s ($state)" >&2
  exit 2
}

stop_gateways() {
  for dir in "${GATEWAY_DIRS[@]}"; do
    "$SAGE" gateway stop --data-dir "$dir" --force --timeout 30 >/dev/null 2>&1 || true
  done
}

versions() {
  echo "wrk:    $(wrk -v 2>&1 | head -1 | sed 's/ Copyright.*//' || true)"
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] && echo "nginx:  $( (nginx -v 2>&1 || /usr/sbin/nginx -v 2>&1) | head -1)"
  echo "java:   $(java -version 2>&1 | sed -n 2p)"
  echo "kernel: $(uname -r)"
  echo "cpus:   $(nproc)"
  echo "load:   $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min, at the end of the run)"
  echo "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
}
