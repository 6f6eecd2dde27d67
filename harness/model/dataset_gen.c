/* dataset_gen: the kit the data set generators share (dataset_gen.h). */
#include "model/dataset_gen.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/errors.h"

void dataset_gen_init(struct dataset_gen *g, struct buf *out, uint64_t seed) {
    g->out = out;
    g->err = 0;
    prng_seed(&g->rng, seed);
}

void dataset_gen_putn(struct dataset_gen *g, const void *data, size_t len) {
    if (g->err == 0)
        g->err = buf_append(g->out, data, len);
}

void dataset_gen_put(struct dataset_gen *g, const char *s) {
    dataset_gen_putn(g, s, strlen(s));
}

void dataset_gen_byte(struct dataset_gen *g, uint8_t octet) {
    dataset_gen_putn(g, &octet, 1);
}

void dataset_gen_putf(struct dataset_gen *g, const char *fmt, ...) {
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof line) {
        if (g->err == 0)
            g->err = WS_ERR_LIMIT; /* a bug of ours: the generators write short lines */
        return;
    }
    dataset_gen_putn(g, line, (size_t)n);
}

void dataset_gen_random(struct dataset_gen *g, size_t len) {
    if (g->err == 0 && (g->err = buf_reserve(g->out, len)) != 0)
        return;
    if (g->err != 0)
        return;
    uint8_t *p = g->out->data + g->out->len;
    for (size_t i = 0; i < len; i += 8) {
        uint64_t r = prng_next(&g->rng);
        for (size_t b = 0; b < 8 && i + b < len; b++)
            p[i + b] = (uint8_t)(r >> (8 * b));
    }
    g->out->len += len;
}

uint64_t dataset_gen_below(struct dataset_gen *g, uint64_t bound) {
    return prng_below(&g->rng, bound);
}

const char *dataset_gen_pick(struct dataset_gen *g, const char *const *words, size_t count) {
    return words[dataset_gen_below(g, count)];
}

void dataset_gen_zipf_init(struct dataset_gen_zipf *z, const char *const *words, size_t count) {
    if (count > DATASET_GEN_ZIPF_MAX)
        count = DATASET_GEN_ZIPF_MAX;
    z->words = words;
    z->count = count;
    uint32_t total = 0;
    for (size_t r = 0; r < count; r++) {
        total += (uint32_t)(720720u / (r + 3)); /* 1/(r+3), in integers: no floating point */
        z->cumulative[r] = total;
    }
}

