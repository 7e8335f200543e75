/*
 * seed_form.h — specs in the form the simulation team's own benchmark suite
 * wrote them (one experiment at the top level: `experiment:`, `params:`,
 * `instrumentation: [timing, psutil, cprofile]`, beside `iterations:`,
 * `output_dir:`, `tags:`, `notes:`, `seed:`), read as they are: the
 * document is rewritten into bhost's form before it is read, every node
 * keeping its place in the file, so that messages still point into it.
 */
#ifndef BHOST_SEED_FORM_H
#define BHOST_SEED_FORM_H

#include "spec/reader.h"

/*
 * If src's document is in the seed suite's form, rewrites it in place:
 * `experiments:` with one entry holding `experiment:`, `params:` (a nested
 * mapping's keys lifted into it, as `params: {parameters: {...}}` was
 * passed along) and `instruments:` (timing: the host's own timing, always
 * on; psutil: resources; cprofile: sampler; any other name as it is).
 * 0 (rewritten, or nothing to do), or -1 with the message in r.
 */
int seed_form_rewrite(struct reader *r, struct src *src);

#endif
