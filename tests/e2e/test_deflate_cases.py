"""The negative and edge cases of permessage-deflate (cases/deflate-negotiation,
deflate-frames, deflate-streams: negotiation, RSV1 rules, hand-made DEFLATE
streams, decompression bombs) against real servers
with compression on: Debian's python3-websockets and Node's `ws` (npm), both
started with --deflate (tests/peers/), and the reference server.

Each non-pass verdict of a third-party server is listed with the reason found
in its source, so a change in our harness, in a case or in the server shows up
as a difference from these dicts. Verdicts follow cases/README.md, "One
verdict for one behaviour", sub-table "permessage-deflate".

Then the cases are shown to catch what they are about: python3-websockets is
run with one RFC 7692 rule broken on purpose (py_echo_server.py
--deflate-fault) and the cases about that rule must fail. And the hand-made
streams in cases/deflate-streams.json must be the ones
tests/data/deflate_streams.py builds and checks with zlib."""
import itertools
import json
import subprocess
import sys

import pytest

from conftest import ROOT, Process, scaled, wsspec_bin
from wsrun import results

sys.path.insert(0, str(ROOT / "tests" / "data"))
import deflate_streams  # noqa: E402  (tests/data is not a package)

GROUPS = ["deflate-negotiation", "deflate-frames", "deflate-streams"]
SELECT = [g + ".*" for g in GROUPS]

# ---- python3-websockets 10.4, compression="deflate" (its defaults:
# server_max_window_bits=12, client_max_window_bits=12 when offered, memLevel 5)
EXPECTED_PY = {
    # server_max_window_bits=8 offered: process_request_params() answers 8 and
    # PerMessageDeflate() calls zlib.compressobj(wbits=-8), which zlib >= 1.2.9
    # refuses ("Invalid initialization option"): HTTP 500 instead of declining
    # the offer. 7692:7 "A server MUST decline an extension negotiation offer
    # for this extension if ... The server doesn't support the offered
    # configuration." Refusing the whole handshake is the server's choice
    # (6455:4.2.2): informational, as the table says; a real bug all the same.
    "deflate-negotiation.server-max-window-bits-8": "info",
    "deflate-streams.large-window-8-262144": "info",
    "deflate-streams.large-window-8-1048576": "info",
    # The same 500 on the first of two offers: the second (plain
    # permessage-deflate) is never tried (7692:5: the offers are in order).
    "deflate-negotiation.offers-in-order": "info",
    # PerMessageDeflate.decode() inflates with one zlib.decompressobj(): at the
    # end of a DEFLATE stream (a BFINAL block) the rest goes to unused_data,
    # which nobody reads, so "HelloWorld" comes back as "Hello". 7692:7.2.1
    # "The next DEFLATE block follows the padded data if any." A real bug.
    "deflate-streams.bfinal-then-second-stream": "FAIL",
    # decompress() of a payload that does not end at a block boundary (a block
    # cut off, the tail left in, nothing at all) returns what decodes without
    # an error, and that is echoed. Only the sender is bound (7692:7.2.1):
    # informational.
    "deflate-streams.block-cut-off": "info",
    "deflate-streams.tail-left-in": "info",
    "deflate-streams.empty-payload-rsv1": "info",
}

# ---- ws 8.18.3, perMessageDeflate: true (its defaults: no window limits,
# context takeover both ways, messages under 1024 octets sent uncompressed)
_NODE_REFUSED = ["0", "16", "7", "fraction", "huge", "negative", "quoted-7", "word"]
_NODE_ACCEPTED = ["leading-zero-08", "leading-zero-010", "plus", "hex", "exponent",
                  "quoted-leading-zero"]
