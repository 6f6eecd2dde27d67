/* cli_help: the command-line help, read from the embedded cli_help.txt.
 *
 * The text is a list of lines, each a keyword and its value (the format is
 * described at the top of cli_help.txt): "command NAME ARGS", "about TEXT",
 * "text TEXT", "option SPEC | TEXT". It is read here line by line on every
 * call (it is a few kilobytes, read once per process), never copied. */
#include "cli/cli_help.h"

#include <string.h>

/* A view of part of the help text. */
struct span {
    const char *p;
    size_t len;
};

/* One line of the help text: its keyword and the rest after the blanks. */
struct help_line {
    struct span keyword, value;
};

/* Widest option column before the text moves over (longer specs keep one
 * line: the text just starts further right). */
#define SPEC_COLUMN 20

static bool span_is(struct span s, const char *word) {
    return s.len == strlen(word) && memcmp(s.p, word, s.len) == 0;
}

/* The next line of the text from *pos; false at the end. Comments and
 * blank lines are skipped. */
static bool next_line(size_t *pos, struct help_line *line) {
    const char *text = (const char *)cli_help_text;
    while (*pos < cli_help_text_len) {
        const char *start = text + *pos;
        const char *nl = memchr(start, '\n', cli_help_text_len - *pos);
        size_t len = nl ? (size_t)(nl - start) : cli_help_text_len - *pos;
        *pos += len + (nl != NULL);
        if (len == 0 || start[0] == '#')
            continue;
        size_t k = 0;
        while (k < len && start[k] != ' ')
            k++;
        line->keyword = (struct span){start, k};
        while (k < len && start[k] == ' ')
            k++;
        line->value = (struct span){start + k, len - k};
        return true;
    }
    return false;
}

/* The first word of s (a command's name) and the rest (its synopsis). */
static void split_word(struct span s, struct span *word, struct span *rest) {
    size_t k = 0;
    while (k < s.len && s.p[k] != ' ')
        k++;
    *word = (struct span){s.p, k};
    while (k < s.len && s.p[k] == ' ')
        k++;
    *rest = (struct span){s.p + k, s.len - k};
}

/* An option line's "SPEC | TEXT". */
static void split_option(struct span s, struct span *spec, struct span *text) {
    const char *bar = NULL;
    for (size_t k = 0; k + 2 < s.len && !bar; k++)
        if (s.p[k] == ' ' && s.p[k + 1] == '|' && s.p[k + 2] == ' ')
            bar = s.p + k;
    if (!bar) {
        *spec = s;
        *text = (struct span){s.p + s.len, 0};
        return;
    }
    *spec = (struct span){s.p, (size_t)(bar - s.p)};
    *text = (struct span){bar + 3, s.len - (size_t)(bar + 3 - s.p)};
}

/* Position just after the "command NAME" line of command, or false. */
static bool find_command(const char *command, size_t *pos) {
    struct help_line line;
    *pos = 0;
    while (next_line(pos, &line)) {
        struct span name, rest;
        split_word(line.value, &name, &rest);
        if (span_is(line.keyword, "command") && span_is(name, command))
            return true;
    }
    return false;
}

/* The synopsis ("ARGS" of the command line) of command. */
static struct span synopsis(const char *command) {
    size_t pos = 0;
    struct help_line line;
    while (next_line(&pos, &line)) {
        struct span name, rest;
        split_word(line.value, &name, &rest);
        if (span_is(line.keyword, "command") && span_is(name, command))
            return rest;
    }
    return (struct span){"", 0};
}

