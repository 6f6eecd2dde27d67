"""The corpus carries every case of Autobahn|Testsuite (categories 1-7, 9, 10:
301 cases of RFC 6455; 12 and 13: 216 of permessage-deflate; 517 in all)
exactly once, under its Autobahn id, and each id means the same case as in
Autobahn (checked where the id encodes a value: close codes of 7.7/7.9/7.13,
lengths of 1.1/1.2, the message sizes, frame sizes and offers of 12.x/13.x).
The catalogue below is written from ../shared/AUTOBAHN.md section 1, not from
our case files."""
import json

from wsrun import wsspec

SUBCATEGORIES = {  # id prefix -> number of cases
    "1.1": 8, "1.2": 8, "4.1": 5, "4.2": 5,
    "6.1": 3, "6.2": 4, "6.3": 2, "6.4": 4, "6.5": 5, "6.6": 11, "6.7": 4, "6.8": 2,
    "6.9": 4, "6.10": 3, "6.11": 5, "6.12": 8, "6.13": 5, "6.14": 10, "6.15": 1, "6.16": 3,
    "6.17": 5, "6.18": 5, "6.19": 5, "6.20": 7, "6.21": 8, "6.22": 34, "6.23": 7,
    "7.1": 6, "7.3": 6, "7.5": 1, "7.7": 13, "7.9": 9, "7.13": 2,
    "9.1": 6, "9.2": 6, "9.3": 9, "9.4": 9, "9.5": 6, "9.6": 6, "9.7": 6, "9.8": 6,
    "10.1": 1,
    # 1.10 and 1.11: 5 data sets and 7 parameter sets, 18 size profiles each.
    "12.1": 18, "12.2": 18, "12.3": 18, "12.4": 18, "12.5": 18,
    "13.1": 18, "13.2": 18, "13.3": 18, "13.4": 18, "13.5": 18, "13.6": 18, "13.7": 18,
}
CATEGORIES = {"2": 11, "3": 7, "5": 20}  # ids without a subcategory: 2.1 .. 2.11


def autobahn_catalogue():
    ids = [f"{sub}.{n}" for sub, count in SUBCATEGORIES.items() for n in range(1, count + 1)]
    ids += [f"{cat}.{n}" for cat, count in CATEGORIES.items() for n in range(1, count + 1)]
    return ids


def corpus():
    r = wsspec("list", "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_every_autobahn_case_exactly_once():
    catalogue = autobahn_catalogue()
    assert len(catalogue) == 517
    ours = [c["autobahn"] for c in corpus() if c["autobahn"]]
    duplicates = sorted({a for a in ours if ours.count(a) > 1})
    assert duplicates == []
    assert sorted(set(catalogue) - set(ours)) == []
    assert sorted(set(ours) - set(catalogue)) == []


def test_autobahn_ids_mean_the_same_case():
    by_ab = {c["autobahn"]: c for c in corpus() if c["autobahn"]}
    # AUTOBAHN.md 1.7: 7.7 valid codes and 7.9 invalid codes, in Autobahn's order.
    valid = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999]
    invalid = [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999]
    for n, code in enumerate(valid, 1):
        assert str(code) in by_ab[f"7.7.{n}"]["id"], (n, code, by_ab[f"7.7.{n}"]["id"])
    for n, code in enumerate(invalid, 1):
        assert by_ab[f"7.9.{n}"]["id"].endswith(f"-{code}"), (n, code, by_ab[f"7.9.{n}"]["id"])
    assert "5000" in by_ab["7.13.1"]["id"] and "65535" in by_ab["7.13.2"]["id"]
    # AUTOBAHN.md 1.1: payload lengths of 1.1.x / 1.2.x.
    for n, length in enumerate([0, 125, 126, 127, 128, 65535, 65536, 65536], 1):
        for sub in ("1.1", "1.2"):
            assert str(length) in by_ab[f"{sub}.{n}"]["id"], by_ab[f"{sub}.{n}"]["id"]


# AUTOBAHN.md 1.10: the 18 size profiles (message length; frame size of the
# fragmented ones, None = one frame).
PROFILES = [(16, None), (64, None), (256, None), (1024, None), (4096, None), (8192, None),
            (16384, None), (32768, None), (65536, None), (131072, None),
            (8192, 256), (16384, 256), (32768, 256), (65536, 256), (131072, 256),
            (131072, 1024), (131072, 4096), (131072, 32768)]


def test_compression_ids_mean_the_same_case():
    by_ab = {c["autobahn"]: c for c in corpus() if c["autobahn"]}
    # 12.1 JSON, 12.2 an image, 12.3 Faust (prose), 12.4 HTML (markup), 12.5 a PDF (mixed).
    for n, data in enumerate(["json", "image", "prose", "markup", "mixed"], 1):
        for p, (length, frame) in enumerate(PROFILES, 1):
            cid = by_ab[f"12.{n}.{p}"]["id"]
            shape = f"{length}" if frame is None else f"{length}-frames-{frame}"
            assert cid == f"deflate-payloads.{data}-{shape}", (n, p, cid)
    # 13.x: the offer's additions (AUTOBAHN.md 1.11), always the JSON set.
    offers = ["default", "server-no-context-takeover", "server-window-9", "server-window-15",
              "server-no-context-window-9", "server-no-context-window-15", "three-offers"]
    for n, offer in enumerate(offers, 1):
        for p, (length, frame) in enumerate(PROFILES, 1):
            cid = by_ab[f"13.{n}.{p}"]["id"]
            shape = f"{length}" if frame is None else f"{length}-frames-{frame}"
            assert cid == f"deflate-params.{offer}-{shape}", (n, p, cid)
    # What each 13.x id offers (AUTOBAHN.md 1.11: the base offer
    # "client_no_context_takeover; client_max_window_bits" plus the set's
    # parameters; 13.7 three offers), read from `wsspec show`, parameter sets
    # compared as sets (their order within an offer carries no meaning).
    base = {"client_no_context_takeover", "client_max_window_bits"}
    extra = [set(), {"server_no_context_takeover"}, {"server_max_window_bits=9"},
             {"server_max_window_bits=15"},
             {"server_no_context_takeover", "server_max_window_bits=9"},
             {"server_no_context_takeover", "server_max_window_bits=15"}]
    want = {n: [base | e] for n, e in enumerate(extra, 1)}
    want[7] = [base | extra[4], base | extra[1], base]
    for n, offer in enumerate(offers, 1):
        shown = wsspec("show", f"deflate-params.{offer}-16")
        assert shown.returncode == 0, shown.stderr
        line = next(ln for ln in shown.stdout.splitlines() if "Offers:" in ln)
        value = line.split("Sec-WebSocket-Extensions:", 1)[1].split(" (declined")[0]
        got = []
        for element in value.split(","):
            name, *params = [p.strip() for p in element.split(";")]
            assert name == "permessage-deflate"
            got.append(set(params))
        assert got == want[n], (n, got)
