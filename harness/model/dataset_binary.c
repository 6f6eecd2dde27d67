/* dataset_binary: the generators of the binary data sets: image (a 24-bit
 * BMP) and mixed (a PDF-like file) (dataset.h, cases/README.md "Data sets"). */
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "model/dataset_gen.h"

/* ---- image: a 24-bit BMP, smooth shading, noise and shapes ---- */

#define IMAGE_WIDTH  320u
#define IMAGE_HEIGHT 280u
#define IMAGE_CELL   40u /* the grid of the smooth shading */
#define IMAGE_NOISE  3u  /* per-channel noise: -3..+3 */
#define GRID_W       (IMAGE_WIDTH / IMAGE_CELL + 2)
#define GRID_H       (IMAGE_HEIGHT / IMAGE_CELL + 2)

static void le16(struct dataset_gen *g, unsigned v) {
    dataset_gen_byte(g, (uint8_t)v);
    dataset_gen_byte(g, (uint8_t)(v >> 8));
}

static void le32(struct dataset_gen *g, uint32_t v) {
    le16(g, v & 0xffffu);
    le16(g, v >> 16);
}

struct shape {
    unsigned cx, cy, radius; /* a disc when radius > 0, else the box below */
    unsigned x0, y0, x1, y1;
    unsigned rgb[3];
};

static unsigned clamp255(int v) {
    return v < 0 ? 0u : v > 255 ? 255u : (unsigned)v;
}

/* Channel c of pixel (x, y) before shapes and noise: value noise, a
 * bilinear blend of random grid values, plus a gradient. */
static int shading(uint8_t grid[GRID_H][GRID_W][3], unsigned x, unsigned y, unsigned c) {
    unsigned gx = x / IMAGE_CELL, gy = y / IMAGE_CELL;
    int fx = (int)(x % IMAGE_CELL), fy = (int)(y % IMAGE_CELL), n = (int)IMAGE_CELL;
    int v = grid[gy][gx][c] * (n - fx) * (n - fy) + grid[gy][gx + 1][c] * fx * (n - fy) +
            grid[gy + 1][gx][c] * (n - fx) * fy + grid[gy + 1][gx + 1][c] * fx * fy;
    return v / (n * n) + (int)(x * 48 / IMAGE_WIDTH) - (int)(y * 32 / IMAGE_HEIGHT);
}

int dataset_binary_image(struct buf *out) {
    struct dataset_gen g;
    dataset_gen_init(&g, out, 0x696d616765ULL); /* "image" */
    uint32_t row = IMAGE_WIDTH * 3;             /* a multiple of 4: no row padding */
    uint32_t pixels = row * IMAGE_HEIGHT;
    /* BITMAPFILEHEADER (14 octets) and BITMAPINFOHEADER (40), little-endian. */
    dataset_gen_put(&g, "BM");
    le32(&g, 54 + pixels);
    le32(&g, 0);
    le32(&g, 54);
    le32(&g, 40);
    le32(&g, IMAGE_WIDTH);
    le32(&g, IMAGE_HEIGHT);
    le16(&g, 1);  /* planes */
    le16(&g, 24); /* bits per pixel */
    le32(&g, 0);  /* BI_RGB */
    le32(&g, pixels);
    le32(&g, 2835); /* 72 dpi */
    le32(&g, 2835);
    le32(&g, 0);
    le32(&g, 0);

    uint8_t grid[GRID_H][GRID_W][3];
    for (unsigned y = 0; y < GRID_H; y++)
        for (unsigned x = 0; x < GRID_W; x++)
            for (unsigned c = 0; c < 3; c++)
                grid[y][x][c] = (uint8_t)(40 + dataset_gen_below(&g, 176));
    struct shape shapes[9];
    unsigned shape_count = sizeof shapes / sizeof shapes[0];
    for (unsigned i = 0; i < shape_count; i++) {
        struct shape *s = &shapes[i];
        memset(s, 0, sizeof *s);
        if (i % 3 != 2) {
            s->cx = (unsigned)dataset_gen_below(&g, IMAGE_WIDTH);
            s->cy = (unsigned)dataset_gen_below(&g, IMAGE_HEIGHT);
            s->radius = 12 + (unsigned)dataset_gen_below(&g, 60);
        } else {
            s->x0 = (unsigned)dataset_gen_below(&g, IMAGE_WIDTH - 40);
            s->y0 = (unsigned)dataset_gen_below(&g, IMAGE_HEIGHT - 40);
            s->x1 = s->x0 + 20 + (unsigned)dataset_gen_below(&g, 100);
            s->y1 = s->y0 + 20 + (unsigned)dataset_gen_below(&g, 80);
        }
        for (unsigned c = 0; c < 3; c++)
            s->rgb[c] = (unsigned)dataset_gen_below(&g, 256);
    }
    if (g.err == 0 && (g.err = buf_reserve(out, pixels)) != 0)
        return g.err;
    /* Rows bottom-up as BMP stores them, each pixel blue, green, red. */
    for (unsigned r = 0; g.err == 0 && r < IMAGE_HEIGHT; r++) {
        unsigned y = IMAGE_HEIGHT - 1 - r;
        for (unsigned x = 0; x < IMAGE_WIDTH; x++) {
            int rgb[3];
            for (unsigned c = 0; c < 3; c++)
                rgb[c] = shading(grid, x, y, c);
            for (unsigned i = 0; i < shape_count; i++) {
                const struct shape *s = &shapes[i];
                if (s->radius > 0) {
                    int dx = (int)x - (int)s->cx, dy = (int)y - (int)s->cy;
                    int d2 = dx * dx + dy * dy, r2 = (int)(s->radius * s->radius);
                    if (d2 <= r2) /* a shaded disc: darker towards its rim */
                        for (unsigned c = 0; c < 3; c++)
                            rgb[c] = (int)s->rgb[c] - 70 * d2 / r2;
                } else if (x >= s->x0 && x < s->x1 && y >= s->y0 && y < s->y1) {
                    for (unsigned c = 0; c < 3; c++)
                        rgb[c] = ((int)s->rgb[c] * 3 + rgb[c]) / 4;
                }
            }
            for (unsigned c = 3; c-- > 0;) { /* B, G, R */
                int noise = (int)dataset_gen_below(&g, 2 * IMAGE_NOISE + 1) - (int)IMAGE_NOISE;
                dataset_gen_byte(&g, (uint8_t)clamp255(rgb[c] + noise));
            }
        }
    }
    return g.err;
}