const char *dataset_gen_zipf_pick(struct dataset_gen *g, const struct dataset_gen_zipf *z) {
    uint32_t x = (uint32_t)dataset_gen_below(g, z->cumulative[z->count - 1]);
    size_t lo = 0, hi = z->count - 1;
    while (lo < hi) { /* the first rank whose cumulative weight exceeds x */
        size_t mid = lo + (hi - lo) / 2;
        if (z->cumulative[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return z->words[lo];
}

void dataset_gen_capitalized(struct dataset_gen *g, const char *word) {
    unsigned char c0 = (unsigned char)word[0];
    if (c0 >= 'a' && c0 <= 'z') {
        dataset_gen_byte(g, (uint8_t)(c0 - 'a' + 'A'));
        dataset_gen_put(g, word + 1);
    } else if (c0 == 0xC3 && ((unsigned char)word[1] == 0xA4 || (unsigned char)word[1] == 0xB6 ||
                              (unsigned char)word[1] == 0xBC)) {
        /* ä ö ü (U+00E4 U+00F6 U+00FC) -> Ä Ö Ü (U+00C4 U+00D6 U+00DC) */
        dataset_gen_byte(g, 0xC3);
        dataset_gen_byte(g, (uint8_t)((unsigned char)word[1] - 0x20));
        dataset_gen_put(g, word + 2);
    } else {
        dataset_gen_put(g, word);
    }
}

void dataset_gen_words(struct dataset_gen *g, const struct dataset_gen_zipf *z, unsigned n,
                       unsigned comma_after, unsigned comma_one_in) {
    for (unsigned i = 0; i < n; i++) {
        const char *w = dataset_gen_zipf_pick(g, z);
        if (i == 0) {
            dataset_gen_capitalized(g, w);
        } else {
            dataset_gen_byte(g, ' ');
            dataset_gen_put(g, w);
        }
        if (i + 1 < n && i >= comma_after && dataset_gen_below(g, comma_one_in) == 0)
            dataset_gen_byte(g, ',');
    }
}

void dataset_gen_sentence(struct dataset_gen *g, const struct dataset_gen_zipf *z,
                          unsigned min_words, unsigned max_words) {
    unsigned n = min_words + (unsigned)dataset_gen_below(g, max_words - min_words + 1);
    dataset_gen_words(g, z, n, 2, 9);
    static const char *const ends[] = {".", ".", ".", ".", ".", "!", "?", ";", ":"};
    dataset_gen_put(g, DATASET_GEN_PICK(g, ends));
}

/* Words of German verse, roughly by falling frequency (a word's rank sets its
 * Zipf weight; a word listed twice counts twice): function words first, then
 * verbs, nouns and adjectives. */
/* clang-format off */
const char *const dataset_gen_german_words[] = {
    u8"und", u8"ich", u8"die", u8"der", u8"nicht", u8"ist", u8"das", u8"zu", u8"in", u8"ein",
    u8"mit", u8"mich", u8"sich", u8"es", u8"du", u8"so", u8"den", u8"mir", u8"dich", u8"was",
    u8"auf", u8"wie", u8"mein", u8"sie", u8"er", u8"dem", u8"an", u8"von", u8"doch", u8"ihr",
    u8"nur", u8"im", u8"wir", u8"auch", u8"sein", u8"dir", u8"wenn", u8"noch", u8"wird", u8"ein",
    u8"nun", u8"da", u8"mag", u8"kann", u8"hat", u8"eine", u8"sind", u8"aus", u8"will", u8"man",
    u8"dein", u8"ja", u8"uns", u8"hier", u8"für", u8"ach", u8"durch", u8"nach", u8"wohl", u8"schon",
    u8"sei", u8"dass", u8"bin", u8"des", u8"einen", u8"mag", u8"wo", u8"um", u8"gar", u8"muss",
    u8"über", u8"vor", u8"bei", u8"soll", u8"ganz", u8"hab", u8"oder", u8"ihm", u8"alle", u8"Herr",
    u8"Welt", u8"Geist", u8"Gott", u8"Herz", u8"Nacht", u8"Leben", u8"Tag", u8"Zeit", u8"Teufel",
    u8"Himmel", u8"Liebe", u8"Mensch", u8"Seele", u8"Natur", u8"Erde", u8"Hand", u8"kommt",
    u8"geht", u8"sehen", u8"gehen", u8"kommen", u8"lassen", u8"machen", u8"sagen", u8"weiß",
    u8"sieht", u8"steht", u8"bleibt", u8"gibt", u8"nimmt", u8"hält", u8"fühlt", u8"läuft",
    u8"schön", u8"gut", u8"groß", u8"alt", u8"neu", u8"hoch", u8"tief", u8"süß", u8"heiß",
    u8"still", u8"Augen", u8"Brust", u8"Wort", u8"Blut", u8"Feuer", u8"Glück", u8"Schmerz",
    u8"Traum", u8"Lust", u8"Kraft", u8"Macht", u8"Gold", u8"Buch", u8"Sinn", u8"Tod", u8"Wissen",
    u8"Kunst", u8"immer", u8"nie", u8"heute", u8"morgen", u8"gleich", u8"bald", u8"oft", u8"einmal",
    u8"fort", u8"Mädchen", u8"Knabe", u8"Mutter", u8"Vater", u8"Bruder", u8"Schwester", u8"Freund",
    u8"Nachbarin", u8"Schüler", u8"Doktor", u8"Meister", u8"Hexe", u8"Engel", u8"Pudel", u8"müssen",
    u8"können", u8"wollen", u8"dürfen", u8"möchte", u8"würde", u8"wäre", u8"hätte", u8"fließt",
    u8"glüht", u8"blüht", u8"grüßt", u8"küsst", u8"schließt", u8"stößt", u8"büßt", u8"Straße",
    u8"Größe", u8"Füße", u8"Grüße", u8"Blüte", u8"Gemüt", u8"Mühe", u8"Tür", u8"Schlüssel",
    u8"Studierzimmer", u8"Osterspaziergang", u8"Kerker", u8"Garten", u8"Walpurgisnacht", u8"Wald",
    u8"Höhle", u8"Kirche", u8"Brunnen", u8"Stadt", u8"Dom", u8"Tor", u8"Keller", u8"Zimmer",
    u8"wandeln", u8"streben", u8"irren", u8"ringen", u8"schweben", u8"sinnen", u8"schaffen",
    u8"dringen", u8"klingen", u8"singen", u8"springen", u8"zwingen", u8"bringen", u8"gelingen",
    u8"ewig", u8"heilig", u8"selig", u8"freudig", u8"traurig", u8"mächtig", u8"prächtig",
    u8"herrlich", u8"fröhlich", u8"grässlich", u8"häßlich", u8"zärtlich", u8"ängstlich",
    u8"wunderlich", u8"Wesen", u8"Wille", u8"Wahn", u8"Wahrheit", u8"Weisheit", u8"Schönheit",
    u8"Freiheit", u8"Sonne", u8"Mond", u8"Sterne", u8"Wolken", u8"Sturm", u8"Wind", u8"Regen",
    u8"Flut", u8"Meer", u8"Berg", u8"Tal", u8"Fluss", u8"Quelle", u8"Rose", u8"Blume", u8"Baum",
    u8"Zweig", u8"Blatt", u8"denken", u8"glauben", u8"hoffen", u8"fürchten", u8"lieben", u8"hassen",
    u8"leiden", u8"sterben", u8"werden", u8"wissen", u8"finden", u8"suchen", u8"fragen", u8"hören",
    u8"spüren", u8"Philosophie", u8"Juristerei", u8"Medizin", u8"Theologie", u8"Magie",
    u8"Beschwörung", u8"Pentagramm", u8"Zeichen", u8"Spiegel", u8"Becher", u8"Trank", u8"Wein",
    u8"Schatz", u8"Geselle", u8"Bursche", u8"Bauer", u8"Soldat", u8"Bürger", u8"Jungfrau", u8"Frau",
    u8"Greis", u8"unendlich", u8"unergründlich", u8"unbegreiflich", u8"unsterblich",
    u8"vergänglich", u8"Augenblick", u8"Ewigkeit", u8"Finsternis", u8"Dämmerung", u8"Morgenröte",
    u8"Mitternacht", u8"verweile", u8"verflucht", u8"verloren", u8"vergessen", u8"verborgen",
    u8"verschlossen", u8"Schicksal", u8"Gewissen", u8"Verstand", u8"Vernunft", u8"Gefühl",
    u8"Begierde", u8"Genuss", u8"Schoß", u8"Gruß", u8"Fuß", u8"Spaß", u8"Maß", u8"Floß", u8"Stoß",
    u8"Kuss", u8"Schluss", u8"zwischen", u8"gegen", u8"ohne", u8"unter", u8"hinter", u8"neben",
    u8"seit", u8"während", u8"hinauf", u8"hinab", u8"heraus", u8"herein", u8"hinweg", u8"zurück",
    u8"voran", u8"empor", u8"Gretchen", u8"Mephistopheles", u8"Faust", u8"Wagner", u8"Marthe",
    u8"Valentin", u8"Lieschen", u8"Gestalt", u8"Gesicht", u8"Gedanke", u8"Gebet", u8"Gesang",
    u8"Gelächter", u8"Getümmel", u8"glänzend", u8"brennend", u8"lodernd", u8"rauschend",
    u8"flüsternd", u8"zitternd", u8"schwebend", u8"Äpfel", u8"Ähre", u8"Öl", u8"Übel", u8"Übermut",
    u8"Ärger", u8"Ödnis", u8"Übergang",
};
/* clang-format on */
const size_t dataset_gen_german_word_count =
    sizeof dataset_gen_german_words / sizeof dataset_gen_german_words[0];
