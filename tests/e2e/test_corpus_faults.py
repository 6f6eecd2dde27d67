"""Proof that the cases have teeth.

(a) Against the strict reference server (`wsspec serve`) the whole corpus
    passes.
(b) Against `wsspec serve --fault F`, for every fault, every case of the RFC
    rule F breaks does not pass, and a sample of unrelated cases still does.
    The cases of a rule are named below by selectors (ids and globs, tags,
    Autobahn ids, RFC sections) chosen from the RFC sentence and the case
    files, never from what a run printed.
(c) Every case is claimed by some fault's rule (so some fault fails it), or is
    informational by design, or is listed in TOOTHLESS with the reason no
    fault can fail it.
(d) The faults only a fuzzer finds (FUZZ_ONLY) fail no case: against each, the
    whole corpus gets the verdicts it gets against the strict server
    (tests/e2e/test_fuzz_faults.py shows one-field mutants that reach them).

A selector group is resolved with `wsspec list --json`; its CLI lists are
ANDed and the entries of one list ORed (harness/load/select.h), so a group that
needs two tags at once says so with `all_tags`."""
import fnmatch
import functools
import os
import select
import subprocess
import time

import pytest

from conftest import ROOT, Process, scaled, wsspec_bin
from wsrun import list_cases, results, summary, wsspec

CASES_DIR = str(ROOT / "cases")

# The faults `wsspec serve --fault list` prints. A new fault must get a rule
# below before this file passes again.
FAULTS = [
    "accept-unmasked", "ignore-rsv", "accept-reserved-opcode", "accept-long-control",
    "accept-fragmented-control", "accept-bad-continuation", "no-utf8-check",
    "utf8-check-at-end", "accept-bad-close-code", "accept-bad-close-reason", "no-close-reply",
    "no-pong", "pong-wrong-payload", "wrong-accept-key",
    "mask-server-frames", "accept-bad-version", "ignore-message-limit", "echo-after-close",
    "client-closes-tcp", "echo-altered", "utf8-check-per-frame", "accept-non-minimal-length",
    "accept-any-request", "keep-context", "ignore-server-window-bits", "corrupt-deflate",
    "accept-rsv1-continuation", "accept-rsv1-control", "respond-unoffered-param",
    "accept-invalid-offer", "inflate-unbounded",
]

FAIL = frozenset({"FAIL"})
NON_STRICT = frozenset({"non-strict"})
INFO = frozenset({"info"})


class Sel:
    """One selector group: `wsspec list` arguments, then tag filters."""

    def __init__(self, *args, all_tags=(), no_tags=()):
        self.args = tuple(args)
        self.all_tags = frozenset(all_tags)
        self.no_tags = frozenset(no_tags)

    def __repr__(self):
        extra = f" +{sorted(self.all_tags)}" if self.all_tags else ""
        extra += f" -{sorted(self.no_tags)}" if self.no_tags else ""
        return f"[{' '.join(self.args)}{extra}]"


class Rule:
    """What a fault breaks and the cases that prove it.

    fails: (group, verdicts) pairs; every case of the group must end with one
        of the verdicts. These cases count as having teeth in (c).
    incidental: the same, for cases the fault breaks only as a side effect
        (every case's closing handshake, say); not counted in (c).
    keep: groups of unrelated cases that must still pass.
    jobs: -j of the run. A case the fault breaks mostly waits (close_timeout
        for a close that never comes, a deadline for a pong), idle, so the
        runs use more jobs than the CPU-bound strict run's 4.
    """

    def __init__(self, rule, fails=(), incidental=(), keep=(), serve=(), run=(), jobs=16):
        self.rule = rule
        self.fails = list(fails)
        self.incidental = list(incidental)
        self.keep = list(keep)
        self.serve = tuple(serve)
        self.run = tuple(run)
        self.jobs = jobs


def ab(*ids):
    """`--autobahn ID` for each id (the option takes one value)."""
    return [w for i in ids for w in ("--autobahn", i)]


# Unrelated cases: echoes of every kind, a ping, a clean close. A fault whose
# rule covers one of these must name its own sample.
DATA_SAMPLE = Sel("framing.text-length-125", "framing.binary-length-65536",
                  "fragmentation.text-2-fragments-frame-wise", "utf8-sequences.kosme",
                  "pings.ping-text", "close.close-code-reason")
# Cases in which the server fails the connection itself, so a fault in the
# closing handshake it answers does not touch them.
FAILING_SAMPLE = Sel("reserved-bits.rsv3-text", "opcodes.opcode-3", "pings.ping-126",
                     "utf8-sequences.surrogate-ud800")

