/* url_test: ws:// and wss:// URLs (6455:3) and the Host header (6455:4.1).
 * Every expected value is worked out by hand from 6455:3 and RFC 3986. */
#include <stdbool.h>
#include <stddef.h> /* url.h uses size_t */
#include <stdint.h>
#include <stdlib.h>

#include "base/errors.h"
#include "codec/url.h"
#include "test.h"

struct valid_case {
    const char *text;
    bool secure;
    const char *host;
    bool host_is_ipv6;
    unsigned port;
    bool port_explicit;
    const char *resource;
    const char *host_header;
};

/* 6455:3 "the default for "ws" is port 80, while the default for "wss" is
 * port 443"; resource name = "/" if the path is empty, the path, "?" if the
 * query is non-empty, the query. */
static const struct valid_case valid_cases[] = {
    {"ws://example.com", false, "example.com", false, 80, false, "/", "example.com"},
    {"ws://example.com/", false, "example.com", false, 80, false, "/", "example.com"},
    {"wss://example.com", true, "example.com", false, 443, false, "/", "example.com"},
    {"ws://example.com/chat", false, "example.com", false, 80, false, "/chat", "example.com"},
    {"ws://example.com/a/b/c/", false, "example.com", false, 80, false, "/a/b/c/", "example.com"},
    {"ws://example.com:9001/x", false, "example.com", false, 9001, true, "/x", "example.com:9001"},
    {"wss://example.com:8443/", true, "example.com", false, 8443, true, "/", "example.com:8443"},
    /* Query kept; "?q" with an empty path becomes "/?q". */
    {"ws://h/p?a=1&b=2", false, "h", false, 80, false, "/p?a=1&b=2", "h"},
    {"ws://h?q", false, "h", false, 80, false, "/?q", "h"},
    {"ws://h:81?q", false, "h", false, 81, true, "/?q", "h:81"},
    {"ws://h/?x=/y?z", false, "h", false, 80, false, "/?x=/y?z", "h"},
    /* 6455:3 "?" only "if the query component is non-empty". */
    {"ws://h/p?", false, "h", false, 80, false, "/p", "h"},
    {"ws://h?", false, "h", false, 80, false, "/", "h"},
    /* Scheme case-insensitive (6455:3 "matches "wss" case-insensitively"). */
    {"WS://example.com/", false, "example.com", false, 80, false, "/", "example.com"},
    {"WsS://example.com/", true, "example.com", false, 443, false, "/", "example.com"},
    {"WSS://h:443/", true, "h", false, 443, true, "/", "h"},
    /* Host case is kept as written. */
    {"ws://Example.COM/", false, "Example.COM", false, 80, false, "/", "Example.COM"},
    /* IPv4. */
    {"ws://127.0.0.1:9001/", false, "127.0.0.1", false, 9001, true, "/", "127.0.0.1:9001"},
    {"ws://10.0.0.1", false, "10.0.0.1", false, 80, false, "/", "10.0.0.1"},
    /* IPv6 literals: host without brackets, Host header with them. */
    {"ws://[::1]:9001/x", false, "::1", true, 9001, true, "/x", "[::1]:9001"},
    {"wss://[::1]/", true, "::1", true, 443, false, "/", "[::1]"},
    {"ws://[2001:db8::7]", false, "2001:db8::7", true, 80, false, "/", "[2001:db8::7]"},
    {"ws://[::]:1/", false, "::", true, 1, true, "/", "[::]:1"},
    {"ws://[1:2:3:4:5:6:7:8]/", false, "1:2:3:4:5:6:7:8", true, 80, false, "/",
     "[1:2:3:4:5:6:7:8]"},
    {"ws://[1::]/", false, "1::", true, 80, false, "/", "[1::]"},
    {"ws://[::ffff:192.0.2.1]/", false, "::ffff:192.0.2.1", true, 80, false, "/",
     "[::ffff:192.0.2.1]"},
    {"ws://[FE80::A]/", false, "FE80::A", true, 80, false, "/", "[FE80::A]"},
    /* Ports: 1 and 65535 are the ends of the range. */
    {"ws://h:1/", false, "h", false, 1, true, "/", "h:1"},
    {"ws://h:65535/", false, "h", false, 65535, true, "/", "h:65535"},
    {"ws://h:00080/", false, "h", false, 80, true, "/", "h"},
    /* An explicit default port is no different in the Host header. */
    {"ws://h:80/", false, "h", false, 80, true, "/", "h"},
    /* ws:// on 443 and wss:// on 80 are not defaults. */
    {"ws://h:443/", false, "h", false, 443, true, "/", "h:443"},
    {"wss://h:80/", true, "h", false, 80, true, "/", "h:80"},
    /* RFC 3986 3.2.3 port = *DIGIT: empty means the default. */
    {"ws://h:/x", false, "h", false, 80, false, "/x", "h"},
    /* Path characters allowed by RFC 3986: pct-encoded, sub-delims, ':', '@'. */
    {"ws://h/a%23b", false, "h", false, 80, false, "/a%23b", "h"},
    {"ws://h/a:b@c;d=e,f!$&'()*+", false, "h", false, 80, false, "/a:b@c;d=e,f!$&'()*+", "h"},
    {"ws://h-1.x_y~z/", false, "h-1.x_y~z", false, 80, false, "/", "h-1.x_y~z"},
    {"ws://localhost:9001/runCase?case=1&agent=wsspec", false, "localhost", false, 9001, true,
     "/runCase?case=1&agent=wsspec", "localhost:9001"},
};

