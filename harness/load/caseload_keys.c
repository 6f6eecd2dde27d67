/* caseload_keys: the canonical texts of a case that check-cases compares to
 * find two cases judging the same behaviour differently (casemodel.h,
 * wcase.stimulus and wcase.judging). Written from the loaded case by the
 * case writer (casewrite.h case_write_keys), so they depend on what the
 * case does and how it judges, not on how its file spells it: a payload
 * "x" or {"text": "x"}, a default written out or left out, {"use": NAME} or
 * the shared behaviour's outcomes written in the case give the same texts;
 * and a case written by case_write_file and read back has the texts of the
 * original. */
#include "load/caseload_int.h"
#include "load/casewrite.h"

int caseload_keys(struct caseload_ctx *c, struct wcase *w) {
    char msg[256];
    int rc = case_write_keys(w, &w->stimulus, &w->judging, msg, sizeof msg);
    if (rc == 0)
        return 0;
    return caseload_fail(c, false, "cannot write the case's canonical texts: %s", msg);
}