# The closing handshake started by us with a valid close frame, where the
# case's outcome is `exact` (no degradation: a wrong code or a late TCP close
# does not match at all): Autobahn 7.1.1-7.1.5, 7.3.1, 7.3.3-7.3.5, 7.7.x.
CLOSING_EXACT = [
    Sel(*ab("7.1.1", "7.1.2", "7.1.3", "7.1.4", "7.1.5", "7.3.1", "7.3.3", "7.3.4", "7.3.5",
            "7.7.*")),
    Sel("chop1.close-valid-*"),
    Sel("utf8-extra.close-reason-valid-*"),
]
# More cases of the closing handshake (any valid code in the reply passes,
# a late TCP close lowers the verdict to non-strict).
CLOSING_LENIENT = [
    Sel("close-codes.valid-*"),
    Sel("close-codes.reason-*", all_tags=("valid",)),
    Sel("control-interleave.close-*"),
]
# Cases whose outcome requires a pong: a ping (or several) while the
# connection is open, before anything that fails it.
PONG_REQUIRED = [
    Sel("--tag", "ping", "--tag", "empty-ping", "--exclude", "after-close",
        "--exclude", "close.ping-after-close", no_tags=("fail", "non-minimal")),
    Sel("--autobahn", "2.9"),                     # unsolicited pong, then a ping
    Sel("floods.pongs-100-then-ping"),
    Sel("lengths.rfc-example-masked-ping"),       # 6455:5.7's masked "Hello" ping
    Sel("utf8-extra.invalid-after-ping-*"),       # the pong comes before the 1007
    Sel("masking.unmasked-after-ping"),           # ... before the 1002
]
# The same, minus the cases whose pings are all empty: an empty pong is right.
PONG_PAYLOAD = [Sel(*g.args, all_tags=g.all_tags, no_tags=g.no_tags | {"empty-ping"})
                for g in PONG_REQUIRED]

# The groups of cases/deflate-params.json by what their accepted offer
# asks of the server.
DEFLATE_SERVER_NCT = ("server-no-context-takeover", "server-no-context-window-9",
                      "server-no-context-window-15", "three-offers")
DEFLATE_CONTEXT_KEPT = ("default", "server-window-9", "server-window-15")
DEFLATE_SERVER_WINDOW_9 = ("server-window-9", "server-no-context-window-9", "three-offers")
DEFLATE_WINDOW_15 = ("default", "server-window-15", "server-no-context-window-15")

