"""Control frames the RFC allows at any time never change a verdict
(issue 8 item 1). The reference server with --chatter sends, in the 101's
segment, before every echo and before its close reply, an unsolicited pong
(6455:5.5.3 "A Pong frame MAY be sent unsolicited.  This serves as a
unidirectional heartbeat."), a ping (6455:5.5.2 "A Ping frame MAY be sent
after the connection is established and before the connection is closed."),
or both. It is the same strict server otherwise, so the whole corpus must
give exactly the verdicts it gives against the plain server."""
import json

import pytest

from wsrun import wsspec


def verdicts(serve, tmp_path, *server_args):
    server = serve("--quiet", *server_args)
    report = tmp_path / f"report{'-'.join(server_args) or '-plain'}.json"
    r = wsspec("run", f"ws://127.0.0.1:{server.port}/", "-j", "2", "-q", "--json", str(report),
               timeout=600)
    assert r.returncode in (0, 1), r.stderr
    doc = json.loads(report.read_text())
    return {c["id"]: (c["verdict"], c.get("actual")) for c in doc["cases"]}, doc


PLAIN = {}  # the plain server's verdicts, run once for the three modes


@pytest.mark.sweep
@pytest.mark.parametrize("chatter", ["pong", "ping", "both"])
def test_corpus_verdicts_do_not_change_with_chatter(serve, tmp_path, chatter):
    if not PLAIN:
        PLAIN.update(verdicts(serve, tmp_path)[0])
    plain = PLAIN
    chatty, doc = verdicts(serve, tmp_path, "--chatter", chatter)
    assert set(plain) == set(chatty)
    changed = {i: (plain[i][0], chatty[i][0], chatty[i][1]) for i in plain
               if plain[i][0] != chatty[i][0]}
    assert not changed, f"{len(changed)} verdicts changed: {list(changed.items())[:5]}"
    # The chatter really happened: heartbeat pongs are recorded as unsolicited
    # events, pings as ping events, in the cases that kept their events.
    kinds = [(e.get("kind"), e.get("unsolicited", False)) for c in doc["cases"]
             for e in c.get("events", [])]
    if chatter in ("pong", "both"):
        assert ("pong", True) in kinds
    if chatter in ("ping", "both"):
        assert any(k == "ping" for k, _ in kinds)
