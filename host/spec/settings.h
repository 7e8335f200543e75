/*
 * settings.h — a spec's settings, each read with its own checks: counts,
 * durations, strings and tags, and the timing block (iterations, min_time,
 * repetitions, seed, timeout, rate, arrival) that the top level gives every
 * experiment and each experiment may override, field by field, as --set
 * may override both.
 */
#ifndef BHOST_SETTINGS_H
#define BHOST_SETTINGS_H

#include "spec/reader.h"
#include "spec/spec.h"

/* The timing of one level of the spec; has_* say which fields it gave. */
struct timing {
    uint64_t warmup, measured;
    double min_time;
    uint32_t repetitions;
    uint64_t seed;
    double timeout;
    double rate;
    enum spec_arrival arrival;
    struct ref arrival_at;    /* where arrival was given: without a rate, the error is there */
    int fresh_process;
    int has_warmup, has_measured, has_min_time, has_repetitions, has_seed, has_timeout;
    int has_rate, has_arrival, has_fresh_process;
};

/* An integer in [min, max] (decimal or 0x hex); `what` names it in errors. */
int read_u64(struct reader *r, struct ref at, const char *what, uint64_t min, uint64_t max,
             uint64_t *out);
/* A non-negative, finite number of seconds. */
int read_seconds(struct reader *r, struct ref at, double *out);
/* A scalar's text, in UTF-8 (malloc'd into *out). */
int read_string(struct reader *r, struct ref at, const char *what, char **out);
/* A list of tags (strings). */
int read_tags(struct reader *r, struct ref at, char ***tags, size_t *ntags);
/* true or false (YAML 1.1 spellings: true/false, yes/no, on/off). */
int read_bool(struct reader *r, struct ref at, const char *what, int *out);
/* Reads the timing keys of `map` (a level of the spec; `exp` is the experiment's name, NULL
 * at the top level) into t, overrides applied: a later level overrides what it gives. */
int read_timing(struct reader *r, const char *exp, struct ref map, struct timing *t);

#endif