static void test_valid(void) {
    for (size_t i = 0; i < sizeof(valid_cases) / sizeof(valid_cases[0]); i++) {
        const struct valid_case *vc = &valid_cases[i];
        struct ws_url u;
        int rc = url_parse(vc->text, &u);
        if (rc != 0)
            fprintf(stderr, "  while parsing %s\n", vc->text);
        CHECK_EQ(rc, 0);
        CHECK_EQ(u.secure, vc->secure);
        CHECK_STR(u.host, vc->host);
        CHECK_EQ(u.host_is_ipv6, vc->host_is_ipv6);
        CHECK_EQ(u.port, vc->port);
        CHECK_EQ(u.port_explicit, vc->port_explicit);
        CHECK_STR(u.resource, vc->resource);
        char header[URL_MAX_HOST + 16];
        url_host_header(&u, header, sizeof(header));
        CHECK_STR(header, vc->host_header);
    }
}

struct invalid_case {
    const char *text;
    int error;
};

static const struct invalid_case invalid_cases[] = {
    /* Wrong or missing scheme. */
    {"http://example.com/", WS_ERR_URL_SCHEME},
    {"https://example.com/", WS_ERR_URL_SCHEME},
    {"wsx://example.com/", WS_ERR_URL_SCHEME},
    {"example.com/", WS_ERR_URL_SCHEME},
    {"", WS_ERR_URL_SCHEME},
    {"w", WS_ERR_URL_SCHEME},
    {"ws", WS_ERR_URL_SCHEME},
    /* ws-URI = "ws:" "//" host ...: the "//" is required. */
    {"ws:example.com", WS_ERR_URL_SYNTAX},
    {"wss:/example.com", WS_ERR_URL_SYNTAX},
    {"ws:", WS_ERR_URL_SYNTAX},
    /* 6455:3 "Fragment identifiers ... MUST NOT be used on these URIs." */
    {"ws://example.com/#frag", WS_ERR_URL_SYNTAX},
    {"ws://example.com/chat#", WS_ERR_URL_SYNTAX},
    {"ws://example.com/?q=1#f", WS_ERR_URL_SYNTAX},
    {"ws://example.com#f", WS_ERR_URL_SYNTAX},
    {"ws://exa#mple.com/", WS_ERR_URL_SYNTAX},
    {"ws://h:80#/", WS_ERR_URL_SYNTAX},
    /* Missing host. */
    {"ws://", WS_ERR_URL_HOST},
    {"ws:///path", WS_ERR_URL_HOST},
    {"ws://:9001/", WS_ERR_URL_HOST},
    {"ws://?q", WS_ERR_URL_HOST},
    {"wss://[]/", WS_ERR_URL_HOST},
    /* Bad host characters. */
    {"ws://exa mple.com/", WS_ERR_URL_HOST},
    {"ws://ex%41mple.com/", WS_ERR_URL_HOST},
    {"ws://h\r\nX-Injected: 1/", WS_ERR_URL_HOST},
    /* Userinfo: 6455:3's grammar has a bare host. */
    {"ws://user@example.com/", WS_ERR_URL_SYNTAX},
    {"ws://user:pass@example.com:9001/", WS_ERR_URL_SYNTAX},
    {"ws://@example.com/", WS_ERR_URL_SYNTAX},
    /* Broken IPv6 literals. */
    {"ws://[::1/", WS_ERR_URL_HOST},
    {"ws://[::1", WS_ERR_URL_HOST},
    {"ws://::1/", WS_ERR_URL_HOST}, /* empty host before the first ":" */
    {"ws://[::1]x/", WS_ERR_URL_SYNTAX},
    {"ws://[1:2:3:4:5:6:7:8:9]/", WS_ERR_URL_HOST},
    {"ws://[1:2:3:4:5:6:7]/", WS_ERR_URL_HOST},
    {"ws://[1::2::3]/", WS_ERR_URL_HOST},
    {"ws://[:::]/", WS_ERR_URL_HOST},
    {"ws://[:1]/", WS_ERR_URL_HOST},
    {"ws://[1:]/", WS_ERR_URL_HOST},
    {"ws://[12345::]/", WS_ERR_URL_HOST},
    {"ws://[g::1]/", WS_ERR_URL_HOST},
    {"ws://[::1.2.3.256]/", WS_ERR_URL_HOST},
    {"ws://[::1.2.3]/", WS_ERR_URL_HOST},
    {"ws://[1.2.3.4]/", WS_ERR_URL_HOST},
    {"ws://[fe80::1%25eth0]/", WS_ERR_URL_HOST},
    {"ws://[v1.abc]/", WS_ERR_URL_HOST},
    {"ws://[1:2:3:4:5:6:7:1.2.3.4]/", WS_ERR_URL_HOST},
    /* Ports: 0 and 65536 are out of 1-65535; digits only. */
    {"ws://h:0/", WS_ERR_URL_PORT},
    {"ws://h:00/", WS_ERR_URL_PORT},
    {"ws://h:65536/", WS_ERR_URL_PORT},
    {"ws://h:99999/", WS_ERR_URL_PORT},
    {"ws://h:4294967377/", WS_ERR_URL_PORT},           /* 2^32 + 81: would wrap to 81 in 32 bits */
    {"ws://h:18446744073709551697/", WS_ERR_URL_PORT}, /* 2^64 + 81 */
    {"ws://h:-1/", WS_ERR_URL_PORT},
    {"ws://h:+80/", WS_ERR_URL_PORT},
    {"ws://h:8o/", WS_ERR_URL_PORT},
    {"ws://h: 80/", WS_ERR_URL_PORT},
    {"ws://h:80:81/", WS_ERR_URL_PORT},
    {"ws://[::1]:0/", WS_ERR_URL_PORT},
    {"ws://[::1]:65536/", WS_ERR_URL_PORT},
    /* Resource characters that are not pchar / query and would break the
     * request line. */
    {"ws://h/a b", WS_ERR_URL_SYNTAX},
    {"ws://h/a\r\nX: y", WS_ERR_URL_SYNTAX},
    {"ws://h/a\"b", WS_ERR_URL_SYNTAX},
    {"ws://h/a<b>", WS_ERR_URL_SYNTAX},
    {"ws://h/a|b", WS_ERR_URL_SYNTAX},
    {"ws://h/?a=\x7f", WS_ERR_URL_SYNTAX},
    {"ws://h/\xc3\xa9", WS_ERR_URL_SYNTAX},
    {"ws://h/a%2", WS_ERR_URL_SYNTAX},
    {"ws://h/a%", WS_ERR_URL_SYNTAX},
    {"ws://h/a%zz", WS_ERR_URL_SYNTAX},
    {"ws://h?%g0", WS_ERR_URL_SYNTAX},
};

