/* caseload_handshake: the opening handshake of a case (cases/README.md,
 * "handshake" in a case and in an outcome), from an already
 * parameter-expanded tree: what we send (overrides of the request, or a raw
 * request) and what the peer's answer must be. */
#include <stdlib.h>
#include <string.h>

#include "codec/handshake.h"
#include "load/caseload_int.h"

/* A raw request is held whole while it is sent; a larger one is surely a
 * mistake (100 KiB of header lines is the largest the corpus needs). */
#define MAX_RAW_REQUEST (1024u * 1024u)

static int nomem(struct caseload_ctx *c) {
    return caseload_fail(c, false, "out of memory");
}

/* ---- what we send -------------------------------------------------------- */

/* The header lines our request always carries (handshake.h
 * handshake_build_request): a "set" without a value respells one of them. */
static bool is_default_header(const char *name) {
    static const char *const defaults[] = {
        "Host", "Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version", NULL};
    struct handshake_view v = {name, strlen(name)};
    for (size_t i = 0; defaults[i]; i++)
        if (handshake_view_eq_nocase(v, defaults[i]))
            return true;
    return false;
}

static int parse_header(struct caseload_ctx *c, const json_t *v, struct handshake_override *h,
                        size_t i) {
    static const char *const keys[] = {"set", "add", "omit", "value", NULL};
    static const char *const ops[] = {"set", "add", "omit"};
    static const int op_codes[] = {HANDSHAKE_HDR_SET, HANDSHAKE_HDR_ADD, HANDSHAKE_HDR_OMIT};
    if (!json_is_object(v))
        return caseload_fail(c, false,
                             "expected {\"set\"|\"add\"|\"omit\": NAME, \"value\": V}, "
                             "got %s",
                             caseload_type_name(v));
    if (caseload_check_keys(c, v, keys) != 0)
        return -1;
    int op = -1;
    for (int k = 0; k < 3; k++) {
        if (!json_object_get(v, ops[k]))
            continue;
        if (op >= 0) {
            caseload_push_key(c, ops[k]);
            return caseload_fail(c, true, "a header entry has one of set, add, omit");
        }
        op = k;
    }
    if (op < 0)
        return caseload_fail(c, false, "a header entry needs one of: set, add, omit");
    h->headers[i].op = op_codes[op];
    if (caseload_get_string(c, v, ops[op], &h->headers[i].name) != 0)
        return -1;
    if (h->headers[i].name[0] == '\0') {
        caseload_push_key(c, ops[op]);
        return caseload_fail(c, false, "a header name must not be empty");
    }
    if (op_codes[op] == HANDSHAKE_HDR_OMIT && json_object_get(v, "value")) {
        caseload_push_key(c, "value");
        return caseload_fail(c, true, "an omitted header has no value");
    }
    /* "set" without a value keeps the default line's value and spells its
     * name as given: 6455:4.1 "all header field names in both HTTP requests
     * and HTTP responses are case-insensitive". */
    if (op_codes[op] == HANDSHAKE_HDR_SET && !json_object_get(v, "value") &&
        !is_default_header(h->headers[i].name)) {
        caseload_push_key(c, "set");
        return caseload_fail(c, false,
                             "\"%s\" is not a default header: a \"set\" without \"value\" only "
                             "respells Host, Upgrade, Connection, Sec-WebSocket-Key or "
                             "Sec-WebSocket-Version",
                             h->headers[i].name);
    }
    if (op_codes[op] == HANDSHAKE_HDR_ADD && caseload_require(c, v, "value") != 0)
        return -1;
    return caseload_get_string(c, v, "value", &h->headers[i].value);
}

static int parse_headers(struct caseload_ctx *c, const json_t *headers,
                         struct handshake_override *out) {
    if (caseload_push_key(c, "headers") != 0)
        return -1;
    if (!json_is_array(headers))
        return caseload_fail(c, false, "expected a list of header entries, got %s",
                             caseload_type_name(headers));
    size_t n = json_array_size(headers);
    if (n > 0 && !(out->headers = calloc(n, sizeof *out->headers)))
        return nomem(c);
    for (size_t i = 0; i < n; i++) {
        out->header_count = i + 1;
        if (caseload_push_index(c, i) != 0 ||
            parse_header(c, json_array_get(headers, i), out, i) != 0)
            return -1;
        caseload_pop(c);
    }
    caseload_pop(c);
    return 0;
}

