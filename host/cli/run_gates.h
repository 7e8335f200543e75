/*
 * run_gates.h — a run's gates (spec/gates.h) judged after its points ran
 * and before its results are written (docs/ci.md): the outcomes go into the
 * results document as "gates" and onto the terminal; and the baseline that
 * `--baseline` names, loaded.
 */
#ifndef BHOST_RUN_GATES_H
#define BHOST_RUN_GATES_H

#include "compare/compare.h"
#include "spec/spec.h"

#include <jansson.h>
#include <stdio.h>

/*
 * Judges the gates of `s` on `doc`, against `baseline` (NULL: none; then the gates that need
 * one are not judged), and adds the outcomes to doc as "gates" when the spec has any.
 * Returns EXIT_OK, EXIT_INCONCLUSIVE or EXIT_GATE_MISSED.
 */
int run_gates_judge(const struct spec *s, json_t *doc, const json_t *baseline,
                    const char *baseline_name, const struct compare_options *co);
/* doc's gate outcomes on `out`: the missed and inconclusive ones, a note for those not
 * judged, and the counts; or as Markdown. Nothing if the spec has no gates. */
void run_gates_print(FILE *out, const json_t *doc, int markdown);
#endif
