/*
 * settings.c — a spec's settings (see settings.h): counts, durations,
 * strings and tags, and the timing block each experiment inherits.
 */
#include "spec/settings.h"
#include "spec/overrides.h"
#include "util/mem.h"
#include "util/text.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int read_u64(struct reader *r, struct ref at, const char *what, uint64_t min,
                    uint64_t max, uint64_t *out)
{
    if (node_expect(r, at, YAML_SCALAR_NODE, what) != 0)
        return -1;
    const char *t = node_text(at.node);
    char *end;
    int base = t[0] == '0' && (t[1] == 'x' || t[1] == 'X') ? 16 : 10;
    errno = 0;
    unsigned long long v = strtoull(t, &end, base);
    if (errno || end == t || *end || *t == '-' || isspace((unsigned char)*t))
        return node_fail(r, at, "expected %s, got '%s'", what, t);
    if (v < min || v > max)
        return node_fail(r, at, "%s must be between %llu and %llu, got %llu", what,
                       (unsigned long long)min, (unsigned long long)max, v);
    *out = v;
    return 0;
}

int read_seconds(struct reader *r, struct ref at, double *out)
{
    if (node_expect(r, at, YAML_SCALAR_NODE, "a duration in seconds") != 0)
        return -1;
    const char *t = node_text(at.node);
    char *end;
    errno = 0;
    double v = strtod(t, &end);
    if (errno || end == t || *end || !isfinite(v) || v < 0 || v > 1e6)
        return node_fail(r, at, "expected a duration in seconds (0 to 1e6), got '%s'", t);
    *out = v;
    return 0;
}

int read_bool(struct reader *r, struct ref at, const char *what, int *out)
{
    static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "on", "On"};
    static const char *const no[] = {"false", "False", "FALSE", "no", "No", "off", "Off"};
    if (node_expect(r, at, YAML_SCALAR_NODE, what) != 0)
        return -1;
    const char *t = node_text(at.node);
    for (size_t i = 0; i < ARRAY_LEN(yes); i++)
        if (strcmp(t, yes[i]) == 0 || strcmp(t, no[i]) == 0) {
            *out = strcmp(t, yes[i]) == 0;
            return 0;
        }
    return node_fail(r, at, "expected %s (true or false), got '%s'", what, t);
}

int read_string(struct reader *r, struct ref at, const char *what, char **out)
{
    if (node_expect(r, at, YAML_SCALAR_NODE, what) != 0)
        return -1;
    free(*out);
    *out = xstrdup(node_text(at.node));
    return 0;
}

int read_tags(struct reader *r, struct ref at, char ***tags, size_t *ntags)
{
    if (at.node->type == YAML_SCALAR_NODE) {
        *tags = xcalloc(1, sizeof **tags);
        return read_string(r, at, "a tag", &(*tags)[(*ntags)++]);
    }
    if (node_expect(r, at, YAML_SEQUENCE_NODE, "a list of tags") != 0)
        return -1;
    size_t n = (size_t)(at.node->data.sequence.items.top - at.node->data.sequence.items.start);
    *tags = xcalloc(n, sizeof **tags);
    FOR_ITEMS(at, it) {
        if (read_string(r, node_child(at, *it), "a tag", &(*tags)[*ntags]) != 0)
            return -1;
        (*ntags)++;
    }
    return 0;
}

#define MAX_ITERATIONS UINT64_C(1000000000000)

static int read_iterations(struct reader *r, struct ref at, struct timing *t)
{
    if (at.node->type == YAML_SCALAR_NODE) {
        t->has_measured = 1;
        return read_u64(r, at, "a number of measured iterations", 0, MAX_ITERATIONS,
                        &t->measured);
    }
    if (node_expect(r, at, YAML_MAPPING_NODE, "{warmup: N, measured: N} or a number") != 0)
        return -1;
    static const char *const keys[] = {"warmup", "measured"};
    if (map_check_keys(r, at, keys, ARRAY_LEN(keys), "iterations") != 0)
        return -1;
    struct ref w = map_get(at, "warmup"), m = map_get(at, "measured");
    if (w.node && read_u64(r, w, "a number of warm-up iterations", 0, MAX_ITERATIONS,
                           &t->warmup) != 0)
        return -1;
    if (m.node && read_u64(r, m, "a number of measured iterations", 0, MAX_ITERATIONS,
                           &t->measured) != 0)
        return -1;
    t->has_warmup |= w.node != NULL;
    t->has_measured |= m.node != NULL;
    return 0;
}