static int get_nonempty_string(struct caseload_ctx *c, const json_t *obj, const char *key,
                               char **out) {
    if (caseload_get_string(c, obj, key, out) != 0)
        return -1;
    if (*out && (*out)[0] == '\0') {
        caseload_push_key(c, key);
        return caseload_fail(c, false, "must not be empty");
    }
    return 0;
}

static int parse_host_form(struct caseload_ctx *c, const json_t *obj, enum host_form *out) {
    const json_t *v = json_object_get(obj, "host_port");
    if (!v)
        return 0;
    if (caseload_push_key(c, "host_port") != 0)
        return -1;
    if (!json_is_boolean(v))
        return caseload_fail(c, false, "expected true (Host with the port) or false (without)");
    *out = json_is_true(v) ? HOST_FORM_PORT : HOST_FORM_NO_PORT;
    caseload_pop(c);
    return 0;
}

/* On error the caller frees *out (through case_free). */
int caseload_handshake(struct caseload_ctx *c, const json_t *obj, struct handshake_override *out) {
    static const char *const keys[] = {
        "target",       "protocols", "extensions", "headers", "method",
        "http_version", "query",     "host_port",  "raw",     NULL};
    if (!json_is_object(obj))
        return caseload_fail(c, false, "expected an object, got %s", caseload_type_name(obj));
    if (caseload_check_keys(c, obj, keys) != 0)
        return -1;
    const json_t *raw = json_object_get(obj, "raw");
    if (raw) {
        /* A raw request replaces everything: a field beside it would be
         * silently ignored, which is never what the author meant. */
        for (size_t i = 0; keys[i]; i++) {
            if (strcmp(keys[i], "raw") != 0 && json_object_get(obj, keys[i])) {
                caseload_push_key(c, keys[i]);
                return caseload_fail(c, true,
                                     "\"raw\" is the whole request: \"%s\" cannot go "
                                     "with it",
                                     keys[i]);
            }
        }
        if (caseload_push_key(c, "raw") != 0 || caseload_payload(c, raw, &out->raw) != 0)
            return -1;
        if (out->raw.length == 0)
            return caseload_fail(c, false, "a raw request needs at least one octet");
        if (out->raw.length > MAX_RAW_REQUEST)
            return caseload_fail(c, false, "a raw request is at most %u octets", MAX_RAW_REQUEST);
        out->raw_set = true;
        caseload_pop(c);
        return 0;
    }
    if (caseload_get_string(c, obj, "target", &out->target) != 0 ||
        caseload_get_string(c, obj, "protocols", &out->protocols) != 0 ||
        caseload_get_string(c, obj, "extensions", &out->extensions) != 0 ||
        get_nonempty_string(c, obj, "method", &out->method) != 0 ||
        get_nonempty_string(c, obj, "http_version", &out->http_version) != 0 ||
        caseload_get_string(c, obj, "query", &out->query) != 0 ||
        parse_host_form(c, obj, &out->host_form) != 0)
        return -1;
    const json_t *headers = json_object_get(obj, "headers");
    return headers ? parse_headers(c, headers, out) : 0;
}

/* ---- what the peer must answer -------------------------------------------- */

/* 100..599, or "1xx".."5xx" stored as the class digit. */
static int parse_status(struct caseload_ctx *c, const json_t *v, uint16_t *out) {
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (strlen(s) == 3 && s[0] >= '1' && s[0] <= '5' && s[1] == 'x' && s[2] == 'x') {
            *out = (uint16_t)(s[0] - '0');
            return 0;
        }
        return caseload_fail(c, false, "expected a status 100-599 or a class \"1xx\"-\"5xx\"");
    }
    uint64_t status;
    if (caseload_uint_value(c, v, 100, 599, &status) != 0)
        return -1;
    *out = (uint16_t)status;
    return 0;
}

