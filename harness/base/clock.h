/* clock: the one place wall-clock and monotonic time are read.
 * Deadlines everywhere are absolute monotonic milliseconds. */
#ifndef WSSPEC_CLOCK_H
#define WSSPEC_CLOCK_H

#include <stdint.h>

/* Monotonic milliseconds since an arbitrary epoch. */
int64_t clock_now_ms(void);
/* Monotonic nanoseconds, for benchmarks and durations. */
int64_t clock_now_ns(void);
/* Wall-clock milliseconds since the Unix epoch (for reports only). */
int64_t clock_wall_ms(void);
/* Milliseconds left until deadline (never negative). A deadline < 0 means
 * "no deadline" and returns -1. */
int clock_remaining_ms(int64_t deadline_ms);

#endif
