#!/usr/bin/env bash
# Memory-exhaustion attacks on a real server with a 1 GB heap (./winnow serve -Xmx1g on the tiny
# fixture, with an index), each bounded in time, while a probe measures /health every 20 ms:
#   1. 200 connections each declaring an 8 MiB body and trickling a byte every 0.5 s;
#   2. 8 concurrent 8 MiB bodies of empty objects ({"documents":[{},{},...]}, 2.8 M elements),
#      sent again as soon as each is answered;
#   3. 4 concurrent searches whose answer would be 40 documents of 5 MB.
# Prints, per attack, the server's heap after the attack's bytes arrived (jcmd GC.heap_info), the
# statuses answered and /health p50/p99; fails when any answer is a 5xx, the server logs an
# OutOfMemoryError, or /health p99 exceeds WINNOW_HEALTH_P99_MS (default 100 ms) during an attack.
# Usage: scripts/bounded-memory.sh [seconds per attack (default 15)]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-15}"
limit_ms="${WINNOW_HEALTH_P99_MS:-100}"
model="${WINNOW_SHARED:-$(pwd)/../shared}/models/tiny-ce-fixture"
[ -d "$model" ] || { echo "bounded-memory: $model is missing" >&2; exit 1; }
work="$(mktemp -d)"
port=$(( 20000 + RANDOM % 20000 ))
ulimit -n 4096 2> /dev/null || true
./winnow --version > /dev/null # builds the CLI first when stale
WINNOW_JAVA_OPTS="-Xmx1g" ./winnow serve --model "$model" --index "$work/index" --port "$port" \
  > "$work/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2> /dev/null || true; wait "$server" 2> /dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$port/health" > /dev/null 2>&1 && break
  kill -0 "$server" 2> /dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done
jvm=$(pgrep -P "$server" java || echo "$server") # ./winnow execs java: usually the same pid

python3 - "$port" "$seconds" "$limit_ms" "$jvm" "$work/server.log" <<'PY'
import json, socket, subprocess, sys, threading, time, urllib.request, urllib.error
port, seconds, limit_ms, jvm, log = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
base = f"http://127.0.0.1:{port}"
failed = False

def request(method, path, body=None, timeout=60):
    req = urllib.request.Request(base + path, data=body, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        e.read()
        return e.code
    except Exception:
        return 0  # connection refused, reset or timed out

def heap_mib():
    out = subprocess.run(["jcmd", jvm, "GC.heap_info"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if "used" in line and ("heap" in line.lower() or "garbage-first" in line.lower()):
            for part in line.replace(",", " ").split():
                if part.endswith("K") and part[:-1].isdigit():
                    return int(part[:-1]) / 1024
    return float("nan")

class Probe(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.times, self.failures, self.stop = [], 0, False
    def run(self):
        while not self.stop:
            t = time.perf_counter()
            ok = request("GET", "/health", timeout=5) == 200
            (self.times.append((time.perf_counter() - t) * 1000) if ok else None)
            self.failures += 0 if ok else 1
            time.sleep(0.02)
    def summary(self):
        v = sorted(self.times) or [float("nan")]
        return v[len(v) // 2], v[max(0, int(len(v) * 0.99) - 1)], self.failures

def attack(name, body):
    global failed
    probe = Probe(); probe.start()
    statuses, heap = body()
    probe.stop = True; probe.join()
    p50, p99, fails = probe.summary()
    fives = sum(n for s, n in statuses.items() if s >= 500)
    print(f"{name:58s} peak heap used {heap:7.1f} MiB  statuses {dict(sorted(statuses.items()))}  "
          f"/health p50 {p50:.1f} ms p99 {p99:.1f} ms failed {fails}")
    if fives or fails or not p99 <= limit_ms:
        failed = True

def count(statuses, s):
    statuses[s] = statuses.get(s, 0) + 1

def trickle():
    statuses, socks = {}, []
    head = (b"POST /v2/rerank HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 8388608\r\n\r\n{")
    for _ in range(200):
        s = socket.create_connection(("127.0.0.1", port)); s.sendall(head); socks.append(s)
    end, heap = time.time() + seconds, 0.0
    while time.time() < end:
        for s in socks:
            try: s.sendall(b" ")
            except OSError: pass
        heap = max(heap, heap_mib())
        time.sleep(0.5)
    for s in socks:
        s.settimeout(1)
        try:
            line = s.recv(64).split(b"\r\n")[0].split()
            count(statuses, int(line[1]) if len(line) > 1 else 0)
        except OSError:
            count(statuses, 0)
        s.close()
    return statuses, heap

def amplification():
    body = b'{"query":"q","documents":[{}' + b",{}" * 2_796_000 + b"]}"
    statuses, lock, heap = {}, threading.Lock(), [0.0]
    end = time.time() + seconds
    def client():
        while time.time() < end:
            s = request("POST", "/v2/rerank", body)
            with lock: count(statuses, s)
    def sample():
        while time.time() < end:
            heap[0] = max(heap[0], heap_mib()); time.sleep(1)
    ts = [threading.Thread(target=client) for _ in range(8)] + [threading.Thread(target=sample)]
    [t.start() for t in ts]; [t.join() for t in ts]
    return statuses, heap[0]

def big_answers():
    text = "w " * 2_500_000
    for i in range(8):
        request("POST", "/v1/documents", json.dumps({"documents": [{"id": f"big{i}", "text": text}]}).encode())
    statuses, lock, heap = {}, threading.Lock(), [0.0]
    end = time.time() + seconds
    def client():
        while time.time() < end:
            s = request("POST", "/v1/search", b'{"query":"w","top_n":40,"rerank":false}')
            with lock: count(statuses, s)
    ts = [threading.Thread(target=client) for _ in range(4)]
    [t.start() for t in ts]
    while any(t.is_alive() for t in ts):
        heap[0] = max(heap[0], heap_mib()); time.sleep(1)
    return statuses, heap[0]

probe = Probe(); probe.start(); time.sleep(3); probe.stop = True; probe.join()
p50, p99, fails = probe.summary()
print(f"{'no attack':58s} peak heap used {heap_mib():7.1f} MiB  /health p50 {p50:.1f} ms p99 {p99:.1f} ms failed {fails}")
attack("200 connections declaring 8 MiB, trickling", trickle)
attack("8 concurrent 8 MiB bodies of 2.8 M empty objects", amplification)
attack("4 concurrent searches, 40 x 5 MB documents", big_answers)
oom = "OutOfMemoryError" in open(log, errors="replace").read()
print("OutOfMemoryError in the server log:", "yes" if oom else "no")
sys.exit(1 if failed or oom else 0)
PY
