/* dataset_text: the generators of the text data sets (valid UTF-8): json,
 * prose and markup (dataset.h, cases/README.md "Data sets"). */
#include <string.h>

#include "model/dataset_gen.h"

/* Generation stops at the first record, speech or article that ends past
 * these sizes (octets). */
#define JSON_TARGET   (240u * 1024u)
#define PROSE_TARGET  (222u * 1024u)
#define MARKUP_TARGET (256u * 1024u)

/* ---- prose: German verse drama, Faust-like ---- */

static const char *const speakers[] = {
    u8"FAUST",    u8"MEPHISTOPHELES", u8"WAGNER",      u8"MARGARETE", u8"MARTHE",
    u8"DER HERR", u8"CHOR DER ENGEL", u8"SCHÜLER",     u8"VALENTIN",  u8"LIESCHEN",
    u8"HEXE",     u8"GEIST",          u8"BÖSER GEIST", u8"BÜRGER",    u8"BAUERN (unter der Linde)",
    u8"ALTMAYER", u8"FROSCH",         u8"SIEBEL",      u8"BRANDER",   u8"ERDGEIST",
};

static const char *const scenes[] = {
    u8"Nacht",
    u8"Vor dem Tor",
    u8"Studierzimmer",
    u8"Auerbachs Keller in Leipzig",
    u8"Hexenküche",
    u8"Straße",
    u8"Abend",
    u8"Spaziergang",
    u8"Der Nachbarin Haus",
    u8"Garten",
    u8"Ein Gartenhäuschen",
    u8"Wald und Höhle",
    u8"Gretchens Stube",
    u8"Marthens Garten",
    u8"Am Brunnen",
    u8"Zwinger",
    u8"Dom",
    u8"Walpurgisnacht",
    u8"Trüber Tag. Feld",
    u8"Kerker",
};

/* A verse line: 4..9 words, its first word capitalized, often punctuated. */
static void verse_line(struct dataset_gen *g, const struct dataset_gen_zipf *z) {
    unsigned n = 4 + (unsigned)dataset_gen_below(g, 6);
    dataset_gen_words(g, z, n, 1, 12);
    static const char *const ends[] = {"", "", "", ",", ",", ";", ".", ".", "!", "?", u8" —", ":"};
    dataset_gen_put(g, DATASET_GEN_PICK(g, ends));
    dataset_gen_byte(g, '\n');
}

int dataset_text_prose(struct buf *out) {
    struct dataset_gen g;
    dataset_gen_init(&g, out, 0x70726f7365ULL); /* "prose" */
    struct dataset_gen_zipf z;
    dataset_gen_zipf_init(&z, dataset_gen_german_words, dataset_gen_german_word_count);
    dataset_gen_put(&g, u8"Der Tragödie erster Teil\n\n\n");
    while (g.err == 0 && out->len < PROSE_TARGET) {
        if (dataset_gen_below(&g, 24) == 0) {
            dataset_gen_putf(&g, "\n%s.\n\n", DATASET_GEN_PICK(&g, scenes));
            dataset_gen_sentence(&g, &z, 8, 20);
            dataset_gen_put(&g, " ");
            dataset_gen_sentence(&g, &z, 5, 14);
            dataset_gen_put(&g, "\n\n");
        }
        dataset_gen_putf(&g, "%s:\n", DATASET_GEN_PICK(&g, speakers));
        if (dataset_gen_below(&g, 6) == 0) { /* a stage direction */
            dataset_gen_put(&g, "(");
            dataset_gen_sentence(&g, &z, 3, 8);
            dataset_gen_put(&g, ")\n");
        }
        unsigned lines = 1 + (unsigned)dataset_gen_below(&g, 14);
        for (unsigned i = 0; i < lines; i++)
            verse_line(&g, &z);
        dataset_gen_byte(&g, '\n');
    }
    return g.err;
}

/* ---- json: the records of a web API ---- */

struct person {
    const char *first, *last; /* UTF-8 */
    const char *ascii;        /* the e-mail's local part */
};