RULES = {
    "accept-unmasked": Rule(
        '6455:5.1 "The server MUST close the connection upon receiving a frame that is not '
        'masked."',
        fails=[(Sel("--tag", "unmasked", "--tag", "masking", "--exclude", "after-close",
                    all_tags=("fail",)), FAIL)],
        keep=[DATA_SAMPLE]),
    "ignore-rsv": Rule(
        '6455:5.2 "If a nonzero value is received and none of the negotiated extensions '
        'defines the meaning of such a nonzero value, the receiving endpoint MUST _Fail the '
        'WebSocket Connection_."',
        fails=[(Sel("--autobahn", "3.*"), FAIL),
               (Sel("--tag", "reserved-bits", "--exclude", "after-close"), FAIL)],
        keep=[DATA_SAMPLE]),
    "accept-reserved-opcode": Rule(
        '6455:5.2 "If an unknown opcode is received, the receiving endpoint MUST _Fail the '
        'WebSocket Connection_."',
        fails=[(Sel("--autobahn", "4.*"), FAIL),
               (Sel("--tag", "opcodes", "--exclude", "after-close"), FAIL)],
        keep=[DATA_SAMPLE]),
    "accept-long-control": Rule(
        '6455:5.5 "All control frames MUST have a payload length of 125 bytes or less"',
        # A 126-octet ping; a close of code + 124 octets of reason = 126.
        fails=[(Sel(*ab("2.5", "7.3.6")), FAIL),
               (Sel("*.ping-126*", "*.reason-124-*", "--exclude", "after-close"), FAIL),
               (Sel("pings.pong-126", "pings.ping-65536-len64"), FAIL)],
        keep=[DATA_SAMPLE]),
    "accept-fragmented-control": Rule(
        '6455:5.5 "All control frames ... MUST NOT be fragmented."',
        # Autobahn 5.2 (a fragmented pong) is over-determined: see TOOTHLESS.
        fails=[(Sel("--autobahn", "5.1"), FAIL), (Sel("*.ping-fragmented"), FAIL),
               (Sel("fragmentation.close-fragmented"), FAIL)],
        keep=[DATA_SAMPLE]),
    "accept-bad-continuation": Rule(
        '6455:5.4 "A fragmented message consists of a single frame with the FIN bit clear and '
        'an opcode other than 0, followed by zero or more frames with the FIN bit clear and the '
        'opcode set to 0, and terminated by a single frame with the FIN bit set and an opcode '
        'of 0."',
        fails=[(Sel("--tag", "continuation", "--exclude", "after-close"), FAIL),
               (Sel("--autobahn", "5.18"), FAIL)],            # text frame inside a text message
        keep=[DATA_SAMPLE]),
    "no-utf8-check": Rule(
        '6455:8.1 "When an endpoint is to interpret a byte stream as UTF-8 but finds that the '
        'byte stream is not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the '
        'WebSocket Connection_."',
        # Invalid text messages; close reasons are accept-bad-close-reason's.
        fails=[(Sel("--tag", "utf8", "--exclude", "after-close", all_tags=("fail", "text")),
                FAIL)],
        keep=[DATA_SAMPLE, Sel("utf8-sequences.noncharacter-ufffe", "utf8.kosme-1-octet-fragments")]),
    "utf8-check-at-end": Rule(
        '6455:8.1 as no-utf8-check, checked as the octets arrive: the fail-fast cases (Autobahn '
        '6.4) record a failure only once the message is complete as informational (8.1 does '
        'not say when).',
        fails=[(Sel("--tag", "fail-fast"), INFO)],
        keep=[DATA_SAMPLE, Sel("utf8-sequences.surrogate-ud800")]),
    "accept-bad-close-code": Rule(
        '6455:7.4.1/7.4.2 (codes 0-999, 1004-1006, 1015, 1016-2999 unused or reserved; 5000 and '
        'up outside the registry of 11.7; 1010 "is not used by the server") and 5.5.1 "the '
        'first two bytes of the body MUST be a 2-byte unsigned integer"',
        # A code a sender must not use binds only the sender (us): answering it
        # normally is recorded as informational, and echoing it fails, since the
        # peer then sends the code itself (cases/README.md, "One verdict for one
        # behaviour"); the fault echoes every code it can put in a close frame.
        # A 1-octet body cannot be parsed at all.
        fails=[(Sel("--tag", "close-code", all_tags=("fail",)), FAIL | INFO),
               (Sel("close.close-payload-1-octet"), FAIL),
               (Sel(*ab("7.13.*")), FAIL | INFO),     # 5000 and 65535
               (Sel("close-codes.payload-1-octet-*"), FAIL)],
        # 1010 "is not used by the server" states no requirement: the fault's
        # echo of it passes as any valid answer does.
        keep=[DATA_SAMPLE, Sel("*.valid-1010*", "*.valid-code-1010")]),
    "accept-bad-close-reason": Rule(
        '6455:5.5.1 "Following the 2-byte integer, the body MAY contain UTF-8-encoded data" '
        'with 8.1: a reason that is not UTF-8 fails the connection.',
        fails=[(Sel("--tag", "reason", all_tags=("utf8", "fail")), FAIL),
               (Sel("--autobahn", "7.5.1"), FAIL)],
        keep=[DATA_SAMPLE]),
    "no-close-reply": Rule(
        '6455:5.5.1 "If an endpoint receives a Close frame and did not previously send a Close '
        'frame, the endpoint MUST send a Close frame in response."',
        fails=[(g, FAIL) for g in CLOSING_EXACT + CLOSING_LENIENT],
        # The cases about what follows the handshake need its reply too.
        incidental=[(Sel("after-close"), FAIL), (Sel("framing.text-length-0"), FAIL)],
        keep=[FAILING_SAMPLE]),
    "no-pong": Rule(
        '6455:5.5.2 "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in '
        'response, unless it already received a Close frame."',
        fails=[(g, FAIL) for g in PONG_REQUIRED],
        keep=[Sel("framing.text-length-125", "framing.binary-length-65536",
                  "fragmentation.text-2-fragments-frame-wise", "close.close-code-reason",
                  "pings.unsolicited-pong-payload")],
        # A case waiting for a pong that never comes runs to its deadline.
        run=("--timeout", "2")),
    "pong-wrong-payload": Rule(
        '6455:5.5.3 "A Pong frame sent in response to a Ping frame must have identical '
        '"Application data" as found in the message body of the Ping frame being replied to."',
        fails=[(Sel(*g.args, "--exclude", "pings.ping-empty", all_tags=g.all_tags,
                    no_tags=g.no_tags), FAIL) for g in PONG_PAYLOAD],
        keep=[Sel("framing.text-length-125", "pings.ping-empty",
                  "control-interleave.empty-ping-before-fragment-2-of-3")]),
    "wrong-accept-key": Rule(
        '6455:4.2.2 "/accept/ ... The server would then take the SHA-1 hash of this, giving '
        'the value [...]. This value is then base64-encoded", which the client checks (4.1 '
        '"the client MUST _Fail the WebSocket Connection_")',
        # The handshakes about the key itself; every other case that opens a
        # connection fails as well, which says nothing about what it checks.
        fails=[(Sel("handshake.baseline"), FAIL),
               (Sel("--tag", "key", all_tags=("handshake", "valid")), FAIL)],
        incidental=[(Sel("framing", "pings", "close", "masking.zero-key-text"), FAIL),
                    (Sel("handshake", all_tags=("valid",)), FAIL)],
        # Requests the server refuses never see an accept key.
        keep=[Sel("handshake.key-missing", "handshake.method-post", "handshake.version-12")]),
    "mask-server-frames": Rule(
        '6455:5.1 "A server MUST NOT mask any frames that it sends to the client."',
        # Every case in which the server sends a frame. The peer left inside a
        # frame may legally send nothing at all (lengths.declared-*-sent-10-*).
        # A refused handshake has no frames at all.
        incidental=[(Sel("--exclude", "limits", "--exclude", "lengths.declared-*-sent-10-*",
                         no_tags=("invalid", "malformed")), FAIL)]),
    "accept-bad-version": Rule(
        '6455:4.2.2 "If this version does not match a version understood by the server, the '
        'server MUST abort the WebSocket handshake described in this section and instead send '
        'an appropriate HTTP error code (such as 426 Upgrade Required)"',
        fails=[(Sel("handshake", "--tag", "version", "--exclude", "handshake.version-draft-*",
                    all_tags=("invalid",)), FAIL),
               # Drafts 7 and 8 are registered versions a server may also speak:
               # accepting them is informational by design.
               (Sel("handshake.version-draft-*"), frozenset({"info"}))],
        keep=[DATA_SAMPLE, Sel("handshake.version-with-whitespace", "handshake.key-missing")]),
    "ignore-message-limit": Rule(
        '6455:10.4 "Such an implementation SHOULD impose a limit on frame sizes and the total '
        'message size after reassembly from multiple frames" with 7.4.1 1009; the fault drops '
        'TCP at its 1 GiB cap instead of sending 1009',
        fails=[(Sel("lengths.len64-max-valid-binary"), NON_STRICT)],
        keep=[DATA_SAMPLE, Sel("limits.text-16mib", "limits.binary-4mib-fragments-64")]),
    "echo-after-close": Rule(
        '6455:5.5.1 "The application MUST NOT send any more data frames after sending a Close '
        'frame."',
        # A complete data message arrives after our close frame.
        fails=[(Sel("after-close", "--tag", "text", "--tag", "binary"), FAIL),
               (Sel("after-close.fragmented-message-after-close"), FAIL),
               (Sel("--autobahn", "7.1.4"), FAIL),
               (Sel("control-interleave.close-*"), FAIL)],
        keep=[FAILING_SAMPLE]),
    "client-closes-tcp": Rule(
        '6455:7.1.1 "The underlying TCP connection, in most normal cases, SHOULD be closed first '
        'by the server"',
        fails=[(g, NON_STRICT) for g in CLOSING_EXACT + CLOSING_LENIENT],
        incidental=[(Sel("framing.text-length-0",
                         "after-close.binary-after-close"), NON_STRICT)],
        keep=[FAILING_SAMPLE],
        jobs=40),  # ~40 cases, each waiting close_timeout for a TCP close
    "keep-context": Rule(
        '7692:7.2.1 "If the "agreed parameters" contain the "server_no_context_takeover" '
        'extension parameter, the server MUST start compressing each new message with an empty '
        'LZ77 sliding window."; the fault keeps the window from message to message',
        # Every series whose accepted offer has server_no_context_takeover:
        # the second echo refers into the first, which an inflater reset per
        # message always finds (whatever the size: the reference precedes
        # the message start).
        fails=[(Sel(*[f"deflate-params.{g}-*" for g in DEFLATE_SERVER_NCT]), FAIL)],
        keep=[DATA_SAMPLE, Sel(*[f"deflate-params.{g}-*" for g in DEFLATE_CONTEXT_KEPT])]),
    "ignore-server-window-bits": Rule(
        '7692:7.1.2.1: server_max_window_bits limits "the LZ77 sliding window size that the '
        'server will use to compress messages"; the fault compresses with 2^15 after agreeing '
        'to 2^9',
        # Messages of 4096 units and more: the window-15 echo then has
        # distances above 2^10, which an inflater of 2^9 always refuses
        # (pmd_stream.c: distances between 2^9 and 2^10 are caught only when
        # they reach past what one zlib call wrote, so smaller messages are
        # left out).
        fails=[(Sel(*[f"deflate-params.{g}-{n}*" for g in DEFLATE_SERVER_WINDOW_9
                      for n in (4096, 8192, 16384, 32768, 65536, 131072)]), FAIL)],
        keep=[DATA_SAMPLE, Sel(*[f"deflate-params.{g}-*" for g in DEFLATE_WINDOW_15])]),
    "corrupt-deflate": Rule(
        '7692:7.2.1 "Compress all the octets of the payload of the message using DEFLATE."; '
        'the fault sends echoes whose first block has BTYPE 11, reserved by RFC 1951 3.2.3',
        fails=[(Sel("deflate-payloads.*", "deflate-params.*"), FAIL)],
        keep=[DATA_SAMPLE, FAILING_SAMPLE]),
    "accept-rsv1-continuation": Rule(
        '7692:6.1 "An endpoint MUST NOT set the "Per-Message Compressed" bit of control frames '
        'and non-first fragments of a data message. An endpoint receiving such a frame MUST '
        '_Fail the WebSocket Connection_."; the fault reads RSV1 on a continuation as clear',
        fails=[(Sel("deflate-frames.rsv1-continuation",
                    "deflate-frames.rsv1-continuation-of-uncompressed"), FAIL)],
        keep=[DATA_SAMPLE, Sel("deflate-frames.rsv1-ping", "deflate-frames.rsv1-close")]),
    "accept-rsv1-control": Rule(
        '7692:6.1 (as above); the fault reads RSV1 on a control frame as clear',
        fails=[(Sel("deflate-frames.rsv1-ping", "deflate-frames.rsv1-pong",
                    "deflate-frames.rsv1-close", "deflate-frames.rsv1-ping-compressed-payload",
                    "deflate-frames.rsv1-ping-inside-compressed-message"), FAIL)],
        keep=[DATA_SAMPLE, Sel("deflate-frames.rsv1-continuation")]),
    "respond-unoffered-param": Rule(
        '7692:7.1.2.2 "If a received extension negotiation offer doesn\'t have the '
        '"client_max_window_bits" extension parameter, the corresponding extension negotiation '
        'response to the offer MUST NOT include the "client_max_window_bits" extension '
        'parameter."; the fault answers client_max_window_bits=15 to such offers',
        # Offers without client_max_window_bits that the server accepts.
        fails=[(Sel("deflate-negotiation.client-max-window-bits-not-offered",
                    "deflate-negotiation.server-max-window-bits-*",
                    "deflate-negotiation.server-no-context-takeover"), FAIL)],
        # The Autobahn series offer client_max_window_bits: answered as usual.
        keep=[DATA_SAMPLE, Sel("deflate-params.default-*")]),
    "accept-invalid-offer": Rule(
        '7692:7 "A server MUST decline an extension negotiation offer for this extension if '
        'any of the following conditions are met: The negotiation offer contains an extension '
        'parameter not defined for use in an offer. The negotiation offer contains an extension '
        'parameter with an invalid value. The negotiation offer contains multiple extension '
        'parameters with the same name."; the fault drops those parameters and accepts',
        fails=[(Sel("deflate-negotiation.decline-*"), FAIL)],
        keep=[DATA_SAMPLE, Sel("deflate-negotiation.server-max-window-bits-*")]),
    "inflate-unbounded": Rule(
        '6455:10.4 "Implementations that have implementation- and/or platform-specific '
        'limitations regarding the frame size or total message size after reassembly from '
        'multiple frames MUST protect themselves against exceeding those limits."; the fault '
        'inflates past --max-message (64 MiB) up to 1 GiB and echoes',
        # The bombs inflate to 1 GiB: the strict server refuses them with 1009
        # (pass); an echo is informational by the cases' design (a server with
        # a larger limit breaks nothing), which is what the fault gets.
        fails=[(Sel("deflate-streams.bomb-*"), INFO)],
        keep=[DATA_SAMPLE, Sel("deflate-streams.corrupt-btype-3")], jobs=2),
    "echo-altered": Rule(
        'the echo convention every server test relies on (DESIGN.md: "it sends every text and '
        'binary message back unchanged"); the fault appends one octet to every echo',
        # Every case expecting a data message back; the two RFC-example pings
        # and pongs are tagged echo but only expect a pong.
        fails=[(Sel("--tag", "echo", "--exclude", "lengths.rfc-example-masked-p*ng",
                    no_tags=("fail",)), FAIL),
               # A valid handshake is followed by an echo that proves the
               # connection works.
               (Sel("handshake", all_tags=("valid",)), FAIL)],
        keep=[FAILING_SAMPLE, Sel("pings.ping-text", "lengths.rfc-example-masked-ping")]),
    "utf8-check-per-frame": Rule(
        '6455:5.6 "Note that a particular text frame might include a partial UTF-8 sequence; '
        'however, the whole message MUST contain valid UTF-8."',
        fails=[(Sel("--tag", "split-code-point", no_tags=("fail",)), FAIL)],
        keep=[DATA_SAMPLE]),
    "accept-non-minimal-length": Rule(
        '6455:5.2 "Note that in all cases, the minimal number of bytes MUST be used to encode '
        'the length" binds the sender: the strict server fails the connection (pass); the '
        'cases record accepting such a frame as informational',
        fails=[(Sel("--tag", "non-minimal"), INFO)],
        keep=[DATA_SAMPLE]),
    "accept-any-request": Rule(
        '6455:4.2.1 "If the server, while reading the handshake, finds that the client did not '
        'send a handshake that matches the description below ..., the server MUST stop '
        'processing the client\'s handshake and return an HTTP response with an appropriate '
        'error code (such as 400 Bad Request)."',
        # Requests that parse as HTTP but break 4.2.1; malformed HTTP never
        # reaches the fault (see TOOTHLESS), and the registered drafts 7 and 8
        # are informational by design.
        fails=[(Sel("handshake", "--exclude", "handshake.version-draft-*",
                    "--exclude", "handshake.obs-fold", "--exclude", "handshake.space-before-colon",
                    "--exclude", "handshake.garbage-*", "--exclude", "handshake.headers-100k",
                    all_tags=("invalid",)), FAIL)],
        keep=[DATA_SAMPLE, Sel("handshake.baseline")]),
}

