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

/* 6455:3 "Fragment identifiers are meaningless in the context of WebSocket
 * URIs and MUST NOT be used on these URIs." Returns 0 or WS_ERR_URL_*. */
int url_parse(const char *text, struct ws_url *out);
/* The Host header value: host, "[v6]" for IPv6, ":port" when not default. */
void url_host_header(const struct ws_url *u, char *out, size_t cap);

#endif
