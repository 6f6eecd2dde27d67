"""The raw-socket test peers' common part: a listening socket on 127.0.0.1
whose connections each run serve(conn) in a thread of their own, and the
reading of a request head. What each peer answers stays in its test."""
import socket
import threading


class RawServer:
    """Accepts connections until close(); serve(conn) runs for each, in its
    own thread, and the connection is closed when it returns. OSError and
    EOFError in serve end that connection quietly (the client went away)."""

    def __init__(self, serve, backlog=64):
        self.serve = serve
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(backlog)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn):
        with conn:
            try:
                self.serve(conn)
            except (OSError, EOFError):
                pass

    def close(self):
        self.sock.close()


def read_head(conn, ends=(b"\r\n\r\n",)):
    """Reads until one of `ends` (the end of a request head) has arrived.
    Returns (the octets up to and with that end, what followed it in the same
    reads); raises EOFError when the client closed first."""
    data = b""
    while True:
        for end in ends:
            at = data.find(end)
            if at >= 0:
                return data[:at + len(end)], data[at + len(end):]
        chunk = conn.recv(65536)
        if not chunk:
            raise EOFError
        data += chunk
