/*
 * facts.h — what both reports say in words, gathered once: the environment
 * a run had, field by field; its notes and warnings (a run stopped early,
 * skipped or partial points, a sanitized build, the spec's, points' and
 * instruments' notes, unavailable metrics); the summary lines. Texts are
 * raw, as the results hold them: each writer escapes them for its format.
 */
#ifndef BHOST_REPORT_FACTS_H
#define BHOST_REPORT_FACTS_H

#include "report/view.h"

#include <jansson.h>
#include <stddef.h>

struct fact {
    char *name;  /* what it is about: a field, a point's label, "run", an instrument */
    char *text;
    int warning; /* something that may make figures misleading, not just a note */
    size_t points; /* a point's note: how many points said the same (their labels in name) */
};

struct facts {
    struct fact *items;
    size_t n, cap;
};

/* The machine, build, clock and command line, one fact per field that has a value. */
void facts_environment(struct facts *out, const json_t *doc);
/* The notes and warnings, run-level first, then per point in sweep order; a note several
 * points gave word for word is given once, with their labels (the first three, and how
 * many more). */
void facts_notes(struct facts *out, const json_t *doc);
/* One more fact (name and text copied). */
void facts_add(struct facts *f, int warning, const char *name, const char *text);
void facts_free(struct facts *f);

/* The gates of a run's judgements ("gates" of results.json), each once, in order: [{"gate",
 * "where", "counts": [met, missed, inconclusive, not judged]}] (a new reference). */
json_t *facts_gate_groups(const json_t *judgements);

/* The last `lines` lines of a point's stderr_tail, each cut to 300 bytes (malloc'd); NULL
 * when it has none. */
char *facts_tail(const char *tail, int lines);
/* "7 points: 5 ok, 1 failed, 1 partial (of 9 in the sweep)". */
void facts_points_line(char *buf, size_t n, const struct view *v, const json_t *doc);
/* "12 met, 2 missed, 1 not judged", or "none in the spec". */
void facts_gates_line(char *buf, size_t n, const struct view *v);

#endif