static int read_rate(struct reader *r, struct ref at, double *out)
{
    if (node_expect(r, at, YAML_SCALAR_NODE, "a rate in iterations per second") != 0)
        return -1;
    const char *t = node_text(at.node);
    char *end;
    errno = 0;
    double v = strtod(t, &end);
    /* !(v >= min) also refuses NaN. */
    if (errno || end == t || *end || !(v >= SPEC_MIN_RATE) || v > SPEC_MAX_RATE)
        return node_fail(r, at, "expected a rate in iterations per second (0.001 to 1e9), got "
                       "'%s'", t);
    *out = v;
    return 0;
}

static int read_arrival(struct reader *r, struct ref at, enum spec_arrival *out)
{
    if (node_expect(r, at, YAML_SCALAR_NODE, "an arrival (fixed or poisson)") != 0)
        return -1;
    const char *arrival_names[] = {spec_arrival_name(SPEC_ARRIVAL_FIXED),
                                   spec_arrival_name(SPEC_ARRIVAL_POISSON)};
    const char *t = node_text(at.node);
    for (size_t i = 0; i < ARRAY_LEN(arrival_names); i++)
        if (strcmp(t, arrival_names[i]) == 0) {
            *out = (enum spec_arrival)i;
            return 0;
        }
    const char *near = closest_name(t, arrival_names, ARRAY_LEN(arrival_names));
    if (near)
        return node_fail(r, at, "arrival: '%s' is not one of: fixed, poisson (did you mean '%s'?)",
                       t, near);
    return node_fail(r, at, "arrival: '%s' is not one of: fixed, poisson", t);
}

static int read_count(struct reader *r, struct ref at, const char *what, uint64_t max,
                      uint64_t *out, int *has)
{
    if (!at.node)
        return 0;
    *has = 1;
    return read_u64(r, at, what, 0, max, out);
}

/* Reads the timing keys of `map` (a level of the spec) into t; later levels override. */
int read_timing(struct reader *r, const char *exp, struct ref map, struct timing *t)
{
    struct ref none = {map.src, NULL};
    struct ref at = overrides_decide(r, exp, "iterations", map_get(map, "iterations"));
    if (at.node && read_iterations(r, at, t) != 0)
        return -1;
    if (read_count(r, overrides_decide(r, exp, "warmup", none), "a number of warm-up iterations",
                   MAX_ITERATIONS, &t->warmup, &t->has_warmup) != 0 ||
        read_count(r, overrides_decide(r, exp, "measured", none), "a number of measured iterations",
                   MAX_ITERATIONS, &t->measured, &t->has_measured) != 0 ||
        read_count(r, overrides_decide(r, exp, "seed", map_get(map, "seed")),
                   "a seed (0 to 2^63-1)", INT64_MAX, &t->seed, &t->has_seed) != 0)
        return -1;
    at = overrides_decide(r, exp, "min_time", map_get(map, "min_time"));
    if (at.node) {
        t->has_min_time = 1;
        if (read_seconds(r, at, &t->min_time) != 0)
            return -1;
    }
    at = overrides_decide(r, exp, "timeout", map_get(map, "timeout"));
    if (at.node) {
        t->has_timeout = 1;
        if (read_seconds(r, at, &t->timeout) != 0)
            return -1;
    }
    at = overrides_decide(r, exp, "repetitions", map_get(map, "repetitions"));
    if (at.node) {
        uint64_t reps;
        if (read_u64(r, at, "a number of repetitions", 1, SPEC_MAX_REPETITIONS, &reps) != 0)
            return -1;
        t->repetitions = (uint32_t)reps;
        t->has_repetitions = 1;
    }
    at = overrides_decide(r, exp, "fresh_process", map_get(map, "fresh_process"));
    if (at.node) {
        t->has_fresh_process = 1;
        if (read_bool(r, at, "fresh_process", &t->fresh_process) != 0)
            return -1;
    }
    at = overrides_decide(r, exp, "rate", map_get(map, "rate"));
    if (at.node) {
        t->has_rate = 1;
        if (read_rate(r, at, &t->rate) != 0)
            return -1;
    }
    at = overrides_decide(r, exp, "arrival", map_get(map, "arrival"));
    if (at.node) {
        t->has_arrival = 1;
        t->arrival_at = at;
        if (read_arrival(r, at, &t->arrival) != 0)
            return -1;
    }
    return 0;
}

