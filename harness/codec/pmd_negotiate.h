/* pmd_negotiate: the Sec-WebSocket-Extensions negotiation of
 * permessage-deflate (RFC 7692 sections 5 and 7.1, on the ABNF of 6455:9.1).
 *
 * Pure functions, no allocation. Three steps:
 *   1. pmd_ext_parse(): a header value into extension elements (views into
 *      the caller's bytes), any extension name;
 *   2. pmd_params_parse(): one permessage-deflate element into its four
 *      parameters, judged as an offer or as a response (7692:7.1);
 *   3. the roles: pmd_server_respond() picks the first acceptable offer and
 *      builds the response (pmd_params_write() writes it); pmd_client_check()
 *      judges a server's response against what the client offered.
 *
 * What a peer got wrong is a pmd_problem (verdict material, with a name and
 * the RFC section that forbids it); what is ours (a header with more
 * elements or parameters than we keep) is a negative ws_error (WS_ERR_LIMIT,
 * WS_ERR_ARG). The two never share a return value. */
#ifndef WSSPEC_PMD_NEGOTIATE_H
#define WSSPEC_PMD_NEGOTIATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PMD_EXTENSION_NAME   "permessage-deflate"
/* Our limits on one parsed header: elements (offers) and parameters each. */
#define PMD_EXT_MAX_ELEMENTS 16
#define PMD_EXT_MAX_PARAMS   16
/* 7692:7.1.2.1 "between 8 to 15, inclusive" */
#define PMD_WINDOW_BITS_MIN  8
#define PMD_WINDOW_BITS_MAX  15

/* X(name, text, section): every problem a peer's header can have. */
#define PMD_PROBLEM_LIST(X)                                                                        \
    X(PMD_P_OK, "ok", "")                                                                          \
    X(PMD_P_SYNTAX, "syntax", "6455:9.1")                                                          \
    X(PMD_P_QUOTED_NOT_TOKEN, "quoted-value-not-token", "6455:9.1")                                \
    X(PMD_P_UNKNOWN_PARAM, "unknown-parameter", "7692:7")                                          \
    X(PMD_P_DUPLICATE_PARAM, "duplicate-parameter", "7692:7")                                      \
    X(PMD_P_VALUE_NOT_ALLOWED, "value-not-allowed", "7692:7.1.1")                                  \
    X(PMD_P_VALUE_MISSING, "value-missing", "7692:7.1.2")                                          \
    X(PMD_P_BAD_WINDOW_BITS, "bad-window-bits", "7692:7.1.2")                                      \
    X(PMD_P_RESP_NOT_OFFERED, "response-not-offered", "6455:9.1")                                  \
    X(PMD_P_RESP_TWICE, "response-twice", "7692:5")                                                \
    X(PMD_P_RESP_CLIENT_BITS_NOT_OFFERED, "client-max-window-bits-not-offered", "7692:7.1.2.2")    \
    X(PMD_P_RESP_SERVER_BITS_LARGER, "server-max-window-bits-larger", "7692:7.1.2.1")              \
    X(PMD_P_RESP_SERVER_BITS_MISSING, "server-max-window-bits-missing", "7692:7.1.2.1")            \
    X(PMD_P_RESP_SERVER_NCT_MISSING, "server-no-context-takeover-missing", "7692:7.1.1.1")

#define PMD_PROBLEM_ENUM_(name, text, section) name,
enum pmd_problem { PMD_PROBLEM_LIST(PMD_PROBLEM_ENUM_) PMD_PROBLEM_COUNT };
#undef PMD_PROBLEM_ENUM_

/* A view into the caller's header bytes. */
struct pmd_span {
    const char *ptr;
    size_t len;
};

struct pmd_ext_param {
    struct pmd_span name;
    bool has_value;
    bool quoted;           /* value was a quoted-string: value keeps the quotes */
    struct pmd_span value; /* raw, as on the wire */
};

