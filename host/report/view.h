/*
 * view.h — a finished run arranged the way its reports show it: the
 * experiments in spec order, each with the parameters its spec sweeps (its
 * axes) and its points in sweep order; the points counted by status and the
 * gates' judgements by state. Everything points into the results document,
 * which must outlive the view.
 */
#ifndef BHOST_REPORT_VIEW_H
#define BHOST_REPORT_VIEW_H

#include <jansson.h>
#include <stddef.h>

struct view_axis {
    const char *name;
    const json_t *values; /* the spec's values, in its order */
    int numeric;          /* every value a number */
    int geometric;        /* numeric, all > 0, each at least twice the one before it by size */
};

/* A point's value on an axis: its params[axis], or for "threads" its thread count. */
const json_t *view_axis_value(const json_t *point, const char *axis);

struct view_experiment {
    const char *name;
    const json_t *spec;   /* its spec.experiments entry; NULL for points the spec does not list */
    struct view_axis *axes;
    size_t naxes;
    const json_t **points; /* in sweep order */
    size_t npoints;
};

enum view_gate_state { GATE_MET, GATE_MISSED, GATE_INCONCLUSIVE, GATE_NOT_JUDGED, GATE_STATES };

struct view {
    struct view_experiment *experiments;
    size_t nexperiments;
    size_t npoints, ok, failed, partial, skipped;
    size_t gates[GATE_STATES]; /* judgements by state */
    size_t ngates;             /* judgements in all */
};

void view_init(struct view *v, const json_t *doc);
void view_free(struct view *v);

/* "met", "missed", "inconclusive", "not judged". */
const char *view_gate_state_name(enum view_gate_state s);
/* A judgement's state from its "state" text; GATE_NOT_JUDGED for an unknown one. */
enum view_gate_state view_gate_state_of(const json_t *judgement);
/* The gates' verdict for the run: "missed" if any was, else "inconclusive" if any was, else
 * "met" if any was, else "not judged"; NULL when the run has no gates. */
const char *view_gates_verdict(const struct view *v);

/* A parameter's value as text (a number, true/false, or the string itself); malloc'd. */
char *view_value_text(const json_t *value);
/* obj[key] as a string, or NULL. */
const char *view_text(const json_t *obj, const char *key);
/* obj[key] as a number, NAN when it is not one. */
double view_number(const json_t *obj, const char *key);
/* A point's histogram `name` with at least one value, or NULL. */
const json_t *view_histogram(const json_t *point, const char *name);

#endif
