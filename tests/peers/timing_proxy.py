"""A TCP proxy in front of a correct WebSocket server (`wsspec serve`, the
strict reference server) that changes only *when* the server's octets reach
the client, never what they are: the target of the timing tests of issue 8
(items 2, 6 and 7). Whatever the upstream server does right stays right
through the proxy, since RFC 6455 sets no time limit on an echo, a pong, a
close reply or a TCP close; only the timing the client sees is changed:

  --echo-delay S   every data message of the server (the first frame of a
                   text or binary message) is held S seconds before it goes
                   out, one after the other: a server that takes S seconds
                   per message (100 pipelined messages take 100 * S)
  --trickle        every frame head (RFC 6455 section 5.2: the 2 to 14
                   octets before the payload) goes out in segments of 1 to
                   3 octets, --trickle-gap S apart (TCP_NODELAY: one
                   segment per write)
  --close-delay S  the server's close frame is held S seconds
  --quick-close close|reset
                   right after the server's close frame is out (the answer
                   to the first bad frame, or to the client's close),
                   close the client's TCP connection at once (`close`: FIN,
                   or RST when client octets are still unread, as Linux
                   does), or reset it (`reset`: SO_LINGER 0, RST), instead
                   of the lingering close of the upstream server. Octets the
                   client sends after that are never read.
  --stall-first N  the first N connections never get the server's close
                   frame (nor anything after it): a server that answers a
                   close only on a later try, as one stalled by load would.

Frames are parsed from RFC 6455 section 5.2, independently of wsspec's
codec. Prints its port on the first stdout line.

Usage: timing_proxy.py --upstream PORT [--echo-delay S] [--trickle
       [--trickle-gap S]] [--close-delay S] [--quick-close close|reset]
       [--stall-first N]
"""
import argparse
import random
import signal
import socket
import struct
import sys
import threading
import time

CHUNK = 64 * 1024
STALLS = {"left": 0, "lock": threading.Lock()}


def take_stall():
    """Whether this connection is one of the --stall-first N."""
    with STALLS["lock"]:
        if STALLS["left"] > 0:
            STALLS["left"] -= 1
            return True
    return False


class Closed(Exception):
    """The upstream server closed (or reset) its side."""


class Reader:
    """Exact reads from the upstream socket."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def take(self, n):
        while len(self.buf) < n:
            data = self.sock.recv(CHUNK)
            if not data:
                raise Closed()
            self.buf += data
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def take_some(self, most):
        """Up to `most` octets (at least one)."""
        if not self.buf:
            data = self.sock.recv(min(most, CHUNK))
            if not data:
                raise Closed()
            return data
        out, self.buf = self.buf[:most], self.buf[most:]
        return out

    def head(self):
        """The HTTP response head, up to and with its blank line."""
        while b"\r\n\r\n" not in self.buf:
            data = self.sock.recv(CHUNK)
            if not data:
                raise Closed()
            self.buf += data
        end = self.buf.index(b"\r\n\r\n") + 4
        out, self.buf = self.buf[:end], self.buf[end:]
        return out


class Conn:
    def __init__(self, client, args, seed):
        self.client = client
        self.args = args
        self.rng = random.Random(seed)
        self.upstream = socket.create_connection(("127.0.0.1", args.upstream))
        for s in (self.client, self.upstream):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.cut = False  # the client's connection was closed by us

    def client_to_server(self):
        try:
            while True:
                data = self.client.recv(CHUNK)
                if not data:
                    self.upstream.shutdown(socket.SHUT_WR)
                    return
                self.upstream.sendall(data)
        except OSError:
            pass

    def write_head(self, head):
        if not self.args.trickle:
            self.client.sendall(head)
            return
        i = 0
        while i < len(head):
            n = self.rng.randint(1, 3)
            self.client.sendall(head[i:i + n])
            i += n
            if i < len(head):
                time.sleep(self.args.trickle_gap)

    def cut_client(self):
        """Close the client's connection now (see --quick-close)."""
        self.cut = True
        if self.args.quick_close == "reset":
            self.client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # SHUT_RD sends nothing and wakes the thread blocked in recv(), so
        # that close() below really closes (a socket in use by a blocked
        # call is only released when the call returns).
        try:
            self.client.shutdown(socket.SHUT_RD)
        except OSError:
            pass
        self.client.close()
        self.upstream.close()

    def server_to_client(self):
        r = Reader(self.upstream)
        head = r.head()
        self.client.sendall(head)
        if not head.startswith(b"HTTP/1.1 101"):
            while True:  # not a WebSocket: the rest as it comes
                self.client.sendall(r.take_some(CHUNK))
        while True:
            h = r.take(2)
            opcode, n = h[0] & 0x0F, h[1] & 0x7F
            if n == 126:
                h += r.take(2)
                n = struct.unpack("!H", h[2:])[0]
            elif n == 127:
                h += r.take(8)
                n = struct.unpack("!Q", h[2:])[0]
            if h[1] & 0x80:
                h += r.take(4)
            if opcode in (0x1, 0x2) and self.args.echo_delay:
                time.sleep(self.args.echo_delay)
            if opcode == 0x8 and take_stall():
                return  # nothing more for this client: run() waits for it to leave
            if opcode == 0x8 and self.args.close_delay:
                time.sleep(self.args.close_delay)
            self.write_head(h)
            while n:
                data = r.take_some(min(n, CHUNK))
                self.client.sendall(data)
                n -= len(data)
            if opcode == 0x8 and self.args.quick_close:
                self.cut_client()
                return

    def run(self):
        pump = threading.Thread(target=self.client_to_server, daemon=True)
        pump.start()
        try:
            self.server_to_client()
        except Closed:
            try:
                self.client.shutdown(socket.SHUT_WR)  # the server's FIN, passed on
            except OSError:
                pass
        except OSError:
            pass
        pump.join()
        if not self.cut:
            self.client.close()
            self.upstream.close()


def serve(conn, args, seed):
    try:
        c = Conn(conn, args, seed)
    except OSError:
        conn.close()
        return
    c.run()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", type=int, required=True)
    ap.add_argument("--echo-delay", type=float, default=0.0)
    ap.add_argument("--close-delay", type=float, default=0.0)
    ap.add_argument("--trickle", action="store_true")
    ap.add_argument("--trickle-gap", type=float, default=0.005)
    ap.add_argument("--quick-close", choices=("close", "reset"))
    ap.add_argument("--stall-first", type=int, default=0)
    args = ap.parse_args()
    STALLS["left"] = args.stall_first
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(256)
    print(ls.getsockname()[1], flush=True)
    seed = 0
    while True:
        conn, _ = ls.accept()
        seed += 1
        threading.Thread(target=serve, args=(conn, args, seed), daemon=True).start()


if __name__ == "__main__":
    main()