static const struct person people[] = {
    {u8"José", u8"García", "jose.garcia"},
    {u8"Zoë", u8"Müller", "zoe.mueller"},
    {u8"François", u8"Lefèvre", "francois.lefevre"},
    {u8"Łukasz", u8"Wiśniewski", "lukasz.w"},
    {u8"Søren", u8"Kierkegård", "soren.k"},
    {u8"Ana María", u8"Peña", "ana.pena"},
    {u8"Jürgen", u8"Groß", "juergen.gross"},
    {u8"Ayşe", u8"Çelik", "ayse.celik"},
    {u8"Antonín", u8"Dvořák", "antonin.dvorak"},
    {u8"Björk", u8"Guðmundsdóttir", "bjork.g"},
    {u8"伟", u8"王", "wang.wei"},
    {u8"娜", u8"李", "li.na"},
    {u8"花子", u8"佐藤", "hanako.sato"},
    {u8"太郎", u8"鈴木", "taro.suzuki"},
    {u8"민준", u8"김", "minjun.kim"},
    {u8"Дмитрий", u8"Иванов", "dmitry.ivanov"},
    {"John", "Smith", "john.smith"},
    {"Mary", "Johnson", "mary.johnson"},
    {"Robert", "Williams", "robert.williams"},
    {"Linda", "Brown", "linda.brown"},
    {"Michael", "Jones", "michael.jones"},
    {"Sarah", "Miller", "sarah.miller"},
    {"David", "Davis", "david.davis"},
    {"Emma", "Wilson", "emma.wilson"},
    {"James", "Taylor", "james.taylor"},
    {"Olivia", "Anderson", "olivia.anderson"},
    {"Lucas", "Thomas", "lucas.thomas"},
    {"Sophia", "Moore", "sophia.moore"},
};

static const char *const companies[] = {
    "ZILLACON", "QUONATA",   "EXOSPEED", "GEEKOLA",   "OVOLO",     "ISOPLEX", "COMTEXT",
    "ZENTRY",   "TELEQUIET", "MEDIOT",   "KIDGREASE", "ACCUPRINT", "NETAGY",  "FLUMBO",
};
static const char *const colors[] = {"blue", "brown", "green"};
static const char *const fruits[] = {"apple", "banana", "strawberry"};
static const char *const streets[] = {
    u8"Hauptstraße", "Baker Street", u8"Rue de Rivoli", "Calle Mayor", "Main Street",
    u8"Königsallee", "Via Roma",     u8"Ulica Długa",   "Broadway",    u8"Åsgatan",
};
static const char *const cities[] = {
    u8"München", "Berlin", "Paris",  u8"Kraków",   "Madrid",      u8"Zürich", "New York",
    u8"東京",    u8"北京", "London", u8"Göteborg", u8"São Paulo", "Chicago",  "Wien",
};
static const char *const countries[] = {"DE", "FR", "PL", "ES", "CH", "US",
                                        "JP", "CN", "GB", "SE", "BR", "AT"};
static const char *const tags[] = {
    "lorem", "ipsum", "dolor", "sit",     "amet",   "consectetur", "adipisicing", "elit",
    "sunt",  "culpa", "qui",   "officia", "mollit", "anim",        "laborum",     "est",
    "nisi",  "velit", "esse",  "cillum",  "fugiat", "nulla",       "pariatur",    "veniam",
};
static const char *const latin[] = {
    "Lorem",      "ipsum",        "dolor",
    "sit",        "amet",         "consectetur",
    "adipiscing", "elit",         "sed",
    "do",         "eiusmod",      "tempor",
    "incididunt", "ut",           "labore",
    "et",         "dolore",       "magna",
    "aliqua",     "enim",         "ad",
    "minim",      "veniam",       "quis",
    "nostrud",    "exercitation", "ullamco",
    "laboris",    "nisi",         "aliquip",
    "ex",         "ea",           "commodo",
    "consequat",  "duis",         "aute",
    "irure",      "in",           "reprehenderit",
    "voluptate",  "velit",        "esse",
};

static void hex_digits(struct dataset_gen *g, unsigned count) {
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < count; i++)
        dataset_gen_byte(g, (uint8_t)digits[dataset_gen_below(g, 16)]);
}