/* ---- mixed: a PDF-like file ---- */

#define MIXED_TARGET      (1000u * 1024u)
#define MIXED_OBJECTS_MAX 4096u

static const char *const fonts[] = {"Helvetica", "Times-Roman", "Courier", "Helvetica-Bold"};

/* A page's content stream, uncompressed: text-showing operators. */
static void content_stream(struct dataset_gen *g, const struct dataset_gen_zipf *z,
                           struct buf *scratch) {
    struct dataset_gen text;
    text.out = scratch;
    text.err = 0;
    text.rng = g->rng;
    scratch->len = 0;
    unsigned lines = 60 + (unsigned)dataset_gen_below(&text, 240);
    dataset_gen_putf(&text, "BT\n/F%u 11 Tf\n14 TL\n72 %u Td\n",
                     1 + (unsigned)dataset_gen_below(&text, 4),
                     700 + (unsigned)dataset_gen_below(&text, 40));
    for (unsigned i = 0; i < lines; i++) {
        dataset_gen_put(&text, "(");
        dataset_gen_sentence(&text, z, 4, 10);
        dataset_gen_put(&text, ") Tj T*\n");
    }
    dataset_gen_put(&text, "ET\n");
    g->rng = text.rng;
    if (text.err != 0) {
        g->err = g->err ? g->err : text.err;
        return;
    }
    dataset_gen_putf(g, "<< /Length %zu >>\nstream\n", scratch->len);
    dataset_gen_putn(g, scratch->data, scratch->len);
    dataset_gen_put(g, "\nendstream\n");
}

static void flate_stream(struct dataset_gen *g) {
    unsigned len = 2048 + (unsigned)dataset_gen_below(g, 18432);
    dataset_gen_putf(g, "<< /Length %u /Filter /FlateDecode >>\nstream\n", len);
    dataset_gen_random(g,
                       len); /* looks compressed: no zlib here, whose output may vary by version */
    dataset_gen_put(g, "\nendstream\n");
}