EXPECTED_NODE = {
    # lib/permessage-deflate.js normalizeParams() turns a window-bits value into
    # a number with `+value` and checks only its range, so 08, 010, +9, 0x9,
    # 1e1 and "09" are accepted as 8, 10, 9, 9, 10 and 9. 7692:7.1.2.1 "a
    # decimal integer value without leading zeroes between 8 to 15"; 7692:7 "A
    # server MUST decline an extension negotiation offer for this extension if
    # ... an extension parameter with an invalid value." A real bug.
    **{f"deflate-negotiation.decline-server-max-window-bits-{n}": "FAIL" for n in _NODE_ACCEPTED},
    "deflate-negotiation.decline-client-max-window-bits-leading-zero-08": "FAIL",
    # Every other offer it must decline makes normalizeParams() throw, and
    # handleUpgrade() answers 400 "Invalid or unacceptable
    # Sec-WebSocket-Extensions header" instead of declining the offer:
    # refusing the connection is the server's choice (6455:4.2.2),
    # informational.
    **{f"deflate-negotiation.decline-server-max-window-bits-{n}": "info" for n in _NODE_REFUSED},
    "deflate-negotiation.decline-server-max-window-bits-no-value": "info",
    **{f"deflate-negotiation.decline-client-max-window-bits-{n}": "info"
       for n in ["7", "16", "0", "word", "huge", "quoted-16"]},
    **{f"deflate-negotiation.decline-value-on-{n}": "info"
       for n in ["server-no-context-takeover-1", "server-no-context-takeover-true",
                 "client-no-context-takeover-1", "client-no-context-takeover-quoted"]},
    **{f"deflate-negotiation.decline-duplicate-{n}": "info"
       for n in ["server-no-context-takeover", "client-no-context-takeover",
                 "server-max-window-bits-same", "server-max-window-bits-different",
                 "client-max-window-bits-bare", "client-max-window-bits-value-and-bare"]},
    **{f"deflate-negotiation.decline-unknown-parameter-{n}": "info"
       for n in ["bare", "with-value", "max-window-bits", "after-valid", "near-miss"]},
    # ... and the same 400 when only the first of two offers is invalid: the
    # valid second one is never considered (informational, as above).
    **{f"deflate-negotiation.invalid-then-valid-{n}": "info"
       for n in ["window-bits-7", "unknown-parameter", "duplicate", "client-window-bits-16"]},
    # lib/permessage-deflate.js decompress() stops at the end of the first
    # DEFLATE stream (zlib's inflateRaw ends there): "HelloWorld" comes back
    # as "Hello". 7692:7.2.1 "The next DEFLATE block follows the padded data
    # if any." A real bug.
    "deflate-streams.bfinal-then-second-stream": "FAIL",
    # A cut-off block, the tail left in and an empty payload decode to what
    # they hold, echoed. Only the sender is bound (7692:7.2.1): informational.
    # (Our messages that
    # keep the window although client_no_context_takeover was agreed pass: ws
    # answers client_no_context_takeover, resets its inflater for each
    # message and fails the second with 1007.)
    "deflate-streams.block-cut-off": "info",
    "deflate-streams.tail-left-in": "info",
    "deflate-streams.empty-payload-rsv1": "info",
}

# ---- the reference server (wsspec serve)
# Until it negotiates permessage-deflate (`wsspec serve --no-deflate` exists
# once it does), every case that uses compression is unimplemented and the
# cases with raw offers record the decline.
REFERENCE_WITHOUT_DEFLATE = {
    **{f"deflate-negotiation.invalid-then-valid-{n}": "info"
       for n in ["window-bits-7", "unknown-parameter", "duplicate", "client-window-bits-16"]},
    **{f"deflate-negotiation.unknown-extension-{n}": "info"
       for n in ["before", "after", "old-draft-name"]},
    "deflate-negotiation.quoted-value-server-max-window-bits": "info",
    "deflate-negotiation.quoted-value-client-max-window-bits": "info",
}
# With deflate (as on branch h-refdeflate, f3a1a69): everything passes but our
# messages compressed with a window larger than the one agreed: it inflates
# the client's messages with a window of 15 bits whatever was agreed, so it
# decodes them (the rule binds the sender, us: informational).
REFERENCE_WITH_DEFLATE = {
    "deflate-streams.window-larger-than-agreed-8": "info",
    "deflate-streams.window-larger-than-agreed-10": "info",
}


