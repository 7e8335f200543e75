/*
 * output.h — how a writer tells its caller whether the stream took it all.
 */
#ifndef BHOST_SAMPLER_OUTPUT_H
#define BHOST_SAMPLER_OUTPUT_H

#include <stdio.h>

/* Flushes `out`: 0 if it and every write before it succeeded, otherwise -1
 * with errno from the failed write (EIO if none was left). */
int output_finish(FILE *out);

#endif /* BHOST_SAMPLER_OUTPUT_H */
