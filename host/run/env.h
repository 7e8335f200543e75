/*
 * env.h — the machine, build and clock a run happens on, recorded with its
 * results so that figures from different runs can be compared knowingly.
 */
#ifndef BHOST_ENV_H
#define BHOST_ENV_H

#include <jansson.h>

/* The machine and build a run happens on. Never fails: what cannot be read is JSON null. */
json_t *env_capture(void);

/* Measured cost of one clock_gettime(CLOCK_MONOTONIC) read in ns (median of several timed batches of ~200k reads). */
double env_clock_read_ns(void);

#endif