void cli_help_commands(FILE *out) {
    fputs("usage: wsspec COMMAND [OPTION...]\n\n"
          "A WebSocket (RFC 6455) conformance test harness: it replays JSON cases against a\n"
          "server (or its own strict reference server) and judges every answer against the "
          "RFC.\n\ncommands:\n",
          out);
    size_t pos = 0;
    struct help_line line;
    struct span name = {"", 0};
    while (next_line(&pos, &line)) {
        struct span rest;
        if (span_is(line.keyword, "command"))
            split_word(line.value, &name, &rest);
        else if (span_is(line.keyword, "about"))
            fprintf(out, "  %-12.*s  %.*s\n", (int)name.len, name.p, (int)line.value.len,
                    line.value.p);
    }
    fputs("\n  wsspec COMMAND --help   the options of COMMAND (or: wsspec help COMMAND)\n"
          "  wsspec --version        wsspec, OpenSSL, zlib and jansson versions\n"
          "  man wsspec              the manual: corpus search order, reports, exit status\n",
          out);
}

int cli_help_command(FILE *out, const char *command) {
    size_t start;
    if (!find_command(command, &start))
        return -1;
    struct span args = synopsis(command);
    fprintf(out, "usage: wsspec %s %.*s\n", command, (int)args.len, args.p);
    /* Pass 1: the description and the width of the option column. */
    size_t pos = start, width = strlen("-h, --help");
    bool described = false;
    struct help_line line;
    while (next_line(&pos, &line) && !span_is(line.keyword, "command")) {
        struct span spec, text;
        if (span_is(line.keyword, "text")) {
            fprintf(out, "%s%.*s\n", described ? "" : "\n", (int)line.value.len, line.value.p);
            described = true;
        } else if (span_is(line.keyword, "option")) {
            split_option(line.value, &spec, &text);
            if (spec.len > width && spec.len <= SPEC_COLUMN)
                width = spec.len;
        }
    }
    /* Pass 2: one line per option. */
    fputs("\noptions:\n", out);
    pos = start;
    while (next_line(&pos, &line) && !span_is(line.keyword, "command")) {
        struct span spec, text;
        if (!span_is(line.keyword, "option"))
            continue;
        split_option(line.value, &spec, &text);
        fprintf(out, "  %-*.*s  %.*s\n", (int)width, (int)spec.len, spec.p, (int)text.len, text.p);
    }
    fprintf(out, "  %-*s  %s\n", (int)width, "-h, --help", "print this help");
    return 0;
}

void cli_help_usage(FILE *out, const char *command) {
    struct span args = synopsis(command);
    fprintf(out, "usage: wsspec %s %.*s\n(wsspec %s --help lists the options)\n", command,
            (int)args.len, args.p, command);
}

/* Whether arg is one of the names in spec ("-j, --jobs N"); *takes_value
 * says whether the spec names a value after its names. */
static bool spec_names(struct span spec, const char *arg, bool *takes_value) {
    size_t k = 0, arg_len = strlen(arg);
    bool match = false;
    *takes_value = false;
    while (k < spec.len && spec.p[k] == '-') {
        size_t name_start = k;
        while (k < spec.len && spec.p[k] != ',' && spec.p[k] != ' ')
            k++;
        if (k - name_start == arg_len && memcmp(spec.p + name_start, arg, arg_len) == 0)
            match = true;
        if (k < spec.len && spec.p[k] == ',')
            k++;
        while (k < spec.len && spec.p[k] == ' ')
            k++;
    }
    *takes_value = k < spec.len;
    return match;
}

/* Whether arg is an option of the command (at *pos) that takes a value. */
static bool option_takes_value(size_t pos, const char *arg) {
    struct help_line line;
    while (next_line(&pos, &line) && !span_is(line.keyword, "command")) {
        struct span spec, text;
        bool takes_value;
        if (!span_is(line.keyword, "option"))
            continue;
        split_option(line.value, &spec, &text);
        if (spec_names(spec, arg, &takes_value))
            return takes_value;
    }
    return false;
}

bool cli_help_wanted(int argc, char **argv) {
    size_t start;
    bool known = find_command(argv[0], &start);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
        if (known && option_takes_value(start, argv[i]))
            i++;
    }
    return false;
}