static void test_invalid(void) {
    for (size_t i = 0; i < sizeof(invalid_cases) / sizeof(invalid_cases[0]); i++) {
        const struct invalid_case *ic = &invalid_cases[i];
        struct ws_url u;
        memset(&u, 0xAA, sizeof(u));
        int rc = url_parse(ic->text, &u);
        if (rc != ic->error)
            fprintf(stderr, "  while parsing \"%s\"\n", ic->text);
        CHECK_EQ(rc, ic->error);
        /* A failed parse leaves nothing that looks usable. */
        CHECK_EQ(u.host[0], '\0');
    }
}

static void test_null_args(void) {
    struct ws_url u;
    CHECK_EQ(url_parse(NULL, &u), WS_ERR_ARG);
    CHECK_EQ(url_parse("ws://h/", NULL), WS_ERR_ARG);
}

/* Every prefix of a valid URL, each placed right before an unreadable page:
 * the parser must never read past the terminating NUL. */
static void test_guarded_prefixes(void) {
    const char *full = "wss://[2001:db8::1]:65535/a%20b?c=d";
    size_t len = strlen(full);
    for (size_t n = 0; n <= len; n++) {
        char tmp[64];
        memcpy(tmp, full, n);
        tmp[n] = '\0';
        struct guarded g = guard_copy(tmp, n + 1);
        struct ws_url u;
        int rc = url_parse((const char *)g.data, &u);
        CHECK(rc <= 0);
        guard_free(&g);
    }
    struct guarded g = guard_copy(full, len + 1);
    struct ws_url u;
    CHECK_EQ(url_parse((const char *)g.data, &u), 0);
    CHECK_STR(u.resource, "/a%20b?c=d");
    guard_free(&g);
}

