/* pmd_negotiate_test: the permessage-deflate negotiation (RFC 7692 7.1) as
 * tables: header values -> parse problem, offers -> server response,
 * offer + response -> client verdict. Each row names the sentence it checks. */
#include <stdbool.h>
#include <string.h>

#include "base/errors.h"
#include "codec/pmd_negotiate.h"
#include "test.h"

/* Parse one header value; the problem of the header, or of the first
 * element's parameters read as `dir`. */
static enum pmd_problem parse_as(const char *value, enum pmd_header_kind dir,
                                 struct pmd_params *params) {
    static struct pmd_ext_list list;
    memset(&list, 0, sizeof list);
    int rc = pmd_ext_parse(value, strlen(value), &list);
    CHECK_EQ(rc, 0);
    if (list.problem != PMD_P_OK)
        return list.problem;
    CHECK(list.count >= 1);
    return pmd_params_parse(&list.elements[0], dir, params);
}

struct parse_row {
    const char *value;
    enum pmd_header_kind dir;
    enum pmd_problem want;
    const char *why;
};

static const struct parse_row parse_rows[] = {
    {"permessage-deflate", PMD_OFFER, PMD_P_OK, "7692:7 no parameters"},
    {"permessage-deflate; client_max_window_bits", PMD_OFFER, PMD_P_OK,
     "7692:7.1.2.2 offer: \"This parameter has no value or a decimal integer value\""},
    {"permessage-deflate; client_max_window_bits", PMD_RESPONSE, PMD_P_VALUE_MISSING,
     "7692:7.1.2.2 response \"has a decimal integer value\""},
    {"permessage-deflate;server_max_window_bits=10;client_max_window_bits=8", PMD_OFFER, PMD_P_OK,
     "7692:7.1.2 values 8 to 15, no blanks needed (6455:9.1)"},
    {"permessage-deflate ; server_no_context_takeover ;client_no_context_takeover", PMD_OFFER,
     PMD_P_OK, "6455:9.1 implied LWS around ';'"},
    {"permessage-deflate; server_max_window_bits = 10 ,", PMD_OFFER, PMD_P_OK,
     "6455:9.1 implied LWS around '=', an empty element after ','"},
    {"PerMessage-Deflate; Server_Max_Window_Bits=10", PMD_OFFER, PMD_P_OK,
     "our reading: names compared case-insensitively (neither RFC says)"},
    {"permessage-deflate; server_max_window_bits=\"1\x01\"", PMD_OFFER, PMD_P_SYNTAX,
     "RFC 9110 5.6.4 qdtext holds no control octet"},
    {"permessage-deflate, =x", PMD_OFFER, PMD_P_SYNTAX, "6455:9.1 an element starts with a token"},
    {"permessage-deflate; server_max_window_bits=\"10\"", PMD_OFFER, PMD_P_OK,
     "6455:9.1 quoted-string value that unescapes to a token"},
    {"permessage-deflate; server_max_window_bits=\"1\\0\"", PMD_OFFER, PMD_P_OK,
     "6455:9.1 the value after quoted-string unescaping (\\0 is 0)"},
    {"permessage-deflate; server_max_window_bits=\"\"", PMD_OFFER, PMD_P_QUOTED_NOT_TOKEN,
     "6455:9.1 empty text is no token"},
    {"permessage-deflate; server_max_window_bits=\"1 0\"", PMD_OFFER, PMD_P_QUOTED_NOT_TOKEN,
     "6455:9.1 unescaped value MUST conform to the 'token' ABNF"},
    {"permessage-deflate; server_max_window_bits=\"10", PMD_OFFER, PMD_P_SYNTAX,
     "6455:9.1 unterminated quoted-string"},
    {"permessage-deflate; server_max_window_bits=", PMD_OFFER, PMD_P_SYNTAX,
     "6455:9.1 '=' needs a token or quoted-string"},
    {"permessage-deflate;", PMD_OFFER, PMD_P_SYNTAX, "6455:9.1 ';' needs an extension-param"},
    {"", PMD_OFFER, PMD_P_SYNTAX, "6455:9.1 extension-list = 1#extension"},
    {" , ", PMD_OFFER, PMD_P_SYNTAX, "6455:9.1 1#extension: empty elements do not count"},
    {"permessage-deflate x", PMD_OFFER, PMD_P_SYNTAX, "6455:9.1 two tokens without a separator"},
    {"permessage-deflate; foo", PMD_OFFER, PMD_P_UNKNOWN_PARAM,
     "7692:7 \"an extension parameter not defined for use in an offer\""},
    {"permessage-deflate; server_no_context_takeover; server_no_context_takeover", PMD_OFFER,
     PMD_P_DUPLICATE_PARAM, "7692:7 \"multiple extension parameters with the same name\""},
    {"permessage-deflate; client_max_window_bits; client_max_window_bits=10", PMD_OFFER,
     PMD_P_DUPLICATE_PARAM, "7692:7 same name, with and without a value"},
    {"permessage-deflate; server_no_context_takeover=1", PMD_OFFER, PMD_P_VALUE_NOT_ALLOWED,
     "7692:7.1.1.1 \"This extension parameter has no value.\""},
    {"permessage-deflate; client_no_context_takeover=\"x\"", PMD_RESPONSE, PMD_P_VALUE_NOT_ALLOWED,
     "7692:7.1.1.2 response parameter \"has no value\""},
    {"permessage-deflate; server_max_window_bits", PMD_OFFER, PMD_P_VALUE_MISSING,
     "7692:7.1.2.1 \"This parameter has a decimal integer value\""},
    {"permessage-deflate; server_max_window_bits=7", PMD_OFFER, PMD_P_BAD_WINDOW_BITS,
     "7692:7.1.2.1 \"between 8 to 15, inclusive\""},
    {"permessage-deflate; server_max_window_bits=16", PMD_RESPONSE, PMD_P_BAD_WINDOW_BITS,
     "7692:7.1.2.1 \"between 8 to 15, inclusive\""},
    {"permessage-deflate; client_max_window_bits=08", PMD_OFFER, PMD_P_BAD_WINDOW_BITS,
     "7692:7.1.2.2 \"without leading zeroes\""},
    {"permessage-deflate; client_max_window_bits=\"015\"", PMD_RESPONSE, PMD_P_BAD_WINDOW_BITS,
     "7692:7.1.2.2 \"without leading zeroes\", after unescaping"},
    {"permessage-deflate; server_max_window_bits=1a", PMD_OFFER, PMD_P_BAD_WINDOW_BITS,
     "7692:7.1.2.1 server-max-window-bits = 1*DIGIT"},
    {"permessage-deflate; server_max_window_bits=100000000000000000015", PMD_OFFER,
     PMD_P_BAD_WINDOW_BITS, "7692:7.1.2.1 no overflow to 15"},
};

