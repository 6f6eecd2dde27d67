/* url: parse ws:// and wss:// URLs (6455:3) into host, port and resource
 * name, and build the Host header value (6455:4.1). Pure: no I/O, no
 * allocation, no globals.
 *
 * The grammar is 6455:3's
 *     ws-URI  = "ws:"  "//" host [ ":" port ] path [ "?" query ]
 *     wss-URI = "wss:" "//" host [ ":" port ] path [ "?" query ]
 * with host, port, path-abempty and query from RFC 3986. We are stricter
 * than RFC 3986 in one place: a registered name may only hold letters,
 * digits, '-', '.', '_' and '~' (no sub-delims, no percent-encoding), since
 * the name goes to the resolver and into the Host header verbatim. */
/* url.h uses size_t without including <stddef.h> (reported to the lead). */
#include <stddef.h>

#include "codec/url.h"

#include <stdio.h>
#include <string.h>

#include "base/errors.h"

#define DEFAULT_PORT_WS  80
#define DEFAULT_PORT_WSS 443

static bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

static bool is_hex(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static char to_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* RFC 3986 unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~" */
static bool is_unreserved(char c) {
    return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* RFC 3986 sub-delims = "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "=" */
static bool is_sub_delim(char c) {
    return c != '\0' && strchr("!$&'()*+,;=", c) != NULL;
}

/* Case-insensitive match of a scheme name followed by "://"; returns the
 * number of bytes consumed or 0. */
static size_t match_scheme(const char *text, const char *scheme) {
    size_t i = 0;
    for (; scheme[i] != '\0'; i++) {
        if (to_lower(text[i]) != scheme[i])
            return 0;
    }
    if (strncmp(text + i, "://", 3) != 0)
        return 0;
    return i + 3;
}

/* Whether s[0..len) is an IPv6 address (the text between the brackets).
 * Checked by hand so that the module stays free of libc networking. */
static bool ipv6_valid(const char *s, size_t len) {
    /* RFC 3986 3.2.2: IPv6address has at most 8 pieces of 1-4 hex digits,
     * one "::" standing for one or more zero pieces, and optionally a
     * dotted IPv4 address as the last 32 bits. */
    size_t pieces = 0;
    bool double_colon = false;
    size_t i = 0;
    if (len < 2)
        return false;
    if (s[0] == ':') {
        if (s[1] != ':')
            return false;
        double_colon = true;
        i = 2;
        if (i == len)
            return true; /* "::" */
    }
    while (i < len) {
        size_t start = i;
        size_t digits = 0;
        while (i < len && is_hex(s[i]) && digits < 5) {
            i++;
            digits++;
        }
        if (i < len && s[i] == '.') {
            /* IPv4 tail: d.d.d.d, each 0-255, no leading zeros beyond "0". */
            size_t octets = 0;
            i = start;
            while (octets < 4) {
                unsigned value = 0;
                size_t odigits = 0;
                while (i < len && is_digit(s[i]) && odigits < 4) {
                    value = value * 10 + (unsigned)(s[i] - '0');
                    i++;
                    odigits++;
                }
                if (odigits == 0 || odigits > 3 || value > 255)
                    return false;
                if (odigits > 1 && s[i - odigits] == '0')
                    return false;
                octets++;
                if (octets < 4) {
                    if (i >= len || s[i] != '.')
                        return false;
                    i++;
                }
            }
            if (i != len)
                return false;
            pieces += 2;
            break;
        }
        if (digits == 0 || digits > 4)
            return false;
        pieces++;
        if (i == len)
            break;
        if (s[i] != ':')
            return false;
        i++;
        if (i < len && s[i] == ':') {
            if (double_colon)
                return false; /* only one "::" */
            double_colon = true;
            i++;
            if (i == len)
                break; /* ends with "::" */
        } else if (i == len) {
            return false; /* a single trailing ':' */
        }
    }
    if (double_colon)
        return pieces <= 7;
    return pieces == 8;
}

/* Parse the authority: host [ ":" port ]. Fills host, host_is_ipv6, port,
 * port_explicit. */
static int parse_authority(const char *s, size_t len, struct ws_url *out) {
    const char *host = s;
    size_t host_len;
    const char *rest; /* after the host: "" or ":port" */
    size_t rest_len;

    /* 6455:3 ws-URI = "ws:" "//" host [ ":" port ] ...: the authority is a
     * bare host, so RFC 3986 userinfo ("user:pass@") has no place in it. */
    if (memchr(s, '@', len) != NULL)
        return WS_ERR_URL_SYNTAX;

    if (len > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (close == NULL)
            return WS_ERR_URL_HOST;
        host = s + 1;
        host_len = (size_t)(close - host);
        if (!ipv6_valid(host, host_len))
            return WS_ERR_URL_HOST;
        out->host_is_ipv6 = true;
        rest = close + 1;
        rest_len = len - (size_t)(rest - s);
        if (rest_len > 0 && rest[0] != ':')
            return WS_ERR_URL_SYNTAX;
    } else {
        const char *colon = memchr(s, ':', len);
        host_len = colon ? (size_t)(colon - s) : len;
        rest = s + host_len;
        rest_len = len - host_len;
        for (size_t i = 0; i < host_len; i++) {
            if (!is_unreserved(host[i]))
                return WS_ERR_URL_HOST;
        }
    }
    if (host_len == 0)
        return WS_ERR_URL_HOST;
    if (host_len >= sizeof(out->host))
        return WS_ERR_URL_HOST;
    memcpy(out->host, host, host_len);
    out->host[host_len] = '\0';

    if (rest_len > 0) {
        /* rest[0] == ':' here. RFC 3986 3.2.3 port = *DIGIT: an empty port
         * is legal and means the scheme's default ("URI producers and
         * normalizers should omit the port component and its ':'
         * delimiter if port is empty"). */
        unsigned value = 0;
        size_t digits = rest_len - 1;
        for (size_t i = 1; i < rest_len; i++) {
            if (!is_digit(rest[i]))
                return WS_ERR_URL_PORT;
            value = value * 10 + (unsigned)(rest[i] - '0');
            if (value > 65535)
                return WS_ERR_URL_PORT; /* checked per digit: no overflow */
        }
        if (digits > 0) {
            if (value == 0)
                return WS_ERR_URL_PORT;
            out->port = (uint16_t)value;
            out->port_explicit = true;
        }
    }
    return 0;
}

/* path-abempty and query of RFC 3986: pchar = unreserved / pct-encoded /
 * sub-delims / ":" / "@", plus "/" in the path and "/" and "?" in the
 * query. Anything else (space, control bytes, non-ASCII, '"', '<', '>',
 * '\\', '^', '`', '{', '|', '}', '[', ']') would either be illegal in a URI
 * or break the request line, and must be percent-encoded by the user. */
static bool valid_resource_chars(const char *s, size_t len, bool query) {
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (is_unreserved(c) || is_sub_delim(c) || c == ':' || c == '@' || c == '/')
            continue;
        if (query && c == '?')
            continue;
        if (c == '%') {
            /* pct-encoded = "%" HEXDIG HEXDIG */
            if (len - i < 3 || !is_hex(s[i + 1]) || !is_hex(s[i + 2]))
                return false;
            i += 2;
            continue;
        }
        return false;
    }
    return true;
}

int url_parse(const char *text, struct ws_url *out) {
    if (text == NULL || out == NULL)
        return WS_ERR_ARG;
    memset(out, 0, sizeof(*out));

    /* 6455:3 "Fragment identifiers are meaningless in the context of
     * WebSocket URIs and MUST NOT be used on these URIs. As with any URI
     * scheme, the character "#", when not indicating the start of a
     * fragment, MUST be escaped as %23." So a '#' anywhere is an error. */
    if (strchr(text, '#') != NULL)
        return WS_ERR_URL_SYNTAX;

    /* 6455:3 "The URI is called "secure" (and it is said that "the secure
     * flag is set") if the scheme component matches "wss"
     * case-insensitively." */
    size_t pos = match_scheme(text, "wss");
    if (pos != 0) {
        out->secure = true;
    } else {
        pos = match_scheme(text, "ws");
        if (pos == 0) {
            /* A ws/wss scheme without "//" is a syntax error; any other
             * scheme is the wrong scheme. */
            if ((to_lower(text[0]) == 'w' && to_lower(text[1]) == 's' && text[2] == ':') ||
                (to_lower(text[0]) == 'w' && to_lower(text[1]) == 's' && to_lower(text[2]) == 's' &&
                 text[3] == ':'))
                return WS_ERR_URL_SYNTAX;
            return WS_ERR_URL_SCHEME;
        }
    }
    /* 6455:3 "The port component is OPTIONAL; the default for "ws" is port
     * 80, while the default for "wss" is port 443." */
    out->port = out->secure ? DEFAULT_PORT_WSS : DEFAULT_PORT_WS;

    const char *authority = text + pos;
    size_t authority_len = strcspn(authority, "/?");
    int rc = parse_authority(authority, authority_len, out);
    if (rc != 0)
        goto fail;

    const char *path = authority + authority_len;
    size_t path_len = strcspn(path, "?");
    const char *query = path + path_len;
    size_t query_len = 0;
    if (*query == '?') {
        query++;
        query_len = strlen(query);
    }
    if (!valid_resource_chars(path, path_len, false) ||
        !valid_resource_chars(query, query_len, true)) {
        rc = WS_ERR_URL_SYNTAX;
        goto fail;
    }

    /* 6455:3 The resource name is: "/" if the path component is empty; the
     * path component; "?" if the query component is non-empty; the query
     * component. Every length below is at most strlen(text), so the sums
     * cannot overflow; the cap is checked before any copy. */
    size_t need = (path_len == 0 ? 1 : path_len) + (query_len > 0 ? 1 + query_len : 0);
    if (need >= sizeof(out->resource)) {
        rc = WS_ERR_URL_TOO_LONG;
        goto fail;
    }
    char *dst = out->resource;
    if (path_len == 0) {
        *dst++ = '/';
    } else {
        memcpy(dst, path, path_len);
        dst += path_len;
    }
    if (query_len > 0) {
        *dst++ = '?';
        memcpy(dst, query, query_len);
        dst += query_len;
    }
    *dst = '\0';
    return 0;

fail:
    memset(out, 0, sizeof(*out));
    return rc;
}

void url_host_header(const struct ws_url *u, char *out, size_t cap) {
    if (out == NULL || cap == 0)
        return;
    if (u == NULL) {
        out[0] = '\0';
        return;
    }
    /* 6455:4.1 "The request MUST contain a |Host| header field whose value
     * contains /host/ plus optionally ":" followed by /port/ (when not
     * using the default port)." An IPv6 literal keeps its brackets, as in
     * RFC 3986's authority. */
    uint16_t default_port = u->secure ? DEFAULT_PORT_WSS : DEFAULT_PORT_WS;
    const char *open = u->host_is_ipv6 ? "[" : "";
    const char *close = u->host_is_ipv6 ? "]" : "";
    if (u->port != default_port)
        snprintf(out, cap, "%s%s%s:%u", open, u->host, close, (unsigned)u->port);
    else
        snprintf(out, cap, "%s%s%s", open, u->host, close);
}
