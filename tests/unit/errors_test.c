/* errors_test: the one error enum. Walks every code of WS_ERROR_LIST (the
 * list the enum, ws_strerror and ws_error_name are generated from) and
 * checks that each is negative, lies in the band it is listed under, has a
 * value, a description and an identifier of its own, and that exactly the
 * fatal band is fatal. */
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/errors.h"
#include "test.h"

struct listed {
    int band;
    int value;
    const char *name; /* the identifier, spelled as in the source */
    const char *text;
};

static const struct listed listed[] = {
#define LISTED(band, name, value, text) {band, name, #name, text},
    WS_ERROR_LIST(LISTED)
#undef LISTED
};
enum { LISTED_COUNT = sizeof listed / sizeof listed[0] };

/* Every band of enum ws_error_band, in order. */
static const int bands[] = {WS_BAND_GENERAL, WS_BAND_URL, WS_BAND_HANDSHAKE, WS_BAND_FRAME,
                            WS_BAND_NET,     WS_BAND_TLS, WS_BAND_FATAL};
enum { BAND_COUNT = sizeof bands / sizeof bands[0] };

static bool is_band(int band) {
    for (size_t i = 0; i < BAND_COUNT; i++) {
        if (bands[i] == band)
            return true;
    }
    return false;
}

static void test_every_code_in_its_band(void) {
    for (size_t i = 0; i < LISTED_COUNT; i++) {
        const struct listed *e = &listed[i];
        CHECK(is_band(e->band));
        /* A band holds band .. band - 99; none reaches -1 .. -99, so no code
         * can collide with a small negative sentinel of old (-1 was both
         * "need more" and "out of memory"). */
        CHECK(e->value <= e->band && e->value > e->band - 100);
        CHECK_EQ(ws_error_band(e->value), e->band);
        CHECK(e->value <= -100);
        if (e->value > e->band || e->value <= e->band - 100)
            fprintf(stderr, "  %s = %d is outside its band %d\n", e->name, e->value, e->band);
    }
}

static void test_every_code_named(void) {
    for (size_t i = 0; i < LISTED_COUNT; i++) {
        const struct listed *e = &listed[i];
        CHECK_STR(ws_strerror(e->value), e->text);
        CHECK_STR(ws_error_name(e->value), e->name);
        CHECK(strcmp(ws_strerror(e->value), "unknown error") != 0);
        CHECK(strcmp(ws_error_name(e->value), "unknown") != 0);
        CHECK(ws_strerror(e->value)[0] != '\0');
        CHECK(strncmp(e->name, "WS_ERR_", 7) == 0);
    }
    CHECK_STR(ws_strerror(WS_OK), "success");
    CHECK_STR(ws_error_name(WS_OK), "WS_OK");
}

static void test_codes_distinct(void) {
    for (size_t i = 0; i < LISTED_COUNT; i++) {
        for (size_t j = i + 1; j < LISTED_COUNT; j++) {
            CHECK(listed[i].value != listed[j].value);
            CHECK(strcmp(listed[i].name, listed[j].name) != 0);
            CHECK(strcmp(listed[i].text, listed[j].text) != 0);
            if (listed[i].value == listed[j].value || strcmp(listed[i].text, listed[j].text) == 0)
                fprintf(stderr, "  %s and %s share a value or a text\n", listed[i].name,
                        listed[j].name);
        }
    }
}

static void test_every_band_used(void) {
    for (size_t b = 0; b < BAND_COUNT; b++) {
        size_t in_band = 0;
        for (size_t i = 0; i < LISTED_COUNT; i++)
            in_band += listed[i].band == bands[b];
        CHECK(in_band > 0);
        CHECK_EQ(bands[b] % 100, 0);
    }
}

static void test_unknown_values(void) {
    /* Values that are no code: the old generic range, gaps inside bands,
     * positive counts. */
    static const int not_codes[] = {-1, -2, -5, -99, -199, -299, -399, -499, -599, -999, 1, 100};
    for (size_t i = 0; i < sizeof not_codes / sizeof not_codes[0]; i++) {
        CHECK_STR(ws_strerror(not_codes[i]), "unknown error");
        CHECK_STR(ws_error_name(not_codes[i]), "unknown");
    }
    CHECK_EQ(ws_error_band(0), 0);
    CHECK_EQ(ws_error_band(1), 0);
    CHECK_EQ(ws_error_band(-1), 0);
    CHECK_EQ(ws_error_band(-99), 0);
    CHECK_EQ(ws_error_band(-100), -100);
    CHECK_EQ(ws_error_band(-199), -100);
    CHECK_EQ(ws_error_band(-901), -900);
}

static void test_fatal_band(void) {
    size_t fatal = 0;
    for (size_t i = 0; i < LISTED_COUNT; i++) {
        bool in_fatal_band = listed[i].band == WS_BAND_FATAL;
        CHECK_EQ(ws_error_is_fatal(listed[i].value), in_fatal_band);
        fatal += in_fatal_band;
    }
    /* nghttp2's "must stop using that session": out of memory, a size that
     * cannot be held, a bug of ours. */
    CHECK_EQ(fatal, 3);
    CHECK(ws_error_is_fatal(WS_ERR_NOMEM));
    CHECK(ws_error_is_fatal(WS_ERR_OVERFLOW));
    CHECK(ws_error_is_fatal(WS_ERR_INTERNAL));
    /* The network, the peer's head, our limits and misuse are not fatal. */
    CHECK(!ws_error_is_fatal(WS_ERR_TIMEOUT));
    CHECK(!ws_error_is_fatal(WS_ERR_RESET));
    CHECK(!ws_error_is_fatal(WS_ERR_HANDSHAKE_SYNTAX));
    CHECK(!ws_error_is_fatal(WS_ERR_HANDSHAKE_HEAD_TOO_BIG));
    CHECK(!ws_error_is_fatal(WS_ERR_LIMIT));
    CHECK(!ws_error_is_fatal(WS_ERR_ARG));
    /* The boundary, and values that are no code. */
    CHECK(!ws_error_is_fatal(WS_OK));
    CHECK(!ws_error_is_fatal(1));
    CHECK(!ws_error_is_fatal(-1));
    CHECK(!ws_error_is_fatal(-899));
    CHECK(ws_error_is_fatal(-900));
    CHECK(ws_error_is_fatal(-999));
    CHECK(ws_error_is_fatal(INT_MIN));
}

int main(void) {
    RUN(test_every_code_in_its_band);
    RUN(test_every_code_named);
    RUN(test_codes_distinct);
    RUN(test_every_band_used);
    RUN(test_unknown_values);
    RUN(test_fatal_band);
    TEST_EXIT();
}