static void test_parse_table(void) {
    for (size_t i = 0; i < sizeof parse_rows / sizeof parse_rows[0]; i++) {
        struct pmd_params params;
        enum pmd_problem got = parse_as(parse_rows[i].value, parse_rows[i].dir, &params);
        if (got != parse_rows[i].want)
            fprintf(stderr, "row %zu (%s): got %s\n", i, parse_rows[i].why, pmd_problem_name(got));
        CHECK_EQ(got, parse_rows[i].want);
    }
}

static void test_parse_elements(void) {
    static struct pmd_ext_list list;
    memset(&list, 0, sizeof list);
    const char *v = "x-webkit-deflate-frame, permessage-deflate; client_max_window_bits=\"1\\5\","
                    " , permessage-deflate";
    CHECK_EQ(pmd_ext_parse(v, strlen(v), &list), 0);
    CHECK_EQ(list.problem, PMD_P_OK);
    CHECK_EQ(list.count, 3);
    CHECK(pmd_span_is(list.elements[0].name, "x-webkit-deflate-frame"));
    CHECK(pmd_span_is(list.elements[1].name, "permessage-deflate"));
    CHECK_EQ(list.elements[1].param_count, 1);
    CHECK(list.elements[1].params[0].quoted);
    CHECK_EQ(list.elements[1].params[0].value.len, 5); /* "1\5" with its quotes */
    struct pmd_params p;
    CHECK_EQ(pmd_params_parse(&list.elements[1], PMD_OFFER, &p), PMD_P_OK);
    CHECK(p.client_max_window_bits_has_value);
    CHECK_EQ(p.client_max_window_bits, 15);
    /* A second header line appends (RFC 9110 5.3: lines combine with ","). */
    CHECK_EQ(pmd_ext_parse("foo", 3, &list), 0);
    CHECK_EQ(list.count, 4);
    /* Our limits are errors, never problems. */
    memset(&list, 0, sizeof list);
    char many[PMD_EXT_MAX_ELEMENTS * 3 + 8];
    size_t n = 0;
    for (int i = 0; i <= PMD_EXT_MAX_ELEMENTS; i++) {
        many[n++] = 'a';
        many[n++] = ',';
    }
    CHECK_EQ(pmd_ext_parse(many, n, &list), WS_ERR_LIMIT);
    CHECK_EQ(list.problem, PMD_P_OK);
    CHECK_EQ(pmd_ext_parse("a", 1, NULL), WS_ERR_ARG);
    /* More parameters than we keep: our limit, not the peer's problem. */
    memset(&list, 0, sizeof list);
    char params[PMD_EXT_MAX_PARAMS * 4 + 8] = "x";
    for (int i = 0; i <= PMD_EXT_MAX_PARAMS; i++)
        strcat(params, ";p");
    CHECK_EQ(pmd_ext_parse(params, strlen(params), &list), WS_ERR_LIMIT);
    CHECK_EQ(list.problem, PMD_P_OK);
    /* A problem names its offset, and later lines add nothing. */
    memset(&list, 0, sizeof list);
    CHECK_EQ(pmd_ext_parse("a, b;", 5, &list), 0);
    CHECK_EQ(list.problem, PMD_P_SYNTAX);
    CHECK_EQ(list.problem_offset, 5);
    CHECK_EQ(list.count, 1);
    CHECK_EQ(pmd_ext_parse("c", 1, &list), 0);
    CHECK_EQ(list.count, 1);
    CHECK_EQ(list.problem, PMD_P_SYNTAX);
}