# The reference server does not negotiate permessage-deflate yet (issue 9, its
# part): until it does, the deflate groups are left out of (a) and excused in (c);
# tests/e2e/test_deflate_cases.py runs them against python3-websockets and ws
# with compression on, and shows three of their rules caught against
# deliberately broken python3-websockets (py_echo_server.py --deflate-fault).
NOT_YET_ON_THE_STRICT_SERVER = "deflate-*"

# Cases no fault of `wsspec serve --fault list` can fail, each group with the
# reason and, where one would do, the fault that would give it teeth. Groups
# may overlap the rules above; each must still excuse at least one case, so
# when a new fault covers a group, the group must move to that fault's rule.
TOOTHLESS = [
    (Sel("--tag", "pong", "--exclude", "after-close", no_tags=("fail",)),
     '6455:5.5.3 "A response to an unsolicited Pong frame is not expected.": needs a fault '
     "answering pongs"),
    (Sel("lengths.rfc-example-masked-pong"),
     "6455:5.7's masked unsolicited pong: nothing comes back, as for every unsolicited pong "
     "(see above)"),
    (Sel("after-close"),
     "after its close reply the server ignores everything: needs faults answering pings after "
     '"it already received a Close frame" (6455:5.5.2) and failing the connection again with a '
     "second close frame"),
    (Sel("lengths.len64-top-bit-*", "lengths.len64-all-ones-*"),
     '6455:5.2 "the most significant bit MUST be 0": needs a fault clearing that bit (2^63 '
     "reads as 0); the all-ones length reads as 2^63-1 and gets 1009 either way, so only a "
     "server that waits for the payload or crashes fails it"),
    (Sel("lengths.declared-*-sent-10-*"),
     "left inside a frame, any end is acceptable: only a server that hangs or echoes a frame "
     "it never received whole fails these"),
    (Sel("--autobahn", "5.2"),
     "over-determined: the FIN=0 pong is followed by a continuation, so the case fails only "
     "under accept-fragmented-control and accept-bad-continuation together"),
    (Sel("lengths.declared-5-sent-13-text"),
     "over-determined: the trailing header 70 70 has RSV bits, continuation opcode without a "
     "message and no mask bit, so only three faults together make a server accept it"),
    (Sel(NOT_YET_ON_THE_STRICT_SERVER),
     "permessage-deflate: the reference server does not negotiate it yet, and has no fault for "
     "its rules (see NOT_YET_ON_THE_STRICT_SERVER)"),
    (Sel("handshake.obs-fold", "handshake.space-before-colon", "handshake.garbage-*",
         "handshake.headers-100k"),
     "malformed HTTP (obs-fold, whitespace before the colon, garbage, 100 KiB of headers): "
     "several answers are acceptable, so only a server that hangs, crashes or upgrades garbage "
     "fails these; accept-any-request only upgrades what parses"),
]