static void test_limits(void) {
    /* Host of 255 characters fits URL_MAX_HOST (256 with the NUL); 256 does not. */
    char text[URL_MAX_RESOURCE + 64];
    struct ws_url u;
    strcpy(text, "ws://");
    memset(text + 5, 'a', 255);
    strcpy(text + 5 + 255, "/");
    CHECK_EQ(url_parse(text, &u), 0);
    CHECK_EQ(strlen(u.host), 255);
    memset(text + 5, 'a', 256);
    strcpy(text + 5 + 256, "/");
    CHECK_EQ(url_parse(text, &u), WS_ERR_URL_HOST);

    /* Resource of URL_MAX_RESOURCE - 1 characters fits; one more does not. */
    strcpy(text, "ws://h");
    text[6] = '/';
    memset(text + 7, 'r', URL_MAX_RESOURCE - 2);
    text[7 + URL_MAX_RESOURCE - 2] = '\0';
    CHECK_EQ(url_parse(text, &u), 0);
    CHECK_EQ(strlen(u.resource), URL_MAX_RESOURCE - 1);
    text[7 + URL_MAX_RESOURCE - 2] = 'r';
    text[7 + URL_MAX_RESOURCE - 1] = '\0';
    CHECK_EQ(url_parse(text, &u), WS_ERR_URL_TOO_LONG);

    /* "?" plus query count too: "/" + "?" + query. */
    strcpy(text, "ws://h?");
    memset(text + 7, 'q', URL_MAX_RESOURCE - 3);
    text[7 + URL_MAX_RESOURCE - 3] = '\0';
    CHECK_EQ(url_parse(text, &u), 0);
    CHECK_EQ(strlen(u.resource), URL_MAX_RESOURCE - 1);
    text[7 + URL_MAX_RESOURCE - 3] = 'q';
    text[7 + URL_MAX_RESOURCE - 2] = '\0';
    CHECK_EQ(url_parse(text, &u), WS_ERR_URL_TOO_LONG);
}

static void test_host_header_truncation(void) {
    struct ws_url u;
    CHECK_EQ(url_parse("ws://[::1]:9001/", &u), 0);
    char small[6];
    memset(small, 'X', sizeof(small));
    url_host_header(&u, small, sizeof(small));
    CHECK_STR(small, "[::1]"); /* cut, but NUL-terminated within cap */
    char one[1] = {'X'};
    url_host_header(&u, one, sizeof(one));
    CHECK_EQ(one[0], '\0');
    url_host_header(&u, NULL, 0); /* must not crash */
}

int main(void) {
    RUN(test_valid);
    RUN(test_invalid);
    RUN(test_null_args);
    RUN(test_guarded_prefixes);
    RUN(test_limits);
    RUN(test_host_header_truncation);
    TEST_EXIT();
}