/* An ISO 8601 date-time with an offset. */
static void iso_date(struct dataset_gen *g) {
    static const char *const zones[] = {"Z", "+01:00", "+02:00", "-05:00", "+09:00", "-08:00"};
    dataset_gen_putf(g, "%04u-%02u-%02uT%02u:%02u:%02u%s",
                     2014 + (unsigned)dataset_gen_below(g, 11),
                     1 + (unsigned)dataset_gen_below(g, 12), 1 + (unsigned)dataset_gen_below(g, 28),
                     (unsigned)dataset_gen_below(g, 24), (unsigned)dataset_gen_below(g, 60),
                     (unsigned)dataset_gen_below(g, 60), DATASET_GEN_PICK(g, zones));
}

/* A decimal with six fractional digits in [-limit, limit], from integers. */
static void coordinate(struct dataset_gen *g, unsigned limit) {
    uint64_t micro = dataset_gen_below(g, 2ull * limit * 1000000u + 1);
    int negative = micro < (uint64_t)limit * 1000000u;
    uint64_t mag =
        negative ? (uint64_t)limit * 1000000u - micro : micro - (uint64_t)limit * 1000000u;
    dataset_gen_putf(g, "%s%u.%06u", negative ? "-" : "", (unsigned)(mag / 1000000u),
                     (unsigned)(mag % 1000000u));
}

static void json_record(struct dataset_gen *g, unsigned index) {
    const struct person *p = &people[dataset_gen_below(g, sizeof people / sizeof people[0])];
    dataset_gen_put(g, "  {\n    \"_id\": \"");
    hex_digits(g, 24);
    dataset_gen_putf(g, "\",\n    \"index\": %u,\n    \"guid\": \"", index);
    hex_digits(g, 8);
    dataset_gen_put(g, "-");
    hex_digits(g, 4);
    dataset_gen_put(g, "-4");
    hex_digits(g, 3);
    dataset_gen_put(g, "-a");
    hex_digits(g, 3);
    dataset_gen_put(g, "-");
    hex_digits(g, 12);
    unsigned cents = (unsigned)dataset_gen_below(g, 400000);
    dataset_gen_putf(g, "\",\n    \"isActive\": %s,\n    \"balance\": \"$%u,%03u.%02u\",\n",
                     dataset_gen_below(g, 2) ? "true" : "false", cents / 100000, cents / 100 % 1000,
                     cents % 100);
    dataset_gen_putf(g, "    \"picture\": \"https://example.com/img/%u.png\",\n",
                     32 + (unsigned)dataset_gen_below(g, 64));
    dataset_gen_putf(g, "    \"age\": %u,\n    \"eyeColor\": \"%s\",\n",
                     20 + (unsigned)dataset_gen_below(g, 50), DATASET_GEN_PICK(g, colors));
    dataset_gen_putf(g,
                     "    \"name\": {\n      \"first\": \"%s\",\n      \"last\": \"%s\"\n    },\n",
                     p->first, p->last);
    const char *company = DATASET_GEN_PICK(g, companies);
    dataset_gen_putf(g, "    \"company\": \"%s\",\n    \"email\": \"%s@%s.com\",\n", company,
                     p->ascii, company);
    dataset_gen_putf(g, "    \"phone\": \"+1 (%03u) %03u-%04u\",\n",
                     200 + (unsigned)dataset_gen_below(g, 800),
                     (unsigned)dataset_gen_below(g, 1000), (unsigned)dataset_gen_below(g, 10000));
    dataset_gen_putf(g,
                     "    \"address\": {\n      \"street\": \"%s %u\",\n      \"city\": \"%s\",\n",
                     DATASET_GEN_PICK(g, streets), 1 + (unsigned)dataset_gen_below(g, 200),
                     DATASET_GEN_PICK(g, cities));
    dataset_gen_putf(g, "      \"zip\": \"%05u\",\n      \"country\": \"%s\"\n    },\n",
                     (unsigned)dataset_gen_below(g, 100000), DATASET_GEN_PICK(g, countries));
    dataset_gen_put(g, "    \"about\": \"");
    unsigned words = 12 + (unsigned)dataset_gen_below(g, 30);
    for (unsigned i = 0; i < words; i++) {
        dataset_gen_put(g, DATASET_GEN_PICK(g, latin));
        dataset_gen_put(g, i + 1 == words ? ".\\r\\n\",\n" : " ");
    }
    dataset_gen_put(g, "    \"registered\": \"");
    iso_date(g);
    dataset_gen_put(g, "\",\n    \"latitude\": ");
    coordinate(g, 90);
    dataset_gen_put(g, ",\n    \"longitude\": ");
    coordinate(g, 180);
    dataset_gen_put(g, ",\n    \"tags\": [\n");
    for (unsigned i = 0; i < 7; i++)
        dataset_gen_putf(g, "      \"%s\"%s\n", DATASET_GEN_PICK(g, tags), i < 6 ? "," : "");
    dataset_gen_put(g, "    ],\n    \"friends\": [\n");
    for (unsigned i = 0; i < 3; i++) {
        const struct person *f = &people[dataset_gen_below(g, sizeof people / sizeof people[0])];
        dataset_gen_putf(g,
                         "      {\n        \"id\": %u,\n        \"name\": \"%s %s\"\n      }%s\n",
                         i, f->first, f->last, i < 2 ? "," : "");
    }
    unsigned unread = (unsigned)dataset_gen_below(g, 10);
    dataset_gen_putf(g,
                     "    ],\n    \"greeting\": \"Hello, %s! You have %u unread messages.%s\",\n",
                     p->first, unread, unread > 7 ? u8" \U0001F389" : "");
    dataset_gen_putf(g, "    \"favoriteFruit\": \"%s\"\n  }", DATASET_GEN_PICK(g, fruits));
}