@functools.lru_cache(maxsize=None)
def resolve(sel):
    """The ids of a selector group, in corpus order; never empty."""
    cases = list_cases("--cases-dir", CASES_DIR, *sel.args)
    ids = [c["id"] for c in cases
           if sel.all_tags <= set(c["tags"]) and not sel.no_tags & set(c["tags"])]
    assert ids, f"selector group {sel!r} matches no case"
    return tuple(ids)


def all_cases():
    return list_cases("--cases-dir", CASES_DIR)


def run_against(port, ids, jobs=4, extra=()):
    # --no-retry-timeouts: a fault's timeouts are the fault's, by design;
    # rerunning them would only cost time (reruns: test_timing_truth.py).
    r = wsspec("run", f"ws://127.0.0.1:{port}/", "--cases-dir", CASES_DIR, "-j", str(jobs),
               "--no-retry-timeouts", *extra, *ids, timeout=600)
    assert r.returncode in (0, 1, 3), r.stderr
    got = results(r.stdout)
    missing = [i for i in ids if i not in got]
    assert not missing, f"no verdict for {missing[:5]}: {r.stderr[-2000:]}"
    return r, got


# ---- (a) the strict server passes everything --------------------------------



def test_strict_server_passes_the_whole_corpus(serve):
    cases = [c for c in all_cases()
             if not fnmatch.fnmatchcase(c["id"], NOT_YET_ON_THE_STRICT_SERVER)]
    informational = {c["id"] for c in cases if "informational" in c["tags"]}
    port = serve("--quiet").port
    r, got = run_against(port, [], extra=("--exclude", NOT_YET_ON_THE_STRICT_SERVER))
    assert set(got) == {c["id"] for c in cases}
    wrong = {i: v for i, v in got.items()
             if v != "pass" and not (v == "info" and i in informational)}
    assert not wrong, f"against the strict server: {wrong}"
    assert r.returncode == 0, r.stdout[-3000:]
    counts = summary(r.stdout)
    assert counts["fail"] == counts["error"] == counts["non-strict"] == 0


