/* fuzz_mutate_int: what the mutator's files share (not a public API). */
#ifndef WSSPEC_FUZZ_MUTATE_INT_H
#define WSSPEC_FUZZ_MUTATE_INT_H

#include "model/casemodel.h"

/* Deep copies (fuzz_case_copy.c): 0, or -1 / WS_ERR_NOMEM when memory ran
 * out (dst then holds nothing that needs more than case_free). */
int fuzz_case_copy(struct wcase *dst, const struct wcase *src);
int fuzz_copy_steps(struct step **dst, const struct step *src, size_t n);

#endif