int dataset_text_json(struct buf *out) {
    struct dataset_gen g;
    dataset_gen_init(&g, out, 0x6a736f6eULL); /* "json" */
    dataset_gen_put(&g, "[\n");
    for (unsigned i = 0; g.err == 0; i++) {
        if (i > 0)
            dataset_gen_put(&g, ",\n");
        json_record(&g, i);
        if (out->len >= JSON_TARGET)
            break;
    }
    dataset_gen_put(&g, "\n]\n");
    return g.err;
}

/* ---- markup: a news site's HTML page ---- */

static const char *const sections[] = {
    "politik", "wirtschaft", "kultur", "wissen", "sport", "reise", "digital", "panorama",
};
static const char *const css_props[] = {
    "margin: 0 auto",
    "padding: 8px 16px",
    "color: #1a1a1a",
    "background-color: #f4f4f2",
    "font-size: 1.125rem",
    "line-height: 1.5",
    "display: flex",
    "flex-wrap: wrap",
    "border-bottom: 1px solid #ddd",
    "font-family: \"Source Serif Pro\", Georgia, serif",
    "text-decoration: none",
    "max-width: 1200px",
    "position: relative",
    "z-index: 10",
    "transition: opacity .2s ease-in-out",
    "font-weight: 700",
    "letter-spacing: .02em",
};
static const char *const entities[] = {
    "&amp;",   "&nbsp;",  "&quot;",   "&copy;",  "&euro;",   "&ndash;", "&mdash;",
    "&laquo;", "&raquo;", "&hellip;", "&#8364;", "&#x201E;", "&lt;",    "&gt;",
};

static void css_rules(struct dataset_gen *g, unsigned count) {
    static const char *const selectors[] = {"header", "nav",  "article", "main", "footer", "aside",
                                            "figure", "time", "ul",      "li",   "a",      "p"};
    for (unsigned i = 0; i < count; i++) {
        dataset_gen_putf(g, ".%s-%s", DATASET_GEN_PICK(g, sections),
                         DATASET_GEN_PICK(g, selectors));
        if (dataset_gen_below(g, 3) == 0)
            dataset_gen_putf(g, " > %s:hover", DATASET_GEN_PICK(g, selectors));
        dataset_gen_put(g, " {\n");
        unsigned props = 1 + (unsigned)dataset_gen_below(g, 5);
        for (unsigned k = 0; k < props; k++)
            dataset_gen_putf(g, "  %s;\n", DATASET_GEN_PICK(g, css_props));
        dataset_gen_put(g, "}\n");
    }
}

