/* hs_request_fuzz: a client's opening-handshake request, as a hostile or
 * broken client may send it to our reference server. Parses it, judges it
 * (6455:4.2.1), builds the answer and reads that answer back with the
 * client's parser: the server we ship must always say something our own
 * client understands, and a 101 we build must pass 6455:4.1's checks. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "codec/handshake.h"

static void require(bool cond) {
    if (!cond)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct handshake_request req;
    long head = handshake_parse_request(data, size, &req);
    size_t scan = 0;
    long whole = handshake_head_complete(data, size, &scan);
    if (head == HANDSHAKE_NEED_MORE)
        require(whole == HANDSHAKE_NEED_MORE);
    if (head <= 0)
        return 0;
    require(whole == head);
    require((size_t)head <= size && req.header_count <= HANDSHAKE_MAX_HEADERS);
    /* A second struct: the prefix parse must not clobber the real one. */
    struct handshake_request prefix;
    require(handshake_parse_request(data, (size_t)head - 1, &prefix) == HANDSHAKE_NEED_MORE);

    struct handshake_server_verdict verdict;
    handshake_check_request(&req, &verdict);
    require(verdict.status == 101 || verdict.status == 400 || verdict.status == 405 ||
            verdict.status == 426);
    require((verdict.status == 101) == (verdict.problem == NULL));

    struct buf out = {0};
    const char *protocol = verdict.protocols.len > 0 ? "chat" : NULL;
    require(handshake_build_response(&verdict, NULL, protocol, NULL, &out) == 0);

    struct handshake_response resp;
    long answer = handshake_parse_response(out.data, out.len, &resp);
    require(answer > 0 && resp.status == verdict.status);
    if (verdict.status == 101) {
        require((size_t)answer == out.len);
        char key[HANDSHAKE_KEY_LEN + 1];
        require(verdict.key.len == HANDSHAKE_KEY_LEN);
        memcpy(key, verdict.key.ptr, HANDSHAKE_KEY_LEN);
        key[HANDSHAKE_KEY_LEN] = '\0';
        require(handshake_check_response(&resp, key, protocol, NULL) == HANDSHAKE_RESP_OK);
    } else {
        require((size_t)answer < out.len); /* the short text body follows */
        require(handshake_check_response(&resp, "x", NULL, NULL) == HANDSHAKE_RESP_NOT_101);
    }
    buf_free(&out);
    return 0;
}
