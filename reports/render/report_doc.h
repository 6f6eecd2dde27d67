/* report_doc: read access to a report document (report.h) for the
 * renderers. A saved report may have been edited by hand, so every getter
 * tolerates a missing key or a value of the wrong type and returns the
 * default instead. All returned pointers are borrowed from the document. */
#ifndef WSSPEC_REPORT_DOC_H
#define WSSPEC_REPORT_DOC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

const char *report_doc_str(const json_t *obj, const char *key, const char *dflt);
long long report_doc_int(const json_t *obj, const char *key, long long dflt);
double report_doc_num(const json_t *obj, const char *key, double dflt);
bool report_doc_bool(const json_t *obj, const char *key, bool dflt);
/* The object at key, or NULL. */
const json_t *report_doc_obj(const json_t *obj, const char *key);
/* The "cases" array's size and items (NULL past the end or when absent). */
size_t report_doc_case_count(const json_t *doc);
const json_t *report_doc_case(const json_t *doc, size_t i);

/* The seed as decimal text (integer or string in the document). */
void report_doc_seed(const json_t *doc, char *out, size_t cap);
/* "6455:5.5.1, 6455:7.4" (empty when the case lists none). */
void report_doc_rfc_list(const json_t *c, char *out, size_t cap);
/* The command that re-runs one case with the same target and seed. */
void report_doc_rerun(const json_t *doc, const json_t *c, char *out, size_t cap);

/* How CI formats see a case. */
enum report_doc_class {
    REPORT_DOC_PASS,  /* pass */
    REPORT_DOC_NOTE,  /* passed with a remark: non-strict, informational */
    REPORT_DOC_FAIL,  /* fail; non-strict under options.strict */
    REPORT_DOC_ERROR, /* error (the case could not be run or judged) */
    REPORT_DOC_SKIP,  /* not-run, unimplemented */
};
enum report_doc_class report_doc_classify(const json_t *doc, const json_t *c);
/* One line for a failure's message attribute / annotation:
 * "6455:5.5.2 not met: <first line of actual>", the error for an error,
 * else the first line of the reason. */
void report_doc_headline(const json_t *c, char *out, size_t cap);

/* Why a skipped case was skipped, one line, never empty. */
void report_doc_skip_reason(const json_t *doc, const json_t *c, char *out, size_t cap);

#endif