struct server_row {
    const char *offers;
    struct pmd_server_config config;
    bool accepted;
    size_t index;
    const char *response;
    struct pmd_settings settings; /* server bits, client bits, server nct, client nct */
    const char *why;
};

#define CFG_DEFAULT                                                                                \
    { true, 15, 8, true, false, false, 15 }
#define CFG_ZLIB                                                                                   \
    { true, 15, 9, true, false, false, 15 }

static const struct server_row server_rows[] = {
    {"permessage-deflate",
     CFG_DEFAULT,
     true,
     0,
     "permessage-deflate",
     {15, 15, false, false},
     "7692:7 plain offer, plain answer"},
    {"permessage-deflate; client_max_window_bits",
     CFG_DEFAULT,
     true,
     0,
     "permessage-deflate",
     {15, 15, false, false},
     "7692:7.1.2.2 the server MAY include it: nothing to limit"},
    {"permessage-deflate; client_max_window_bits",
     {true, 15, 8, true, false, false, 10},
     true,
     0,
     "permessage-deflate; client_max_window_bits=10",
     {15, 10, false, false},
     "7692:7.1.2.2 the server MAY include client_max_window_bits when offered"},
    {"permessage-deflate",
     {true, 15, 8, true, false, false, 10},
     true,
     0,
     "permessage-deflate",
     {15, 15, false, false},
     "7692:7.1.2.2 response MUST NOT include it when not offered"},
    {"permessage-deflate; client_max_window_bits=12",
     CFG_DEFAULT,
     true,
     0,
     "permessage-deflate; client_max_window_bits=12",
     {15, 12, false, false},
     "7692:7.1.2.2 \"a value equal to or smaller than the received value\""},
    {"permessage-deflate; server_max_window_bits=10",
     CFG_DEFAULT,
     true,
     0,
     "permessage-deflate; server_max_window_bits=10",
     {10, 15, false, false},
     "7692:7.1.2.1 accepts \"with the same or smaller value as the offer\""},
    {"permessage-deflate; server_max_window_bits=12",
     {true, 11, 9, true, false, false, 15},
     true,
     0,
     "permessage-deflate; server_max_window_bits=11",
     {11, 15, false, false},
     "7692:7.1.2.1 smaller value than offered"},
    {"permessage-deflate",
     {true, 11, 9, true, false, false, 15},
     true,
     0,
     "permessage-deflate; server_max_window_bits=11",
     {11, 15, false, false},
     "7692:7.1.2.1 the server MAY include it unasked"},
    {"permessage-deflate; server_max_window_bits=8, permessage-deflate",
     CFG_ZLIB,
     true,
     1,
     "permessage-deflate",
     {15, 15, false, false},
     "7692:7 declines \"The server doesn't support the offered configuration.\", takes the next"},
    {"permessage-deflate; server_no_context_takeover",
     CFG_DEFAULT,
     true,
     0,
     "permessage-deflate; server_no_context_takeover",
     {15, 15, true, false},
     "7692:7.1.1.1 accepts by including server_no_context_takeover"},
    {"permessage-deflate; server_no_context_takeover",
     {true, 15, 8, false, false, false, 15},
     false,
     0,
     NULL,
     {0, 0, false, false},
     "7692:7 unsupported configuration: decline"},
    {"permessage-deflate",
     {true, 15, 8, true, true, true, 15},
     true,
     0,
     "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
     {15, 15, true, true},
     "7692:7.1.1.1 and 7.1.1.2: the server MAY include both"},
    {"permessage-deflate; client_no_context_takeover",
     CFG_DEFAULT,
     true,
     0,
     "permessage-deflate",
     {15, 15, false, true},
     "7692:7.1.1.2 the offer's hint: the client will not use it"},
    {"permessage-deflate; foo, permessage-deflate; server_max_window_bits=9",
     CFG_DEFAULT,
     true,
     1,
     "permessage-deflate; server_max_window_bits=9",
     {9, 15, false, false},
     "7692:7 MUST decline an offer with an unknown parameter; the next is taken"},
    {"permessage-deflate; server_max_window_bits=9; server_max_window_bits=9",
     CFG_DEFAULT,
     false,
     0,
     NULL,
     {0, 0, false, false},
     "7692:7 MUST decline a parameter twice"},
    {"permessage-deflate; server_max_window_bits=16",
     CFG_DEFAULT,
     false,
     0,
     NULL,
     {0, 0, false, false},
     "7692:7 MUST decline an invalid value"},
    {"x-other, permessage-deflate",
     CFG_DEFAULT,
     true,
     1,
     "permessage-deflate",
     {15, 15, false, false},
     "7692:5 other extensions are not ours"},
    {"permessage-deflate",
     {false, 15, 8, true, false, false, 15},
     false,
     0,
     NULL,
     {0, 0, false, false},
     "7692:5 a server MAY decline"},
};

