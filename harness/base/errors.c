/* errors: one strerror, one name and one band for every wsspec error code,
 * all generated from WS_ERROR_LIST. */
#include "base/errors.h"

const char *ws_strerror(int code) {
    switch (code) {
    case WS_OK: return "success";
#define WS_ERROR_TEXT(band, name, value, text)                                                     \
    case name: return text;
        WS_ERROR_LIST(WS_ERROR_TEXT)
#undef WS_ERROR_TEXT
    }
    return "unknown error";
}

const char *ws_error_name(int code) {
    switch (code) {
    case WS_OK: return "WS_OK";
#define WS_ERROR_NAME(band, name, value, text)                                                     \
    case name: return #name;
        WS_ERROR_LIST(WS_ERROR_NAME)
#undef WS_ERROR_NAME
    }
    return "unknown";
}

int ws_error_band(int code) {
    if (code >= 0)
        return 0;
    /* C99 division truncates toward zero: -100 .. -199 all give -1. */
    return code / 100 * 100;
}

bool ws_error_is_fatal(int code) {
    return code <= WS_BAND_FATAL;
}
