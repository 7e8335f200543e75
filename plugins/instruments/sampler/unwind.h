/*
 * unwind.h — a raw sample's call stack, from its registers and its copy of
 * the stack, by DWARF call-frame information (.eh_frame): plugins built
 * without frame pointers unwind too. Runs in this process, after the
 * sample was taken, on another thread than the one sampled: code and
 * unwind tables are read where they are mapped, the stack only from the
 * copy, and nothing else, so a damaged stack ends the walk instead of
 * faulting.
 */
#ifndef BHOST_SAMPLER_UNWIND_H
#define BHOST_SAMPLER_UNWIND_H

#include "sample.h"

#include <stdint.h>

struct unwinder;

/* NULL where this architecture is not supported (*why says so). */
struct unwinder *unwinder_new(const char **why);
void unwinder_free(struct unwinder *u);

/*
 * Writes the sample's code addresses, leaf first, into ips (at most `max`):
 * ips[0] is where the thread was, the others where each caller resumes.
 * Returns how many; *complete is 1 when the walk reached the stack's root,
 * 0 when it stopped before (max reached, the copy too short, no unwind
 * information).
 */
int unwinder_walk(struct unwinder *u, const struct raw_sample *s, uint64_t *ips, int max,
                  int *complete);

/* What unwinds ("libunwind 1.6.2, DWARF CFI"), for the results' notes. */
const char *unwinder_name(void);

#endif