static void test_server_table(void) {
    static struct pmd_ext_list list;
    for (size_t i = 0; i < sizeof server_rows / sizeof server_rows[0]; i++) {
        const struct server_row *r = &server_rows[i];
        memset(&list, 0, sizeof list);
        CHECK_EQ(pmd_ext_parse(r->offers, strlen(r->offers), &list), 0);
        struct pmd_server_result res;
        CHECK_EQ(pmd_server_respond(&list, &r->config, &res), 0);
        if (res.accepted != r->accepted)
            fprintf(stderr, "server row %zu (%s)\n", i, r->why);
        CHECK_EQ(res.accepted, r->accepted);
        if (!r->accepted || !res.accepted)
            continue;
        CHECK_EQ(res.element_index, r->index);
        char text[256];
        size_t n = pmd_params_write(&res.response, text, sizeof text - 1);
        text[n] = '\0';
        if (strcmp(text, r->response) != 0)
            fprintf(stderr, "server row %zu (%s)\n", i, r->why);
        CHECK_STR(text, r->response);
        CHECK_EQ(res.settings.server_max_window_bits, r->settings.server_max_window_bits);
        CHECK_EQ(res.settings.client_max_window_bits, r->settings.client_max_window_bits);
        CHECK_EQ(res.settings.server_no_context_takeover, r->settings.server_no_context_takeover);
        CHECK_EQ(res.settings.client_no_context_takeover, r->settings.client_no_context_takeover);
    }
    struct pmd_server_config bad = {true, 16, 8, true, false, false, 15};
    struct pmd_server_result res;
    memset(&list, 0, sizeof list);
    CHECK_EQ(pmd_server_respond(&list, &bad, &res), WS_ERR_ARG);
}