def run(url_args, *selectors, jobs="2", timeout=240):
    return subprocess.run([wsspec_bin(), "run", *url_args, *selectors, "-j", jobs],
                          capture_output=True, text=True, timeout=scaled(timeout))


def check(r, expected, also_allowed=None):
    """Every case ran; its non-pass verdicts are exactly `expected` (plus,
    where also_allowed says so, the verdict it gives for a case)."""
    got = results(r.stdout)
    tail = r.stdout[-3000:] + r.stderr[-2000:]
    assert got, tail
    errors = sorted(k for k, v in got.items() if v == "ERROR")
    assert not errors, f"cases that could not run: {errors}\n{tail}"
    last = r.stdout.strip().splitlines()[-1]
    assert last.startswith(f"wsspec: {len(got)} cases:") and " 0 error" in last, last
    also_allowed = also_allowed or {}
    non_pass = {k: v for k, v in got.items() if v != "pass" and also_allowed.get(k) != v}
    unexpected = {k: v for k, v in non_pass.items() if expected.get(k) != v}
    missing = {k: v for k, v in expected.items() if non_pass.get(k) != v}
    assert not unexpected and not missing, (
        f"verdicts differ from the expectations\n  new or changed: {unexpected}\n"
        f"  expected but not seen: {missing} (now: {[got.get(k) for k in missing]})\n{tail}")
    assert r.returncode == (1 if "FAIL" in expected.values() else 0), (r.returncode, tail)
    return got


def expanded_cases():
    """{case id: case} of the GROUPS' files, parameters expanded (list of
    objects, or object of lists: the cross product; cases/README.md)."""
    out = {}
    for path in [ROOT / "cases" / f"{g}.json" for g in GROUPS]:
        doc = json.loads(path.read_text())
        for case in doc["cases"]:
            params = case.get("params")
            if params is None:
                rows = [{}]
            elif isinstance(params, list):
                rows = params
            else:
                keys = list(params)
                rows = [dict(zip(keys, values)) for values in itertools.product(*params.values())]
            for row in rows:
                text = json.dumps(case)
                for k, v in row.items():
                    text = text.replace(json.dumps("{" + k + "}"), json.dumps(v))
                    text = text.replace("{" + k + "}", str(v).replace('"', '\\"'))
                c = json.loads(text)
                out[f"{doc['group']}.{c['name']}"] = c
    return out


def test_deflate_cases_against_python_websockets(py_echo_server):
    server = py_echo_server("--deflate")
    check(run([f"ws://127.0.0.1:{server.port}/"], *SELECT), EXPECTED_PY)


def test_deflate_cases_against_node_ws(node_ws_server):
    server = node_ws_server("--deflate")
    check(run([f"ws://127.0.0.1:{server.port}/"], *SELECT), EXPECTED_NODE)


def test_deflate_cases_against_the_reference_server():
    helptext = subprocess.run([wsspec_bin(), "serve", "--help"], capture_output=True, text=True,
                              timeout=scaled(30)).stdout
    r = run([], *SELECT)
    if "--no-deflate" in helptext:
        check(r, REFERENCE_WITH_DEFLATE)
        return
    # Without deflate, each case that offers it with a `deflate` object is
    # unimplemented (7692:7.1.2.1 "A server declines an extension negotiation
    # offer with this parameter if the server doesn't support it"), unless its
    # steps run when declined ("declined": "run").
    unimplemented = {k: "unimpl" for k, c in expanded_cases().items()
                     if "deflate" in c and c["deflate"].get("declined") != "run"}
    got = check(r, REFERENCE_WITHOUT_DEFLATE, also_allowed=unimplemented)
    assert {k for k, v in got.items() if v == "unimpl"} == set(unimplemented)