static int parse_statuses(struct caseload_ctx *c, const json_t *v, struct handshake_expect *h) {
    if (caseload_push_key(c, "status") != 0)
        return -1;
    if (!json_is_array(v) || json_array_size(v) == 0)
        return caseload_fail(c, false, "expected a non-empty list of HTTP statuses, got %s",
                             json_is_array(v) ? "an empty list" : caseload_type_name(v));
    size_t n = json_array_size(v);
    if (!(h->statuses = calloc(n, sizeof *h->statuses)))
        return nomem(c);
    for (size_t i = 0; i < n; i++) {
        if (caseload_push_index(c, i) != 0 ||
            parse_status(c, json_array_get(v, i), &h->statuses[i]) != 0)
            return -1;
        h->status_count = i + 1;
        caseload_pop(c);
    }
    caseload_pop(c);
    return 0;
}

static int parse_expected_headers(struct caseload_ctx *c, const json_t *v,
                                  struct handshake_expect *h) {
    if (caseload_push_key(c, "headers") != 0)
        return -1;
    if (!json_is_object(v))
        return caseload_fail(c, false, "expected an object of header names and values, got %s",
                             caseload_type_name(v));
    size_t n = json_object_size(v);
    if (n > 0 && !(h->headers = calloc(n, sizeof *h->headers)))
        return nomem(c);
    const char *name;
    const json_t *value;
    json_object_foreach((json_t *)v, name, value) {
        struct header_expect *e = &h->headers[h->header_count];
        if (name[0] == '\0')
            return caseload_fail(c, false, "a header name must not be empty");
        if (!(e->name = strdup(name)))
            return nomem(c);
        h->header_count++;
        if (caseload_push_key(c, name) != 0 || caseload_string_value(c, value, &e->value) != 0)
            return -1;
        caseload_pop(c);
    }
    caseload_pop(c);
    return 0;
}

static int parse_absent(struct caseload_ctx *c, const json_t *v, struct handshake_expect *h) {
    if (caseload_push_key(c, "absent_headers") != 0)
        return -1;
    if (!json_is_array(v))
        return caseload_fail(c, false, "expected a list of header names, got %s",
                             caseload_type_name(v));
    size_t n = json_array_size(v);
    if (n > 0 && !(h->absent = calloc(n, sizeof *h->absent)))
        return nomem(c);
    for (size_t i = 0; i < n; i++) {
        if (caseload_push_index(c, i) != 0 ||
            caseload_string_value(c, json_array_get(v, i), &h->absent[i]) != 0)
            return -1;
        h->absent_count = i + 1;
        if (h->absent[i][0] == '\0')
            return caseload_fail(c, false, "a header name must not be empty");
        caseload_pop(c);
    }
    caseload_pop(c);
    return 0;
}

/* On error the caller frees *out (through case_free). */
int caseload_handshake_expect(struct caseload_ctx *c, const json_t *obj,
                              struct handshake_expect *out) {
    static const char *const keys[] = {
        "status", "headers", "absent_headers", "allow_no_response", "allow_silence", NULL};
    if (!json_is_object(obj))
        return caseload_fail(c, false, "expected an object, got %s", caseload_type_name(obj));
    if (caseload_check_keys(c, obj, keys) != 0 ||
        caseload_get_bool(c, obj, "allow_no_response", &out->allow_no_response) != 0 ||
        caseload_get_bool(c, obj, "allow_silence", &out->allow_silence) != 0)
        return -1;
    out->set = true;
    const json_t *v = json_object_get(obj, "status");
    if (v) {
        if (parse_statuses(c, v, out) != 0)
            return -1;
    } else {
        /* Absent: the handshake must succeed (a case about a valid request). */
        if (!(out->statuses = calloc(1, sizeof *out->statuses)))
            return nomem(c);
        out->statuses[0] = 101;
        out->status_count = 1;
    }
    if ((v = json_object_get(obj, "headers")) && parse_expected_headers(c, v, out) != 0)
        return -1;
    if ((v = json_object_get(obj, "absent_headers")) && parse_absent(c, v, out) != 0)
        return -1;
    return 0;
}
