/* url: ws:// and wss:// URLs (6455:3). Pure. */
#ifndef WSSPEC_URL_H
#define WSSPEC_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define URL_MAX_HOST     256
#define URL_MAX_RESOURCE 4096

struct ws_url {
    bool secure;             /* wss */
    char host[URL_MAX_HOST]; /* without brackets for IPv6 literals */
    bool host_is_ipv6;
    uint16_t port; /* 80/443 by default */
    bool port_explicit;
    char resource[URL_MAX_RESOURCE]; /* path + "?" + query; "/" when empty */
};

/* Parse text (borrowed, NUL-terminated) into *out (zeroed on failure).
 * 6455:3 "Fragment identifiers are meaningless in the context of WebSocket
 * URIs and MUST NOT be used on these URIs." Returns 0, WS_ERR_ARG (text or
 * out NULL), WS_ERR_URL_SCHEME (not ws:// or wss://), WS_ERR_URL_HOST
 * (missing, invalid or longer than URL_MAX_HOST - 1), WS_ERR_URL_PORT (not
 * 1..65535), WS_ERR_URL_SYNTAX (a fragment, userinfo, a character that must
 * be percent-encoded, "ws:" without "//") or WS_ERR_URL_TOO_LONG (path and
 * query longer than URL_MAX_RESOURCE - 1). */
int url_parse(const char *text, struct ws_url *out);
/* The Host header value: host, "[v6]" for IPv6, ":port" when not default. */
void url_host_header(const struct ws_url *u, char *out, size_t cap);

#endif
