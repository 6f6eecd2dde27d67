#!/usr/bin/env bash
# fuzz_network.sh: throughput of the network fuzzer (`wsspec fuzz`) against
# the reference server, next to two floors measured in the same run on the
# same machine (this shared machine's load changes from run to run, the
# ratios much less):
#   bare     a minimal client loop (tests/peers-free Python, raw sockets):
#            connect, opening handshake, one masked text frame echoed, close
#            handshake, TCP close; one connection at a time, JOBS processes
#   floor    `wsspec fuzz --no-mutate` with one seed case of the same shape
#            (echo one text message, close): the fuzzer's own loop (runner,
#            judge, oracles) without mutation
#   fuzz     `wsspec fuzz` with mutation on the default seeds (needs the
#            mutator and the RFC oracle), else --no-mutate on the default seeds
# Prints inputs/s and connections/s of each and the ratios to bare.
#
# Usage: bench/fuzz_network.sh [SECONDS] [JOBS]   (defaults 10 and 2)
# Environment: WSSPEC (default build/wsspec).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
jobs=${2:-2}
bin=${WSSPEC:-build/wsspec}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wsspec-fuzzbench.XXXXXX")
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# ---- bare: a minimal client loop against `wsspec serve` -------------------------------
"$bin" serve --port 0 --quiet >"$tmp/port" &
server=$!
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(head -n 1 "$tmp/port")
cat >"$tmp/bare.py" <<'PY'
import os, socket, struct, sys, time
port, secs = int(sys.argv[1]), float(sys.argv[2])
req = (b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
       b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
       b"Sec-WebSocket-Version: 13\r\n\r\n" % port)
def frame(op, payload):
    key = b"\x12\x34\x56\x78"
    masked = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return bytes([0x80 | op, 0x80 | len(payload)]) + key + masked
def read_frame(s, buf):
    while len(buf) < 2 or len(buf) < 2 + (buf[1] & 0x7f):
        chunk = s.recv(4096)
        if not chunk:
            raise EOFError
        buf += chunk
    n = 2 + (buf[1] & 0x7f)
    return buf[:n], buf[n:]
text = frame(0x1, b"wsspec fuzz bench")
close = frame(0x8, struct.pack("!H", 1000))
end, count = time.monotonic() + secs, 0
while time.monotonic() < end:
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(req)
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(4096)
    assert head.startswith(b"HTTP/1.1 101"), head
    buf = head.split(b"\r\n\r\n", 1)[1]
    s.sendall(text)
    echo, buf = read_frame(s, buf)
    s.sendall(close)
    reply, buf = read_frame(s, buf)
    s.close()
    count += 1
print(count)
PY
total=0
pids=()
for i in $(seq "$jobs"); do
    /usr/bin/python3 "$tmp/bare.py" "$port" "$secs" >"$tmp/bare.$i" &
    pids+=($!)
done
wait "${pids[@]}"
for i in $(seq "$jobs"); do
    total=$((total + $(cat "$tmp/bare.$i")))
done
kill "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true
server=
bare_rate=$(awk -v n="$total" -v s="$secs" 'BEGIN { printf "%.1f", n / s }')

# ---- the fuzzer ---------------------------------------------------------------------
cat >"$tmp/echo.json" <<'JSON'
{"group": "bench", "title": "one echo",
 "cases": [{"name": "echo", "title": "A text message is echoed", "rfc": ["6455:6.1"],
            "requirement": "6455:5.6 \"Data frames carry application-layer data.\"",
            "steps": [{"send_message": {"opcode": "text", "payload": "wsspec fuzz bench"}},
                      {"wait": {"for": "message"}}, {"send_close": {"code": 1000}}],
            "outcomes": [{"verdict": "pass",
                          "events": [{"message": {"opcode": "text",
                                                  "payload": "wsspec fuzz bench"}}],
                          "close": {"by": "us"}}]}]}
JSON
rate() { # summary.json -> "inputs/s connections/s"
    /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["rates"]; \
print("%.1f %.1f" % (d["inputs_per_s"], d["connections_per_s"]))' "$1"
}
"$bin" fuzz --no-mutate --case-file "$tmp/echo.json" --time "$secs" -j "$jobs" -q \
    --out "$tmp/floor" >/dev/null
read -r floor_in floor_conn < <(rate "$tmp/floor/summary.json")
mode=mutate
if ! "$bin" fuzz --time "$secs" -j "$jobs" -q --out "$tmp/fuzz" >/dev/null 2>"$tmp/fuzz.err"; then
    if grep -q "no mutator" "$tmp/fuzz.err"; then
        mode=no-mutate
        "$bin" fuzz --no-mutate --time "$secs" -j "$jobs" -q --out "$tmp/fuzz" >/dev/null || true
    fi
fi
read -r fuzz_in fuzz_conn < <(rate "$tmp/fuzz/summary.json")

echo "wsspec fuzz network bench: ${secs} s each, -j $jobs, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %12s %14s %10s\n' "" "inputs/s" "connections/s" "vs bare"
printf '%-34s %12s %14s %10s\n' "bare loop (python, $jobs procs)" "$bare_rate" "$bare_rate" "1.00"
printf '%-34s %12s %14s %10s\n' "fuzz --no-mutate, one echo case" "$floor_in" "$floor_conn" \
    "$(awk -v a="$floor_conn" -v b="$bare_rate" 'BEGIN { printf "%.2f", a / b }')"
printf '%-34s %12s %14s %10s\n' "fuzz ($mode, default seeds)" "$fuzz_in" "$fuzz_conn" \
    "$(awk -v a="$fuzz_conn" -v b="$bare_rate" 'BEGIN { printf "%.2f", a / b }')"