struct client_row {
    const char *offers; /* what we sent, one header value */
    const char *response;
    enum pmd_problem want;
    bool accepted;
    size_t index;
    struct pmd_settings settings;
    const char *why;
};

static const struct client_row client_rows[] = {
    {"permessage-deflate",
     "permessage-deflate",
     PMD_P_OK,
     true,
     0,
     {15, 15, false, false},
     "7692:7 plain"},
    {"permessage-deflate",
     "x-other",
     PMD_P_OK,
     false,
     0,
     {0, 0, false, false},
     "6455:9.1 the server declined (other names are the caller's)"},
    {"permessage-deflate",
     "permessage-deflate; server_no_context_takeover",
     PMD_P_OK,
     true,
     0,
     {15, 15, true, false},
     "7692:7.1.1.1 server MAY include it unasked"},
    {"permessage-deflate",
     "permessage-deflate; client_max_window_bits=10",
     PMD_P_RESP_CLIENT_BITS_NOT_OFFERED,
     false,
     0,
     {0, 0, false, false},
     "7692:7.1.2.2 response MUST NOT include it"},
    {"permessage-deflate; client_max_window_bits",
     "permessage-deflate; client_max_window_bits=10",
     PMD_P_OK,
     true,
     0,
     {15, 10, false, false},
     "7692:7.1.2.2 the server MAY include it"},
    {"permessage-deflate; client_max_window_bits=9",
     "permessage-deflate; client_max_window_bits=12",
     PMD_P_OK,
     true,
     0,
     {15, 9, false, false},
     "7692:7.1.2.2 the server may ignore the value; the client stays at its own"},
    {"permessage-deflate; server_max_window_bits=10",
     "permessage-deflate; server_max_window_bits=11",
     PMD_P_RESP_SERVER_BITS_LARGER,
     false,
     0,
     {0, 0, false, false},
     "7692:7.1.2.1 \"the same or smaller value as the offer\""},
    {"permessage-deflate; server_max_window_bits=10",
     "permessage-deflate",
     PMD_P_RESP_SERVER_BITS_MISSING,
     false,
     0,
     {0, 0, false, false},
     "7692:7.1.2.1 accepts \"by including the server_max_window_bits\""},
    {"permessage-deflate; server_max_window_bits=10",
     "permessage-deflate; server_max_window_bits=8",
     PMD_P_OK,
     true,
     0,
     {8, 15, false, false},
     "7692:7.1.2.1 smaller is fine"},
    {"permessage-deflate; server_no_context_takeover",
     "permessage-deflate",
     PMD_P_RESP_SERVER_NCT_MISSING,
     false,
     0,
     {0, 0, false, false},
     "7692:7.1.1.1 accepts \"by including the server_no_context_takeover\""},
    {"permessage-deflate; server_no_context_takeover, permessage-deflate",
     "permessage-deflate",
     PMD_P_OK,
     true,
     1,
     {15, 15, false, false},
     "7692:7 the response fits the second offer"},
    {"permessage-deflate",
     "permessage-deflate; foo",
     PMD_P_UNKNOWN_PARAM,
     false,
     0,
     {0, 0, false, false},
     "7692:7 \"not defined for use in a response\""},
    {"permessage-deflate",
     "permessage-deflate; server_max_window_bits=9; server_max_window_bits=9",
     PMD_P_DUPLICATE_PARAM,
     false,
     0,
     {0, 0, false, false},
     "7692:7 a parameter twice"},
    {"permessage-deflate",
     "permessage-deflate; server_max_window_bits=07",
     PMD_P_BAD_WINDOW_BITS,
     false,
     0,
     {0, 0, false, false},
     "7692:7.1.2.1 leading zero"},
    {"permessage-deflate",
     "permessage-deflate, permessage-deflate",
     PMD_P_RESP_TWICE,
     false,
     0,
     {0, 0, false, false},
     "7692:5 both claim RSV1"},
    {"",
     "permessage-deflate",
     PMD_P_RESP_NOT_OFFERED,
     false,
     0,
     {0, 0, false, false},
     "6455:4.1 an extension not requested"},
    {"permessage-deflate",
     "permessage-deflate;",
     PMD_P_SYNTAX,
     false,
     0,
     {0, 0, false, false},
     "6455:9.1 a malformed response"},
};