# ---- (b) each fault fails the cases of its rule --------------------------------


# Faults whose behaviour the RFC allows: the corpus must pass them (cases/README.md,
# "One verdict for one behaviour").
ALLOWED = {
    # 6455:5.5.1 "The Close frame MAY contain a body"; a reply "typically echos
    # the status code it received": practice, not a requirement.
    "close-reply-wrong-code": [Sel(*g.args, "--exclude", "*1011*", all_tags=g.all_tags)
                               for g in CLOSING_EXACT + CLOSING_LENIENT],
}


# Faults only a fuzzer finds (harness/refserver/refserver_fuzzfaults.h), each with
# the RFC sentence it breaks and the cases it must fail: no case. Each trigger is
# a combination of frames the corpus does not send (test (d) below runs the whole
# corpus against each), reached by changing one or two fields of a corpus case
# (tests/e2e/test_fuzz_faults.py).
FUZZ_ONLY = {
    "fuzz-crash": Rule(
        '6455:6.2 "Incoming data MUST be parsed as WebSocket frames as defined in Section '
        '5.2.": the server aborts on a continuation frame with a 16-bit length in a text '
        "message a ping or a pong came inside", fails=[]),
    "fuzz-hang": Rule(
        '6455:5.5.2 "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in '
        'response": the server stops serving everything on an empty ping inside a fragmented '
        "message that had a ping or a pong inside it before", fails=[]),
    "fuzz-wrong-close": Rule(
        '6455:7.4.1 "1007 indicates that an endpoint is terminating the connection because '
        'it has received data within a message that was not consistent with the type of the '
        'message": 1002 for invalid UTF-8 in a text message a pong came inside, or split at a '
        "fragment boundary 126 or more octets into the message", fails=[]),
}


