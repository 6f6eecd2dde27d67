"""A tiny WebSocket echo server (standard library only) that dies on cue: the
target of the `wsspec run --spawn` tests. It echoes text and binary
messages, answers pings and closes like a well-behaved server, and when a
text message equal to "crash" arrives it dies the way --mode says:

  segv   dereference NULL in the thread that read the message (SIGSEGV: a
         plain crash, synchronous, before anything else is sent)
  abort  os.abort() (SIGABRT)
  asan   print an AddressSanitizer-like report to stderr, then exit(1),
         which is what an ASan-instrumented server does
  exit   exit(7) without a word
  hang   stop answering on that connection (but keep it open)
  freeze stop answering on every connection, and never answer a new
         handshake: a hung server

Usage: crashy_server.py --port N [--mode segv|abort|asan|exit|hang|freeze]
The framing follows RFC 6455 section 5.2, written independently of wsspec.
"""
import argparse
import ctypes
import os
import socket
import struct
import sys
import threading
import time

from handshake101 import switching_protocols

FROZEN = threading.Event()

ASAN_REPORT = """=================================================================
=={pid}==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000015 at pc 0x55d1 bp 0x7ffc sp 0x7ffc
READ of size 1 at 0x602000000015 thread T0
    #0 0x55d1 in frame_unmask server.c:42
    #1 0x55d2 in on_message server.c:97
0x602000000015 is located 0 bytes to the right of 5-byte region [0x602000000010,0x602000000015)
SUMMARY: AddressSanitizer: heap-buffer-overflow server.c:42 in frame_unmask
=={pid}==ABORTING
"""


def die(mode):
    sys.stdout.flush()
    if mode == "segv":
        # A real crash, in this thread, now: os.kill(getpid(), SIGSEGV) would
        # let this thread run on (echo, answer the close) until another
        # thread takes the signal, and the death would land after the case.
        ctypes.string_at(0)
    elif mode == "abort":
        os.abort()
    elif mode == "asan":
        sys.stderr.write("some ordinary log line before the crash\n")
        sys.stderr.write(ASAN_REPORT.format(pid=os.getpid()))
        sys.stderr.flush()
        os._exit(1)
    elif mode == "exit":
        os._exit(7)
    elif mode in ("hang", "freeze"):
        if mode == "freeze":
            FROZEN.set()
        while True:
            time.sleep(60)


def recv_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("eof")
        data += chunk
    return data


def send_frame(conn, opcode, payload):
    head = bytes([0x80 | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([n])
    elif n < 65536:
        head += bytes([126]) + struct.pack("!H", n)
    else:
        head += bytes([127]) + struct.pack("!Q", n)
    conn.sendall(head + payload)


def handshake(conn):
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = conn.recv(4096)
        if not chunk:
            raise ConnectionError("eof")
        head += chunk
    if FROZEN.is_set():
        while True:
            time.sleep(60)
    conn.sendall(switching_protocols(head))


def serve(conn, mode):
    try:
        handshake(conn)
        message, message_op = b"", 0
        while True:
            b0, b1 = recv_exact(conn, 2)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", recv_exact(conn, 2))[0]
            elif n == 127:
                n = struct.unpack("!Q", recv_exact(conn, 8))[0]
            key = recv_exact(conn, 4) if b1 & 0x80 else b"\0\0\0\0"
            payload = bytes(b ^ key[i % 4] for i, b in enumerate(recv_exact(conn, n)))
            if opcode == 0x8:
                send_frame(conn, 0x8, payload[:2])
                return
            if opcode == 0x9:
                send_frame(conn, 0xA, payload)
                continue
            if opcode == 0xA:
                continue
            if opcode in (0x1, 0x2):
                message, message_op = payload, opcode
            else:
                message += payload
            if b0 & 0x80:
                if message_op == 0x1 and message == b"crash":
                    die(mode)
                send_frame(conn, message_op, message)
                message = b""
    except (ConnectionError, OSError):
        pass
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--mode", default="segv",
                    choices=["segv", "abort", "asan", "exit", "hang", "freeze"])
    args = ap.parse_args()
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", args.port))
    srv.listen(64)
    print(f"crashy_server listening on {args.port}, mode {args.mode}", flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn, args.mode), daemon=True).start()


if __name__ == "__main__":
    main()
