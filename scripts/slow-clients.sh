#!/usr/bin/env bash
# Slow clients against a real server (./winnow serve on the tiny fixture): slowhttptest's slow
# headers (slowloris) and slow bodies (R.U.D.Y.) while a probe measures /health; prints the p50/p99
# of /health with no attack and during each attack, and fails when the server stops answering
# /health or its p99 during an attack exceeds WINNOW_SLOW_P99_MS (default 500 ms).
# Needs slowhttptest (Debian: apt-get install -y slowhttptest); skips with a message without it.
# Usage: scripts/slow-clients.sh [connections (default 1000)] [seconds per attack (default 20)]
set -euo pipefail
cd "$(dirname "$0")/.."
connections="${1:-1000}"
seconds="${2:-20}"
limit_ms="${WINNOW_SLOW_P99_MS:-500}"
if ! command -v slowhttptest > /dev/null; then
  echo "slow-clients: slowhttptest is not installed (apt-get install -y slowhttptest); skipped" >&2
  exit 0
fi
model="${WINNOW_SHARED:-$(pwd)/../shared}/models/tiny-ce-fixture"
[ -d "$model" ] || { echo "slow-clients: $model is missing" >&2; exit 1; }
work="$(mktemp -d)"
port=$(( 20000 + RANDOM % 20000 ))
ulimit -n 20000 2> /dev/null || true
./winnow --version > /dev/null # builds the CLI first when stale
./winnow serve --model "$model" --port "$port" > "$work/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2> /dev/null || true; wait "$server" 2> /dev/null || true; rm -rf "$work"' EXIT
up=0
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$port/health" > /dev/null 2>&1 && { up=1; break; }
  kill -0 "$server" 2> /dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done
[ "$up" = 1 ] || { echo "slow-clients: the server did not answer /health within 60 s" >&2; exit 1; }

# Probes /health every 20 ms for $1 seconds; prints "p50 p99 failures" in milliseconds.
probe() {
  local until=$(( $(date +%s) + $1 )) out="$work/probe.txt" failures=0
  : > "$out"
  while [ "$(date +%s)" -lt "$until" ]; do
    if t=$(curl -s -o /dev/null -m 5 -w '%{http_code} %{time_total}' "http://127.0.0.1:$port/health"); then
      [ "${t%% *}" = 200 ] && echo "${t#* }" >> "$out" || failures=$(( failures + 1 ))
    else
      failures=$(( failures + 1 ))
    fi
    sleep 0.02
  done
  sort -n "$out" | awk -v f="$failures" '{ v[NR] = $1 * 1000 }
    END { if (NR == 0) { print "- - " f; exit }
          i = int(NR * 0.99); if (i < 1) i = 1
          printf "%.1f %.1f %d\n", v[int((NR + 1) * 0.50)], v[i], f }'
}

status=0
report() { # name "p50 p99 failures"
  read -r p50 p99 failures <<< "$2"
  printf '%-38s /health p50 %6s ms  p99 %6s ms  failed probes %s\n' "$1" "$p50" "$p99" "$failures"
  if [ "$failures" != 0 ] || [ "$p99" = - ] || awk -v p="$p99" -v l="$limit_ms" 'BEGIN { exit !(p > l) }'; then
    [ "$1" = "no attack" ] || status=1
  fi
}

report "no attack" "$(probe 5)"
url="http://127.0.0.1:$port/v2/rerank"
# Slow headers: each connection sends a header line every 10 s and never finishes the request.
slowhttptest -H -c "$connections" -r 200 -i 10 -x 24 -p 3 -l "$seconds" -t POST -u "$url" \
  -g -o "$work/headers" > "$work/headers.log" 2>&1 &
attack=$!
sleep 3
report "slow headers ($connections connections)" "$(probe $(( seconds - 5 )))"
wait "$attack" || true
# Slow bodies: a large Content-Length, then a few bytes every 10 s.
slowhttptest -B -c "$connections" -r 200 -i 10 -s 8192 -x 10 -p 3 -l "$seconds" -t POST -f application/json -u "$url" \
  -g -o "$work/bodies" > "$work/bodies.log" 2>&1 &
attack=$!
sleep 3
report "slow bodies ($connections connections)" "$(probe $(( seconds - 5 )))"
wait "$attack" || true
for log in headers bodies; do
  # slowhttptest's CSV: seconds,closed,pending,connected,service available; keep the peak.
  awk -F, -v n="$log" 'NR > 1 && $4 + 0 >= max { max = $4 + 0; line = $0 }
    END { printf "  slow %s: peak %d connections held open (seconds,closed,pending,connected,available: %s)\n", n, max, line }' \
    "$work/$log.csv" 2> /dev/null || echo "  slow $log: no statistics ($(tail -2 "$work/$log.log"))"
done
kill -0 "$server" 2> /dev/null || { echo "slow-clients: the server died" >&2; exit 1; }
report "after the attacks" "$(probe 3)"
[ "$status" = 0 ] && echo "slow-clients: OK (p99 limit ${limit_ms} ms)" || echo "slow-clients: FAIL (p99 limit ${limit_ms} ms)"
exit "$status"
