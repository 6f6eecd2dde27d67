/* cli_cases: the commands that read cases without a target:
 * `wsspec list [SELECTORS] [--json]`, `wsspec show ID`, `wsspec check-cases [PATH]`. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_args.h"
#include "cli/cli_help.h"
#include "cli/cli_shard.h"
#include "codec/frame.h"
#include "judge/judge.h"
#include "load/caseload.h"
#include "model/dataset.h"
#include "run/runner.h"

static json_t *str_array(char **items, size_t n) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(items[i]));
    return a;
}

int cli_list(int argc, char **argv) {
    struct cli_args a;
    if (cli_args_parse(argc, argv, &a) != 0)
        return EXIT_USAGE;
    struct case_list all;
    const struct wcase **sel;
    size_t n;
    int status = cli_load_selected(&a, &all, &sel, &n);
    if (status != 0) {
        cli_args_free(&a);
        return status;
    }
    struct shard_info shard;
    if (a.shard_count && cli_shard_select("list", a.shard_index, a.shard_count, a.shard_durations,
                                          sel, &n, &shard) != 0) {
        free(sel);
        case_list_free(&all);
        cli_args_free(&a);
        return EXIT_USAGE;
    }
    if (a.json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            const struct wcase *c = sel[i];
            json_t *o = json_object();
            json_object_set_new(o, "id", json_string(c->id));
            json_object_set_new(o, "title", json_string(c->title));
            json_object_set_new(o, "autobahn",
                                c->autobahn ? json_string(c->autobahn) : json_null());
            json_object_set_new(o, "rfc", str_array(c->rfc, c->rfc_count));
            json_object_set_new(o, "tags", str_array(c->tags, c->tag_count));
            json_object_set_new(o, "file", json_string(c->pos.file));
            json_object_set_new(o, "line", json_integer(c->pos.line));
            json_array_append_new(arr, o);
        }
        json_dumpf(arr, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(arr);
    } else {
        for (size_t i = 0; i < n; i++)
            printf("%-48s %-9s %s\n", sel[i]->id, sel[i]->autobahn ? sel[i]->autobahn : "-",
                   sel[i]->title);
        fprintf(stderr, "%zu of %zu cases\n", n, all.count);
    }
    free(sel);
    case_list_free(&all);
    cli_args_free(&a);
    return EXIT_PASS;
}

static void print_payload(const struct payload *p) {
    uint8_t head[48];
    size_t n = p->length < sizeof head ? (size_t)p->length : sizeof head;
    payload_read(p, 0, head, n);
    bool printable = true;
    for (size_t i = 0; i < n; i++)
        printable = printable && head[i] >= 0x20 && head[i] < 0x7f;
    printf("%llu octets ", (unsigned long long)p->length);
    if (printable) {
        printf("\"%.*s\"", (int)n, (const char *)head);
    } else {
        for (size_t i = 0; i < n; i++)
            printf("%02x", head[i]);
    }
    if (n < p->length)
        printf("...");
}

static void print_steps(const struct step *steps, size_t count, int depth) {
    static const char *wait_names[] = {"message", "ping", "pong", "close", "any", "eof"};
    for (size_t i = 0; i < count; i++) {
        const struct step *s = &steps[i];
        printf("%*s%zu. ", 2 + depth * 3, "", i + 1);
        switch (s->kind) {
        case STEP_SEND_FRAME: {
            const struct frame_step *f = &s->u.frame;
            printf("send frame %s fin=%d rsv=%u%s%s", frame_opcode_name(f->opcode), f->fin, f->rsv,
                   f->mask == MASK_NONE ? " unmasked" : "",
                   f->len_form ? " forced-length-form" : "");
            if (f->declared_len_set)
                printf(" declared-length=%llu", (unsigned long long)f->declared_len);
            printf(" payload ");
            print_payload(&f->payload);
            break;
        }
        case STEP_SEND_SERIES: {
            const struct series_step *ss = &s->u.series;
            printf("send %u %s messages of %llu units each from data set \"%s\" (from unit "
                   "%llu), each echo awaited%s",
                   ss->series.count, frame_opcode_name(ss->opcode),
                   (unsigned long long)ss->series.units,
                   dataset_name((enum dataset_kind)ss->series.dataset),
                   (unsigned long long)ss->series.start, ss->compress ? ", compressed" : "");
            if (ss->fragment_count)
                printf(" in fragments of %llu..", (unsigned long long)ss->fragments[0]);
            break;
        }
        case STEP_SEND_MESSAGE:
            printf("send %s message%s", frame_opcode_name(s->u.message.opcode),
                   s->u.message.compress ? " (compressed)" : "");
            if (s->u.message.fragment_count)
                printf(" in fragments of %llu..", (unsigned long long)s->u.message.fragments[0]);
            printf(" payload ");
            print_payload(&s->u.message.payload);
            break;
        case STEP_SEND_CLOSE:
            if (s->u.close.raw_set) {
                printf("send close, raw payload ");
                print_payload(&s->u.close.raw);
            } else if (s->u.close.has_code) {
                printf("send close %u reason ", s->u.close.code);
                print_payload(&s->u.close.reason);
            } else {
                printf("send close, empty payload");
            }
            break;
        case STEP_SEND_RAW:
            printf("send raw ");
            print_payload(&s->u.raw);
            break;
        case STEP_PAUSE: printf("pause %.3f s", s->u.pause_s); break;
        case STEP_WAIT:
            printf("wait for %u %s", s->u.wait.count, wait_names[s->u.wait.what]);
            break;
        case STEP_MARK: printf("mark \"%s\"", s->u.mark); break;
        case STEP_SHUTDOWN: printf("half-close (TCP FIN)"); break;
        case STEP_REPEAT:
            printf("repeat %u times:\n", s->u.repeat.count);
            print_steps(s->u.repeat.steps, s->u.repeat.step_count, depth + 1);
            continue;
        }
        if (s->chop)
            printf(" [chops of %u]", s->chop);
        if (s->coalesce)
            printf(" [coalesced]");
        putchar('\n');
    }
}

int cli_show(int argc, char **argv) {
    struct cli_args a;
    if (cli_args_parse(argc, argv, &a) != 0)
        return EXIT_USAGE;
    if (a.ids.count + a.tags.count + a.rfcs.count + a.autobahn.count == 0) {
        cli_help_usage(stderr, "show");
        cli_args_free(&a);
        return EXIT_USAGE;
    }
    struct case_list all;
    const struct wcase **sel;
    size_t n;
    int status = cli_load_selected(&a, &all, &sel, &n);
    if (status != 0) {
        cli_args_free(&a);
        return status;
    }
    for (size_t i = 0; i < n; i++) {
        const struct wcase *c = sel[i];
        printf("%s\n  %s\n", c->id, c->title);
        if (c->description)
            printf("  %s\n", c->description);
        printf("  defined at %s:%d\n", c->pos.file, c->pos.line);
        if (c->autobahn)
            printf("  Autobahn: %s\n", c->autobahn);
        printf("  RFC:");
        for (size_t k = 0; k < c->rfc_count; k++)
            printf(" %s", c->rfc[k]);
        printf("\n");
        if (c->requirement)
            printf("  Requirement: %s\n", c->requirement);
        char *offers = NULL;
        if (runner_deflate_offer_line(c, &offers) == 0 && offers)
            printf("  Offers: Sec-WebSocket-Extensions: %s%s\n", offers,
                   c->deflate.declined == DEFLATE_DECLINED_RUN ? " (declined: the steps run)"
                                                               : " (declined: unimplemented)");
        free(offers);
        printf("  Timeout: %.1f s (close %.1f s)\n  Steps:\n", c->timeout_s, c->close_timeout_s);
        print_steps(c->steps, c->step_count, 0);
        printf("  Outcomes:\n");
        for (size_t k = 0; k < c->outcome_count; k++) {
            const struct outcome *o = &c->outcomes[k];
            struct buf text = {0};
            judge_describe_outcome(o, &text);
            printf("    %.*s", (int)text.len, text.data ? (const char *)text.data : "");
            if (o->behaviour)
                printf(" [shared: %s]", o->behaviour);
            printf("\n");
            buf_free(&text);
        }
        if (c->outcome_count)
            printf("    anything else: fail\n");
        if (i + 1 < n)
            putchar('\n');
    }
    free(sel);
    case_list_free(&all);
    cli_args_free(&a);
    return EXIT_PASS;
}

static void print_warning(void *ctx, const char *message) {
    (void)ctx;
    fprintf(stderr, "warning: %s\n", message);
}

int cli_check_cases(int argc, char **argv) {
    const char *path = argc > 1 && argv[1][0] != '-' ? argv[1] : NULL;
    struct cli_args a;
    if (cli_args_parse(path ? argc - 1 : argc, path ? argv + 1 : argv, &a) != 0)
        return EXIT_USAGE;
    struct case_list all = {0};
    struct case_error err;
    int rc;
    if (path)
        rc = case_load_path(path, &all, &err);
    else {
        const struct wcase **sel;
        size_t n;
        rc = cli_load_selected(&a, &all, &sel, &n);
        if (rc == 0)
            free(sel);
        else {
            cli_args_free(&a);
            return rc;
        }
    }
    if (rc != 0) {
        char msg[2048];
        case_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "%s\n", msg);
        cli_args_free(&a);
        return EXIT_USAGE;
    }
    size_t autobahn = 0;
    for (size_t i = 0; i < all.count; i++)
        autobahn += all.items[i].autobahn != NULL;
    size_t warnings = case_list_consistency(&all, print_warning, NULL);
    printf("%zu cases ok (%zu with an Autobahn id), %zu consistency warning%s\n", all.count,
           autobahn, warnings, warnings == 1 ? "" : "s");
    case_list_free(&all);
    cli_args_free(&a);
    return EXIT_PASS;
}