struct pmd_ext_element {
    struct pmd_span name;
    size_t param_count;
    struct pmd_ext_param params[PMD_EXT_MAX_PARAMS];
};

struct pmd_ext_list {
    size_t count;
    struct pmd_ext_element elements[PMD_EXT_MAX_ELEMENTS];
    enum pmd_problem problem; /* PMD_P_OK, PMD_P_SYNTAX or PMD_P_QUOTED_NOT_TOKEN */
    size_t problem_offset;    /* into the value that had the problem */
};

/* The permessage-deflate parameters of one offer or response. */
struct pmd_params {
    bool server_no_context_takeover;
    bool client_no_context_takeover;
    bool has_server_max_window_bits;
    uint8_t server_max_window_bits;
    bool has_client_max_window_bits;
    bool client_max_window_bits_has_value; /* an offer may send it bare */
    uint8_t client_max_window_bits;
};

/* What both sides use once an offer is accepted. */
struct pmd_settings {
    uint8_t server_max_window_bits; /* 8..15: the server's compression window */
    uint8_t client_max_window_bits; /* 8..15: the client's compression window */
    bool server_no_context_takeover;
    bool client_no_context_takeover;
};

enum pmd_header_kind { PMD_OFFER, PMD_RESPONSE };

/* The reference server's choices. */
struct pmd_server_config {
    bool enabled;                   /* false: decline every offer */
    uint8_t server_max_window_bits; /* largest window it compresses with */
    uint8_t server_min_window_bits; /* smallest it can (zlib deflate: 9) */
    bool support_server_no_context_takeover;
    bool server_no_context_takeover; /* add it even when not offered */
    bool client_no_context_takeover; /* ask the client for it */
    uint8_t client_max_window_bits;  /* ask the client for at most this (when offered) */
};

struct pmd_server_result {
    bool accepted;
    size_t element_index; /* in the list, of the accepted offer */
    struct pmd_params response;
    struct pmd_settings settings;
};

struct pmd_client_result {
    bool accepted;      /* the response has permessage-deflate */
    size_t offer_index; /* the offer it answers */
    struct pmd_params response;
    struct pmd_settings settings;
};

/* Appends the elements of one header value to *list (zero it first; call
 * once per header line). Returns 0 (list->problem says whether the value
 * was well-formed; on a problem the elements after it are not added) or
 * WS_ERR_LIMIT when the value holds more elements or parameters than we
 * keep, WS_ERR_ARG for a NULL list. */
int pmd_ext_parse(const char *value, size_t len, struct pmd_ext_list *list);
bool pmd_span_is(struct pmd_span s, const char *text);
/* One element's permessage-deflate parameters, judged per 7692:7.1 for the
 * given direction. *out is filled with what was read before any problem. */
enum pmd_problem pmd_params_parse(const struct pmd_ext_element *element,
                                  enum pmd_header_kind direction, struct pmd_params *out);
/* Server role: the first permessage-deflate offer in list that is valid and
 * that config supports (7692:7 "A server MUST decline an extension
 * negotiation offer for this extension if ..."). Returns 0, or WS_ERR_ARG for
 * a config with window bits outside 8..15. */
int pmd_server_respond(const struct pmd_ext_list *offers, const struct pmd_server_config *config,
                       struct pmd_server_result *out);
/* Client role: judge the server's parsed response against our offers (in
 * the order sent). Returns PMD_P_OK (out->accepted says whether deflate is
 * on) or the problem for which the client MUST _Fail the WebSocket
 * Connection_. */
enum pmd_problem pmd_client_check(const struct pmd_params *offers, size_t offer_count,
                                  const struct pmd_ext_list *response,
                                  struct pmd_client_result *out);
/* Writes "permessage-deflate; ..." for params (no NUL). Returns the length,
 * or 0 when it does not fit in cap. */
size_t pmd_params_write(const struct pmd_params *params, char *out, size_t cap);
const char *pmd_problem_name(enum pmd_problem p);
const char *pmd_problem_section(enum pmd_problem p);

#endif