static void script(struct dataset_gen *g) {
    dataset_gen_put(g, "<script>\n(function (w, d) {\n  \"use strict\";\n  var cfg = {\n");
    for (unsigned i = 0; i < 12; i++)
        dataset_gen_putf(g, "    %s_%u: %u,\n", DATASET_GEN_PICK(g, sections), i,
                         (unsigned)dataset_gen_below(g, 100000));
    dataset_gen_put(g, "    lang: \"de\"\n  };\n");
    for (unsigned i = 0; i < 10; i++) {
        const char *s = DATASET_GEN_PICK(g, sections);
        dataset_gen_putf(
            g,
            "  function toggle_%s_%u(id) {\n    var el = d.getElementById(id);\n"
            "    if (el && el.classList.contains(\"open\") === %s) {\n"
            "      el.classList.toggle(\"open\");\n      w.dataLayer.push({event: \"%s\", "
            "n: %u});\n    }\n  }\n",
            s, i, dataset_gen_below(g, 2) ? "true" : "false", s,
            (unsigned)dataset_gen_below(g, 1000));
    }
    dataset_gen_put(g, "  w.wsspecCfg = cfg;\n})(window, document);\n</script>\n");
}

/* A paragraph: sentences with inline markup and entities. */
static void paragraph(struct dataset_gen *g, const struct dataset_gen_zipf *z) {
    dataset_gen_put(g, "      <p>");
    unsigned sentences = 2 + (unsigned)dataset_gen_below(g, 5);
    for (unsigned i = 0; i < sentences; i++) {
        unsigned r = (unsigned)dataset_gen_below(g, 10);
        if (r == 0) {
            dataset_gen_put(g, "<strong>");
            dataset_gen_sentence(g, z, 3, 7);
            dataset_gen_put(g, "</strong>");
        } else if (r == 1) {
            dataset_gen_putf(g, "<a href=\"/%s/%u.html\" class=\"inline-link\">",
                             DATASET_GEN_PICK(g, sections), (unsigned)dataset_gen_below(g, 900000));
            dataset_gen_sentence(g, z, 2, 6);
            dataset_gen_put(g, "</a>");
        } else if (r == 2) {
            dataset_gen_put(g, "<em>");
            dataset_gen_sentence(g, z, 4, 10);
            dataset_gen_put(g, "</em>");
        } else {
            dataset_gen_sentence(g, z, 6, 18);
        }
        if (dataset_gen_below(g, 4) == 0)
            dataset_gen_putf(g, " %s %u", DATASET_GEN_PICK(g, entities),
                             (unsigned)dataset_gen_below(g, 2000));
        dataset_gen_put(g, i + 1 < sentences ? " " : "</p>\n");
    }
}