def test_fault_list_is_the_known_one():
    r = wsspec("serve", "--fault", "list", timeout=10)
    assert r.returncode == 0, r.stderr
    names = [line.split()[0] for line in r.stdout.splitlines()]
    assert len(names) == len(FAULTS) + len(ALLOWED) + len(FUZZ_ONLY) == 35
    assert sorted(names) == sorted(FAULTS + list(ALLOWED) + list(FUZZ_ONLY)), \
        "a new fault needs a rule in test_corpus_faults.py"
    assert sorted(RULES) == sorted(FAULTS)


@pytest.mark.parametrize("fault", sorted(ALLOWED))
def test_allowed_fault_passes(serve, fault):
    """The server answers every close of ours with 1011: any valid code in a
    reply passes, so every closing-handshake case passes against it."""
    ids = sorted({i for sel in ALLOWED[fault] for i in resolve(sel)})
    assert len(ids) > 30
    port = serve("--quiet", "--fault", fault).port
    r, got = run_against(port, ids)
    wrong = {i: v for i, v in got.items() if v != "pass"}
    assert not wrong, f"{fault} is allowed by the RFC, yet: {wrong}"


@pytest.mark.sweep
@pytest.mark.parametrize("fault", FAULTS)
def test_fault_fails_the_cases_of_its_rule(serve, fault):
    rule = RULES[fault]
    expected = {}
    for sel, verdicts in rule.fails + rule.incidental:
        for i in resolve(sel):
            expected[i] = expected.get(i, verdicts) & verdicts
    keep = [i for sel in rule.keep for i in resolve(sel)]
    assert not set(keep) & set(expected), "a kept case is in the fault's own rule"
    assert expected, f"no case checks the rule {fault} breaks: {rule.rule}"
    port = serve("--quiet", "--fault", fault, *rule.serve).port
    ids = list(expected) + [i for i in keep if i not in expected]
    r, got = run_against(port, ids, jobs=rule.jobs, extra=rule.run)
    wrong = {i: got[i] for i, verdicts in expected.items() if got[i] not in verdicts}
    assert not wrong, f"{fault} breaks {rule.rule}; these cases did not notice: {wrong}"
    kept = {i: got[i] for i in keep if got[i] != "pass"}
    assert not kept, f"{fault} should not touch these cases: {kept}"