static void test_client_table(void) {
    static struct pmd_ext_list offer_list, resp_list;
    for (size_t i = 0; i < sizeof client_rows / sizeof client_rows[0]; i++) {
        const struct client_row *r = &client_rows[i];
        struct pmd_params offers[4];
        size_t count = 0;
        memset(&offer_list, 0, sizeof offer_list);
        if (*r->offers) {
            CHECK_EQ(pmd_ext_parse(r->offers, strlen(r->offers), &offer_list), 0);
            for (size_t k = 0; k < offer_list.count && count < 4; k++)
                CHECK_EQ(pmd_params_parse(&offer_list.elements[k], PMD_OFFER, &offers[count++]),
                         PMD_P_OK);
        }
        memset(&resp_list, 0, sizeof resp_list);
        CHECK_EQ(pmd_ext_parse(r->response, strlen(r->response), &resp_list), 0);
        struct pmd_client_result res;
        enum pmd_problem got = pmd_client_check(offers, count, &resp_list, &res);
        if (got != r->want || res.accepted != r->accepted)
            fprintf(stderr, "client row %zu (%s): got %s\n", i, r->why, pmd_problem_name(got));
        CHECK_EQ(got, r->want);
        CHECK_EQ(res.accepted, r->accepted);
        if (!r->accepted || !res.accepted)
            continue;
        CHECK_EQ(res.offer_index, r->index);
        CHECK_EQ(res.settings.server_max_window_bits, r->settings.server_max_window_bits);
        CHECK_EQ(res.settings.client_max_window_bits, r->settings.client_max_window_bits);
        CHECK_EQ(res.settings.server_no_context_takeover, r->settings.server_no_context_takeover);
        CHECK_EQ(res.settings.client_no_context_takeover, r->settings.client_no_context_takeover);
    }
}

static void test_names(void) {
    for (int p = 0; p < PMD_PROBLEM_COUNT; p++) {
        CHECK(strcmp(pmd_problem_name((enum pmd_problem)p), "unknown") != 0);
        if (p != PMD_P_OK)
            CHECK(strlen(pmd_problem_section((enum pmd_problem)p)) > 0);
    }
    CHECK_STR(pmd_problem_name(PMD_P_RESP_SERVER_BITS_LARGER), "server-max-window-bits-larger");
    CHECK_STR(pmd_problem_section(PMD_P_RESP_CLIENT_BITS_NOT_OFFERED), "7692:7.1.2.2");
    struct pmd_params p = {true, false, true, 9, true, false, 0};
    char small[20];
    CHECK_EQ(pmd_params_write(&p, small, sizeof small), 0);
    char text[128];
    size_t n = pmd_params_write(&p, text, sizeof text);
    CHECK_MEM(text, n,
              "permessage-deflate; server_no_context_takeover; server_max_window_bits=9; "
              "client_max_window_bits",
              strlen("permessage-deflate; server_no_context_takeover; server_max_window_bits=9; "
                     "client_max_window_bits"));
}

int main(void) {
    RUN(test_parse_table);
    RUN(test_parse_elements);
    RUN(test_server_table);
    RUN(test_client_table);
    RUN(test_names);
    TEST_EXIT();
}
