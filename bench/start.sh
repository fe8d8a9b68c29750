#!/usr/bin/env bash
# `sage gateway start` to /health answering, the start-time goal of issue 17 (docs/benchmarks.md).
# Per round: a fresh data dir and a fresh class-archive cache (XDG_CACHE_HOME), then
#   first  - the first start of that data dir (database created, class archive recorded),
#   second - a start of the same data dir after `sage gateway stop` (archive mapped),
#   fresh  - a start of a second, fresh data dir with the archive already made (what every
#            gateway of the e2e suite is after the suite's first).
# Each figure is the wall time from running `bin/sage gateway start` until GET /health answers 200
# (curl every 10 ms), and until the command itself returned. Knobs: BENCH_ROUNDS (3); the
# gateway's own flags as always through SAGE_GATEWAY_JAVA_OPTS (the e2e tests set
# -XX:TieredStopAtLevel=1); BENCH_DIST another distribution folder. Every gateway started here is stopped on exit.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d)"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
# BENCH_DIST: another assembled distribution (e.g. a copy of the previous build, to compare)
DIST="${BENCH_DIST:-$DIST}"
SAGE="$DIST/bin/sage"
require_dist
ROUNDS="${BENCH_ROUNDS:-3}"
DIRS=()
cleanup() {
  for dir in "${DIRS[@]}"; do
    "$SAGE" gateway stop --data-dir "$dir" --force --timeout 60 >/dev/null 2>&1 || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

# prints "<ms to /health> <ms until the command returned>"
time_start() {
  time_gateway_start "$(free_port)" "$1" "$WORK/start.log"
}

stop() {
  "$SAGE" gateway stop --data-dir "$1" --timeout 120 >/dev/null 2>&1
}

FIRST=() SECOND=() FRESH=()
for round in $(seq 1 "$ROUNDS"); do
  export XDG_CACHE_HOME="$WORK/cache-$round"
  a="$WORK/a-$round" b="$WORK/b-$round"
  DIRS+=("$a" "$b")
  first=$(time_start "$a")
  stop "$a"
  second=$(time_start "$a")
  stop "$a"
  fresh=$(time_start "$b")
  stop "$b"
  echo "round $round: first $first, second $second, fresh $fresh (ms to /health, ms to return)"
  FIRST+=("${first%% *}") SECOND+=("${second%% *}") FRESH+=("${fresh%% *}")
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo "median ms to /health: first $(median "${FIRST[@]}"), second $(median "${SECOND[@]}"), fresh $(median "${FRESH[@]}") (goal 1500; load average $(cut -d' ' -f1-3 /proc/loadavg))"
