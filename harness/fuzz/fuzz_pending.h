/* fuzz_pending: TRANSITIONAL, to be deleted when fuzz_mutate.c and
 * fuzz_oracle.c (written on another branch) are merged. Until then their
 * functions are weak references here: the build links without them, and
 * `wsspec fuzz` says which part is missing instead of running with a
 * stand-in (--no-mutate needs neither the mutator nor the oracle). */
#ifndef WSSPEC_FUZZ_PENDING_H
#define WSSPEC_FUZZ_PENDING_H

#include <stdbool.h>
#include <stddef.h>

#include "fuzz/fuzz_mutate.h"
#include "fuzz/fuzz_oracle.h"

/* Weak only while the files are missing (sources.cmake defines
 * WSSPEC_FUZZ_COMPLETE when they are there): from a static library the
 * linker does not take a member for a weak reference. */
#ifndef WSSPEC_FUZZ_COMPLETE
#pragma weak fuzz_mutate
#pragma weak fuzz_oracle_expect
#pragma weak fuzz_oracle_rules
#pragma weak fuzz_dim_name
#endif

/* Whether function f is linked in. */
static inline bool fuzz_linked(void (*volatile f)(void)) {
    return f != NULL;
}
#define FUZZ_LINKED(f) fuzz_linked((void (*)(void))(f))

/* fuzz_dim_name, or "dim<d>" when it is not linked in. */
static inline const char *fuzz_dim_label(enum fuzz_dim d) {
    static const char *const fallback[FUZZ_DIM_COUNT] = {"dim0", "dim1", "dim2",  "dim3",
                                                         "dim4", "dim5", "dim6",  "dim7",
                                                         "dim8", "dim9", "dim10", "dim11"};
    return FUZZ_LINKED(fuzz_dim_name) ? fuzz_dim_name(d) : fallback[d];
}

#endif