# Each fault of py_echo_server.py --deflate-fault, and cases that must fail
# against it (they pass against the server unbroken, above).
FAULTS = {
    # 7692:6.1 "An endpoint receiving such a frame MUST _Fail the WebSocket
    # Connection_."
    "rsv1-anywhere": ["deflate-frames.rsv1-ping", "deflate-frames.rsv1-pong",
                      "deflate-frames.rsv1-ping-compressed-payload", "deflate-frames.rsv1-close",
                      "deflate-frames.rsv1-continuation",
                      "deflate-frames.rsv1-continuation-of-uncompressed",
                      "deflate-frames.rsv1-ping-inside-compressed-message"],
    # 6455:10.7: a message that does not inflate is echoed as an empty one.
    "corrupt-as-empty": [f"deflate-streams.corrupt-{n}" for n in deflate_streams.CORRUPT] +
                        ["deflate-streams.corrupt-rfc-7.2.3.2-alone",
                         "deflate-streams.corrupt-after-valid"],
    # 7692:7.1.2.2 "... MUST NOT include the "client_max_window_bits"
    # extension parameter."
    "unoffered-client-bits": ["deflate-negotiation.client-max-window-bits-not-offered",
                              "deflate-frames.uncompressed-text"],
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_broken_rule_is_caught(fault):
    server = Process([sys.executable, str(ROOT / "tests" / "peers" / "py_echo_server.py"),
                      "--deflate", "--deflate-fault", fault])
    try:
        r = run([f"ws://127.0.0.1:{server.port}/"], *FAULTS[fault], timeout=120)
    finally:
        server.stop()
    got = results(r.stdout)
    assert got == {k: "FAIL" for k in FAULTS[fault]}, r.stdout[-3000:]
    assert r.returncode == 1


def test_hand_made_streams_are_the_checked_ones():
    """The hex of every hand-made stream in cases/deflate-streams.json is what
    tests/data/deflate_streams.py builds, and that script's zlib checks pass."""
    r = subprocess.run([sys.executable, str(ROOT / "tests" / "data" / "deflate_streams.py"),
                        "--check"], capture_output=True, text=True, timeout=scaled(60))
    assert r.returncode == 0, r.stdout
    cases = expanded_cases()

    def sent_hex(case_id):
        step = cases[case_id]["steps"][0]["send_frame"]
        assert step["rsv"] == 4, case_id
        return bytes.fromhex(step["payload"]["hex"])

    for name, (payload, _, _) in deflate_streams.CORRUPT.items():
        assert sent_hex(f"deflate-streams.corrupt-{name}") == payload, name
    assert sent_hex("deflate-streams.tail-left-in") == deflate_streams.CUT["tail-kept"][0]
    assert sent_hex("deflate-streams.block-cut-off") == \
        deflate_streams.CUT["dynamic-huffman-cut-40"][0]
    valid = {"rfc-7.2.3.3-stored": "rfc-7.2.3.3", "rfc-7.2.3.4-bfinal": "rfc-7.2.3.4",
             "rfc-7.2.3.5-two-blocks": "rfc-7.2.3.5",
             "bfinal-then-second-stream": "bfinal-then-stream", "dynamic-huffman": "dynamic-huffman",
             "fixed-huffman": "fixed-huffman", "overlapping-copy": "overlapping-copy",
             "empty-message-00": "empty-00", "empty-message-fixed-block": "empty-fixed-0200",
             "rfc-7.2.3.1-fixed": "rfc-7.2.3.1"}
    for case_name, stream in valid.items():
        assert sent_hex(f"deflate-streams.{case_name}") == deflate_streams.VALID[stream][0], case_name
    # The stored block of 2000 octets: the header, the text, the next header.
    stored = deflate_streams.VALID["stored-blocks"][0]
    parts = cases["deflate-streams.stored-block-2000"]["steps"][0]["send_frame"]["payload"]["concat"]
    assert bytes.fromhex(parts[0]["hex"]) == stored[:5] and bytes.fromhex(parts[2]["hex"]) == b"\0"
    assert parts[1] == {"repeat": deflate_streams.SENTENCE.decode(), "count": 2000}
