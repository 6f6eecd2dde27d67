/* hs_response_fuzz: a server's opening-handshake response, as a hostile
 * server may send it. Parses it, checks it against 6455:4.1 with a fixed
 * key and offer, and asserts what must hold for every input:
 *  - views lie inside the head, and the head inside the input;
 *  - handshake_head_complete, one-shot and fed in chunks, finds the same head end
 *    the parser does (and "need more" when the parser needs more);
 *  - one octet less than the head is "need more", never an error;
 *  - the words for a head that is no HTTP, or for a 101's problem
 *    (handshake_describe.c), stay inside their buffer and end in a NUL. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/handshake.h"

#define FUZZ_KEY "dGhlIHNhbXBsZSBub25jZQ=="

static void require(bool cond) {
    if (!cond)
        abort();
}

static bool view_inside(struct handshake_view v, const uint8_t *head, size_t head_len) {
    const char *start = (const char *)head;
    return v.len == 0 ||
           (v.ptr >= start && v.len <= head_len && (size_t)(v.ptr - start) <= head_len - v.len);
}

/* Feed the input to handshake_head_complete in growing prefixes, `step` octets at
 * a time, like reads off a socket. */
static long head_complete_chunked(const uint8_t *data, size_t size, size_t step) {
    size_t scan = 0, fed = 0;
    long got = HANDSHAKE_NEED_MORE;
    while (got == HANDSHAKE_NEED_MORE && fed < size) {
        fed = size - fed < step ? size : fed + step;
        got = handshake_head_complete(data, fed, &scan);
    }
    return got;
}

/* A description written into a buffer of `cap` octets (cap picked by the
 * input) must be NUL-terminated within it; the octets after it untouched. */
static char words[600];

static void require_words(size_t cap) {
    require(memchr(words, '\0', cap) != NULL);
    for (size_t i = cap; i < sizeof words; i++)
        require(words[i] == 0x5a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct handshake_response resp;
    long head = handshake_parse_response(data, size, &resp);
    size_t scan = 0;
    long whole = handshake_head_complete(data, size, &scan);
    if (head == HANDSHAKE_NEED_MORE)
        require(whole == HANDSHAKE_NEED_MORE);
    size_t cap = 1 + (size ? data[0] : 0) * 2; /* 1..511 */
    if (head == WS_ERR_HANDSHAKE_SYNTAX || !handshake_response_may_start(data, size)) {
        memset(words, 0x5a, sizeof words);
        handshake_describe_not_http(data, size, words, cap);
        require_words(cap);
    }
    if (head <= 0)
        return 0;

    size_t head_len = (size_t)head;
    require(head_len <= size && head_len <= HANDSHAKE_MAX_HEAD);
    require(resp.header_count <= HANDSHAKE_MAX_HEADERS);
    require(resp.status >= 0 && resp.status <= 999);
    require(view_inside(resp.reason, data, head_len));
    for (size_t i = 0; i < resp.header_count; i++) {
        require(resp.headers[i].name.len > 0);
        require(view_inside(resp.headers[i].name, data, head_len));
        require(view_inside(resp.headers[i].value, data, head_len));
    }
    enum handshake_response_problem problem = handshake_check_response(
        &resp, FUZZ_KEY, "chat, superchat",
        "permessage-deflate; client_max_window_bits, x-webkit-deflate-frame");
    require(handshake_response_problem_name(problem) != NULL);
    memset(words, 0x5a, sizeof words);
    handshake_describe_problem(&resp, problem, FUZZ_KEY, "chat, superchat", NULL, words, cap);
    require_words(cap);

    require(whole == head);
    /* Chunks of 1..16 octets, picked by the input's last octet. */
    size_t step = 1 + (size_t)(data[size - 1] % 16);
    require(head_complete_chunked(data, size, step) == head);

    struct handshake_response prefix;
    require(handshake_parse_response(data, head_len - 1, &prefix) == HANDSHAKE_NEED_MORE);
    return 0;
}
