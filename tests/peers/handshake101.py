"""The one opening-handshake answer the raw-socket test peers share: a 101
for a request head, with Sec-WebSocket-Accept computed as 6455:4.2.2 says
(SHA-1 of the key + the GUID, base64)."""
import base64
import hashlib

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def switching_protocols(head):
    """The 101 response (bytes) to the request head `head` (bytes)."""
    key = b""
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"sec-websocket-key":
            key = value.strip()
    accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
    return (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")