/* A JPEG image XObject: a JFIF head, a quantization table, entropy-coded data. */
static void jpeg_stream(struct dataset_gen *g) {
    unsigned width = 64 * (2 + (unsigned)dataset_gen_below(g, 10)),
             height = 48 * (2 + (unsigned)dataset_gen_below(g, 10));
    unsigned body = 4096 + (unsigned)dataset_gen_below(g, 28672);
    unsigned len = 20 + 69 + body + 2;
    dataset_gen_putf(
        g,
        "<< /Type /XObject /Subtype /Image /Width %u /Height %u /ColorSpace /DeviceRGB "
        "/BitsPerComponent 8 /Length %u /Filter /DCTDecode >>\nstream\n",
        width, height, len);
    static const uint8_t jfif[20] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J',  'F',  'I',  'F',
                                     0x00, 0x01, 0x01, 0x00, 0x00, 0x48, 0x00, 0x48, 0x00, 0x00};
    dataset_gen_putn(g, jfif, sizeof jfif);
    static const uint8_t dqt[5] = {0xff, 0xdb, 0x00, 0x43, 0x00};
    dataset_gen_putn(g, dqt, sizeof dqt);
    for (unsigned i = 0; i < 64; i++) /* quantizers growing with frequency */
        dataset_gen_byte(g, (uint8_t)(2 + i + i / 4 + dataset_gen_below(g, 3)));
    dataset_gen_random(g, body);
    dataset_gen_byte(g, 0xff);
    dataset_gen_byte(g, 0xd9);
    dataset_gen_put(g, "\nendstream\n");
}

/* A cross-reference stream: a binary table of 7-octet rows (type, offset
 * big-endian, generation). */
static void xref_stream(struct dataset_gen *g, const uint32_t *offsets, unsigned count) {
    dataset_gen_putf(g, "<< /Type /XRef /W [1 4 2] /Size %u /Length %u >>\nstream\n", count,
                     count * 7);
    for (unsigned i = 0; i < count; i++) {
        dataset_gen_byte(g, 1);
        for (int b = 3; b >= 0; b--)
            dataset_gen_byte(g, (uint8_t)(offsets[i] >> (8 * b)));
        dataset_gen_byte(g, 0);
        dataset_gen_byte(g, 0);
    }
    dataset_gen_put(g, "\nendstream\n");
}

static void font_object(struct dataset_gen *g, unsigned n) {
    dataset_gen_putf(g,
                     "<< /Type /Font /Subtype /Type1 /BaseFont /%s /FirstChar 32 /LastChar 126 "
                     "/Widths [",
                     fonts[n % 4]);
    for (unsigned c = 32; c <= 126; c++)
        dataset_gen_putf(g, "%s%u", c % 16 == 0 ? "\n" : " ",
                         250 + 50 * (unsigned)dataset_gen_below(g, 12));
    dataset_gen_put(g, "] >>\n");
}

int dataset_binary_mixed(struct buf *out) {
    struct dataset_gen g;
    dataset_gen_init(&g, out, 0x6d69786564ULL); /* "mixed" */
    struct dataset_gen_zipf z;
    dataset_gen_zipf_init(&z, dataset_gen_german_words, dataset_gen_german_word_count);
    struct buf scratch = {0};
    uint32_t *offsets = malloc(MIXED_OBJECTS_MAX * sizeof *offsets);
    if (!offsets)
        return WS_ERR_NOMEM;
    dataset_gen_put(&g, "%PDF-1.5\n%\xe2\xe3\xcf\xd3\n");
    unsigned count = 0;
    while (g.err == 0 && out->len < MIXED_TARGET && count + 1 < MIXED_OBJECTS_MAX) {
        offsets[count] = (uint32_t)out->len;
        unsigned id = ++count;
        dataset_gen_putf(&g, "%u 0 obj\n", id);
        unsigned kind = (unsigned)dataset_gen_below(&g, 12);
        if (kind < 2) {
            dataset_gen_putf(
                &g,
                "<< /Type /Page /Parent 1 0 R /MediaBox [0 0 612 792] /Contents %u 0 R "
                "/Resources << /Font << /F1 %u 0 R >> >> >>\n",
                id + 1, 1 + (unsigned)dataset_gen_below(&g, id));
        } else if (kind < 5) {
            content_stream(&g, &z, &scratch);
        } else if (kind < 8) {
            flate_stream(&g);
        } else if (kind < 9) {
            jpeg_stream(&g);
        } else if (kind < 10) {
            xref_stream(&g, offsets, count);
        } else {
            font_object(&g, id);
        }
        dataset_gen_put(&g, "endobj\n");
    }
    uint32_t xref_at = (uint32_t)out->len;
    dataset_gen_putf(&g, "xref\n0 %u\n0000000000 65535 f \n", count + 1);
    for (unsigned i = 0; i < count; i++)
        dataset_gen_putf(&g, "%010u 00000 n \n", (unsigned)offsets[i]);
    dataset_gen_putf(&g, "trailer\n<< /Size %u /Root 1 0 R >>\nstartxref\n%u\n%%%%EOF\n", count + 1,
                     (unsigned)xref_at);
    free(offsets);
    buf_free(&scratch);
    return g.err;
}
