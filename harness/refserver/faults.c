/* faults: the names and descriptions of the reference server's faults.
 *
 * A fault makes `wsspec serve` break exactly one RFC 6455 or 7692 rule, so that the
 * test suite can prove the cases checking that rule fail against it. The
 * behaviour itself lives in refserver_conn.c; this file only names them. */
#include "refserver/faults.h"

#include <stddef.h>
#include <string.h>

struct fault_entry {
    const char *name;
    const char *description;
};

/* Indexed by enum fault; every entry is checked by fault_lookup's loop. */
static const struct fault_entry fault_table[FAULT_COUNT] = {
    [FAULT_ACCEPT_UNMASKED] = {"accept-unmasked", "accepts unmasked client frames (6455:5.1)"},
    [FAULT_IGNORE_RSV] = {"ignore-rsv",
                          "treats RSV bits as zero when no extension was negotiated (6455:5.2)"},
    [FAULT_ACCEPT_RESERVED_OPCODE] = {"accept-reserved-opcode",
                                      "silently ignores frames with reserved opcodes (6455:5.2)"},
    [FAULT_ACCEPT_LONG_CONTROL] = {"accept-long-control",
                                   "accepts control frames longer than 125 octets (6455:5.5)"},
    [FAULT_ACCEPT_FRAGMENTED_CONTROL] = {"accept-fragmented-control",
                                         "treats control frames with FIN=0 as final (6455:5.5)"},
    [FAULT_ACCEPT_BAD_CONTINUATION] = {"accept-bad-continuation",
                                       "takes an orphan continuation as a new binary message and a "
                                       "data frame inside a fragmented message as its continuation "
                                       "(6455:5.4)"},
    [FAULT_NO_UTF8_CHECK] = {"no-utf8-check", "never validates text messages as UTF-8 (6455:8.1)"},
    [FAULT_UTF8_CHECK_AT_END] = {"utf8-check-at-end",
                                 "validates text only when the message is complete, no fail-fast "
                                 "(6455:8.1)"},
    [FAULT_ACCEPT_BAD_CLOSE_CODE] = {"accept-bad-close-code",
                                     "accepts invalid close codes and 1-octet close payloads and "
                                     "echoes them (6455:7.4, 5.5.1)"},
    [FAULT_ACCEPT_BAD_CLOSE_REASON] = {"accept-bad-close-reason",
                                       "accepts close reasons that are not UTF-8 (6455:5.5.1)"},
    [FAULT_NO_CLOSE_REPLY] = {"no-close-reply",
                              "drops TCP instead of answering a valid close frame (6455:5.5.1)"},
    [FAULT_CLOSE_REPLY_WRONG_CODE] = {"close-reply-wrong-code",
                                      "answers a valid close with 1011 instead of echoing its code "
                                      "(6455:5.5.1)"},
    [FAULT_NO_PONG] = {"no-pong", "never answers pings (6455:5.5.2)"},
    [FAULT_PONG_WRONG_PAYLOAD] = {"pong-wrong-payload",
                                  "answers pings with an empty pong (6455:5.5.3)"},
    [FAULT_WRONG_ACCEPT_KEY] = {"wrong-accept-key",
                                "sends a well-formed but wrong Sec-WebSocket-Accept (6455:4.2.2)"},
    [FAULT_MASK_SERVER_FRAMES] = {"mask-server-frames", "masks every frame it sends (6455:5.1)"},
    [FAULT_ACCEPT_BAD_VERSION] = {"accept-bad-version",
                                  "treats any Sec-WebSocket-Version, or none, as 13 (6455:4.4)"},
    [FAULT_IGNORE_MESSAGE_LIMIT] = {"ignore-message-limit",
                                    "keeps assembling messages past --max-message (up to 1 GiB) "
                                    "instead of closing with 1009"},
    [FAULT_ECHO_AFTER_CLOSE] = {"echo-after-close",
                                "keeps echoing data frames received after a close frame "
                                "(6455:5.5.1)"},
    [FAULT_CLIENT_CLOSES_TCP] = {"client-closes-tcp",
                                 "after the closing handshake waits for the client to close TCP "
                                 "(6455:7.1.1)"},
    [FAULT_ECHO_ALTERED] = {"echo-altered",
                            "appends the octet '!' to every message it echoes (breaks the echo "
                            "convention every case relies on)"},
    [FAULT_UTF8_CHECK_PER_FRAME] = {"utf8-check-per-frame",
                                    "validates each text frame on its own, so a code point split "
                                    "across frames fails (6455:5.6)"},
    [FAULT_ACCEPT_NON_MINIMAL_LENGTH] = {"accept-non-minimal-length",
                                         "accepts lengths not encoded in the minimal number of "
                                         "octets (6455:5.2)"},
    [FAULT_ACCEPT_ANY_REQUEST] = {"accept-any-request",
                                  "upgrades any request that parses as HTTP, whatever its method, "
                                  "version, Host, Upgrade, Connection or key (6455:4.2.1)"},
    [FAULT_ACCEPT_RSV1_CONTINUATION] = {"accept-rsv1-continuation",
                                        "with permessage-deflate agreed, takes RSV1 on a "
                                        "continuation frame as clear (7692:6.1)"},
    [FAULT_ACCEPT_RSV1_CONTROL] = {"accept-rsv1-control",
                                   "with permessage-deflate agreed, takes RSV1 on a control frame "
                                   "as clear (7692:6.1)"},
    [FAULT_KEEP_CONTEXT] = {"keep-context",
                            "keeps its compression window from message to message although "
                            "server_no_context_takeover was agreed (7692:7.1.1.1, 7.2.1)"},
    [FAULT_IGNORE_SERVER_WINDOW_BITS] = {"ignore-server-window-bits",
                                         "compresses with a window of 2^15 whatever "
                                         "server_max_window_bits was agreed (7692:7.1.2.1)"},
    [FAULT_RESPOND_UNOFFERED_PARAM] = {"respond-unoffered-param",
                                       "answers client_max_window_bits=15 to an offer without "
                                       "client_max_window_bits (7692:7.1.2.2)"},
    [FAULT_ACCEPT_INVALID_OFFER] = {"accept-invalid-offer",
                                    "accepts offers with unknown, invalid or duplicate parameters "
                                    "(ignoring those) instead of declining them (7692:7)"},
    [FAULT_INFLATE_UNBOUNDED] = {"inflate-unbounded",
                                 "inflates compressed messages past --max-message (up to 1 GiB) "
                                 "and echoes them instead of closing with 1009 (6455:10.4, "
                                 "7.4.1)"},
    [FAULT_CORRUPT_DEFLATE] = {"corrupt-deflate",
                               "sends compressed echoes whose first block has the reserved "
                               "BTYPE 11, not DEFLATE (7692:7.2.1, RFC 1951 3.2.3)"},
    /* Reached by no case of cases/, only by mutants (refserver_fuzzfaults.h). */
    [FAULT_FUZZ_CRASH] = {"fuzz-crash",
                          "aborts (SIGABRT) on a continuation frame with a 16-bit length in a "
                          "text message a ping came inside (6455:6.2 \"Incoming data MUST be "
                          "parsed\"); fuzz only"},
    [FAULT_FUZZ_HANG] = {"fuzz-hang",
                         "stops serving (no reads, answers or accepts until SIGTERM) on an empty "
                         "ping right after a ping inside a fragmented message (6455:5.5.2 \"MUST "
                         "send a Pong frame in response\"); fuzz only"},
    [FAULT_FUZZ_WRONG_CLOSE] = {"fuzz-wrong-close",
                                "fails invalid UTF-8 split across two fragments with a pong "
                                "between them with 1002, not 1007 (6455:8.1, 7.4.1 \"1007 ... "
                                "data within a message that was not consistent with the type of "
                                "the message\"); fuzz only"},
};

const char *fault_name(enum fault f) {
    if ((unsigned)f >= FAULT_COUNT)
        return "unknown";
    return fault_table[f].name;
}

const char *fault_description(enum fault f) {
    if ((unsigned)f >= FAULT_COUNT)
        return "unknown fault";
    return fault_table[f].description;
}

int fault_lookup(const char *name) {
    if (name == NULL)
        return -1;
    for (int f = 0; f < FAULT_COUNT; f++) {
        if (strcmp(fault_table[f].name, name) == 0)
            return f;
    }
    return -1;
}
