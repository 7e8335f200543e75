/*
 * gates_read.h — a spec's `gates:` read into the model (spec/gates.h; the
 * grammar is in docs/ci.md): a list whose items are a check's text, or a
 * mapping with one of check, max_regression or claim and an optional
 * points. A bad gate fails at its node, and inside a gate's text at the
 * offending token's column.
 */
#ifndef BHOST_GATES_READ_H
#define BHOST_GATES_READ_H

#include "spec/gates.h"
#include "spec/reader.h"

/* Reads the list at `at` into *out (appending): 0, or -1 with r's err set. */
int read_gates(struct reader *r, struct ref at, struct spec_gates *out);

#endif