# ---- (c) no toothless case ----------------------------------------------------------


def test_every_case_has_teeth_or_a_reason():
    cases = all_cases()
    teeth = {i for rule in RULES.values() for sel, _ in rule.fails for i in resolve(sel)}
    informational = {c["id"] for c in cases if "informational" in c["tags"]}
    excused = set()
    for sel, reason in TOOTHLESS:
        left = set(resolve(sel)) - teeth - informational
        assert left, f"TOOTHLESS {sel!r} is covered now: move it to its fault's rule"
        excused |= left
    toothless = [c["id"] for c in cases
                 if c["id"] not in teeth | informational and c["id"] not in excused]
    assert not toothless, f"no fault can fail these cases ({len(toothless)}): {toothless}"


# ---- (d) the fuzz-only faults fail no case ---------------------------------------------


@pytest.fixture(scope="module")
def strict_verdicts():
    """Every case's verdict against the strict server (deflate groups too)."""
    server = Process([wsspec_bin(), "serve", "--port", "0", "--quiet"])
    try:
        _, got = run_against(server.port, [])
    finally:
        code, _, err = server.stop()
    assert code == 0, err
    return got


def run_watching(server):
    """run_against(server.port, []), stopped at once when the server says on
    stderr (it is --quiet otherwise) that a fuzz-only fault's trigger was
    reached: after a hang every case left would wait for its whole timeout."""
    argv = [wsspec_bin(), "run", f"ws://127.0.0.1:{server.port}/", "--cases-dir", CASES_DIR,
            "-j", "4", "--no-retry-timeouts"]
    run = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = {run.stdout.fileno(): [], run.stderr.fileno(): []}
    reading = set(out)
    watch = {server.proc.stderr.fileno()}
    deadline = time.monotonic() + scaled(600)
    try:
        while reading:
            ready, _, _ = select.select([*reading, *watch], [], [], 0.5)
            for fd in ready:
                chunk = os.read(fd, 65536)
                if fd in watch:
                    said = chunk.decode("utf-8", "replace")
                    assert not chunk, f"the server reached a trigger: {said}"
                    watch.clear()  # it exited; the serve fixture says how
                elif chunk:
                    out[fd].append(chunk)
                else:
                    reading.discard(fd)
            assert time.monotonic() < deadline, "the run took too long"
    finally:
        if run.poll() is None:
            run.kill()
        run.wait()
    assert run.returncode in (0, 1, 3), b"".join(out[run.stderr.fileno()]).decode()
    return results(b"".join(out[run.stdout.fileno()]).decode())


@pytest.mark.parametrize("fault", sorted(FUZZ_ONLY))
def test_fuzz_only_fault_fails_no_case(serve, strict_verdicts, fault):
    rule = FUZZ_ONLY[fault]
    assert rule.fails == [] and rule.incidental == [], f"{fault}: no case reaches it"
    server = serve("--quiet", "--fault", fault)
    port = server.port
    got = run_watching(server)
    assert set(got) == set(strict_verdicts) and len(got) > 1000
    changed = {i: (strict_verdicts[i], v) for i, v in got.items() if v != strict_verdicts[i]}
    assert not changed, f"{fault} ({rule.rule}) changed these verdicts (strict, fault): {changed}"
    # The server is still serving (the fixture checks it exits cleanly).
    r = wsspec("run", f"ws://127.0.0.1:{port}/", "--cases-dir", CASES_DIR,
               "framing.text-length-0", timeout=60)
    assert results(r.stdout) == {"framing.text-length-0": "pass"}, r.stdout + r.stderr
