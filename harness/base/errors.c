/* errors: one strerror for every wsspec error code. */
#include "base/errors.h"

const char *ws_strerror(int code) {
    switch ((enum ws_error)code) {
    case WS_OK: return "success";
    case WS_ERR_NOMEM: return "out of memory";
    case WS_ERR_OVERFLOW: return "size computation would overflow";
    case WS_ERR_ARG: return "invalid argument";
    case WS_ERR_INTERNAL: return "internal error";
    case WS_ERR_LIMIT: return "a hard limit was reached";
    case WS_ERR_HS_CRLF: return "header would inject CR or LF";
    case WS_ERR_URL_SCHEME: return "URL scheme must be ws:// or wss://";
    case WS_ERR_URL_HOST: return "URL has no valid host";
    case WS_ERR_URL_PORT: return "URL port is not a number from 1 to 65535";
    case WS_ERR_URL_SYNTAX: return "URL syntax error (fragments are not allowed in WebSocket URIs)";
    case WS_ERR_RESOLVE: return "could not resolve host";
    case WS_ERR_CONNECT: return "could not connect";
    case WS_ERR_TIMEOUT: return "deadline passed";
    case WS_ERR_RESET: return "connection reset by peer";
    case WS_ERR_IO: return "socket error";
    case WS_ERR_TLS: return "TLS error";
    case WS_ERR_TLS_VERIFY: return "TLS certificate verification failed";
    case WS_ERR_CLOSED: return "connection already closed";
    case WS_ERR_INTERRUPTED: return "interrupted";
    }
    return "unknown error";
}