static void article(struct dataset_gen *g, const struct dataset_gen_zipf *z, unsigned id) {
    const char *section = DATASET_GEN_PICK(g, sections);
    dataset_gen_putf(g, "    <article class=\"teaser teaser--%s\" id=\"a-%u\" data-id=\"%u\">\n",
                     section, id, 100000 + id * 7);
    dataset_gen_putf(g, "      <h2 class=\"teaser__title\"><a href=\"/%s/%u-", section,
                     100000 + id * 7);
    dataset_gen_put(g, dataset_gen_zipf_pick(g, z));
    dataset_gen_put(g, "-");
    dataset_gen_put(g, dataset_gen_zipf_pick(g, z));
    dataset_gen_put(g, ".html\">");
    dataset_gen_sentence(g, z, 3, 8);
    dataset_gen_put(g, "</a></h2>\n");
    static const char *const months[] = {"Januar",    "Februar", u8"März",   "April",
                                         "Mai",       "Juni",    "Juli",     "August",
                                         "September", "Oktober", "November", "Dezember"};
    unsigned month = (unsigned)dataset_gen_below(g, 12),
             day = 1 + (unsigned)dataset_gen_below(g, 28);
    dataset_gen_putf(
        g,
        "      <div class=\"teaser__meta\"><time datetime=\"2024-%02u-%02uT%02u:%02u\">%u. "
        "%s 2024</time> &middot; <span class=\"author\">Von ",
        month + 1, day, (unsigned)dataset_gen_below(g, 24), (unsigned)dataset_gen_below(g, 60), day,
        months[month]);
    const struct person *p = &people[dataset_gen_below(g, sizeof people / sizeof people[0])];
    dataset_gen_putf(g, "%s %s</span></div>\n", p->first, p->last);
    if (dataset_gen_below(g, 3) == 0)
        dataset_gen_putf(g,
                         "      <figure class=\"teaser__image\"><img src=\"/img/%u/%ux%u.jpg\" "
                         "alt=\"\" loading=\"lazy\" width=\"%u\" height=\"%u\"></figure>\n",
                         (unsigned)dataset_gen_below(g, 100000), 640u, 360u, 640u, 360u);
    unsigned paragraphs = 1 + (unsigned)dataset_gen_below(g, 4);
    for (unsigned i = 0; i < paragraphs; i++)
        paragraph(g, z);
    if (dataset_gen_below(g, 4) == 0) {
        dataset_gen_put(g, "      <ul class=\"teaser__list\">\n");
        for (unsigned i = 0, n = 2 + (unsigned)dataset_gen_below(g, 4); i < n; i++) {
            dataset_gen_put(g, "        <li>");
            dataset_gen_sentence(g, z, 2, 6);
            dataset_gen_put(g, "</li>\n");
        }
        dataset_gen_put(g, "      </ul>\n");
    }
    /* The share bar half of the teasers repeat, as real pages do. */
    if (dataset_gen_below(g, 2) == 0) {
        dataset_gen_put(g, "    </article>\n");
        return;
    }
    dataset_gen_putf(g, "      <div class=\"share\" data-article=\"%u\">\n", 100000 + id * 7);
    static const char *const networks[] = {"facebook", "twitter", "linkedin", "whatsapp", "mail"};
    for (size_t i = 0; i < sizeof networks / sizeof networks[0]; i++)
        dataset_gen_putf(
            g,
            "        <a class=\"share__link share__link--%s\" href=\"#\" rel=\"noopener\" "
            "data-network=\"%s\" aria-label=\"Teilen auf %s\"><svg class=\"icon\" "
            "aria-hidden=\"true\"><use href=\"#icon-%s\"></use></svg></a>\n",
            networks[i], networks[i], networks[i], networks[i]);
    dataset_gen_put(g, "      </div>\n    </article>\n");
}

int dataset_text_markup(struct buf *out) {
    struct dataset_gen g;
    dataset_gen_init(&g, out, 0x6d61726b7570ULL); /* "markup" */
    struct dataset_gen_zipf z;
    dataset_gen_zipf_init(&z, dataset_gen_german_words, dataset_gen_german_word_count);
    dataset_gen_put(&g, "<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n"
                        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                        u8"<title>Nachrichten &ndash; Überblick für Sie</title>\n<style>\n");
    css_rules(&g, 60);
    dataset_gen_put(&g, "</style>\n");
    script(&g);
    dataset_gen_put(&g, "</head>\n<body class=\"page page--front\">\n  <header id=\"top\">\n"
                        "    <nav class=\"nav\">\n      <ul>\n");
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
        dataset_gen_putf(&g, "        <li><a href=\"/%s/\" class=\"nav__link\">%s</a></li>\n",
                         sections[i], sections[i]);
    dataset_gen_put(&g, "      </ul>\n    </nav>\n  </header>\n  <main id=\"content\">\n");
    for (unsigned id = 0; g.err == 0 && out->len < MARKUP_TARGET; id++)
        article(&g, &z, id);
    dataset_gen_put(&g,
                    u8"  </main>\n  <footer class=\"footer\">&copy; 2024 Zeitung für Übermorgen "
                    u8"&middot; Impressum &middot; Datenschutz</footer>\n</body>\n</html>\n");
    return g.err;
}
