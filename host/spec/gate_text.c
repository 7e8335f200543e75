/*
 * gate_text.c — the text inside a gate (see gate_text.h): values with
 * units, operators, percentages and claims, each error at its token (the
 * figures are gate_figure.c's).
 */
#include "spec/gate_text.h"
#include "util/mem.h"
#include "util/text.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t skip_space(const char *s, size_t i)
{
    while (s[i] == ' ' || s[i] == '\t')
        i++;
    return i;
}

static size_t word_end(const char *s, size_t i)
{
    while (s[i] && !isspace((unsigned char)s[i]))
        i++;
    return i;
}

/* The figure from byte `start` to the first byte of `stop` (or a space): its end, or 0. */
static size_t read_figure(const char *text, size_t start, const char *stop, struct spec_gate *g,
                          struct gate_text_error *e)
{
    size_t i = start;
    while (text[i] && !isspace((unsigned char)text[i]) && !strchr(stop, text[i]))
        i++;
    if (i == start)
        return gate_text_fail(e, start, "expected a figure (p99, failures, wall_s, ...), got '%s'",
                       text + start), 0;
    char *tok = xasprintf("%.*s", (int)(i - start), text + start);
    int rc = gate_parse_figure(tok, start, g, e);
    free(tok);
    return rc == 0 ? i : 0;
}

/* --- values and their units ----------------------------------------------- */

struct unit {
    const char *name;
    double factor;
};

static const struct unit time_units[] = {{"ns", 1}, {"us", 1e3}, {"µs", 1e3}, {"ms", 1e6},
                                         {"s", 1e9}, {"min", 60e9}};
static const struct unit byte_units[] = {{"B", 1}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9},
                                         {"KiB", 1024.0}, {"MiB", 1048576.0},
                                         {"GiB", 1073741824.0}};

static const struct unit *find_unit(const char *u, const struct unit *units, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(u, units[i].name) == 0)
            return &units[i];
    return NULL;
}

static int unknown_unit(const char *u, size_t at, const struct unit *units, size_t n,
                        const char *what, struct gate_text_error *e)
{
    const char *names[8];
    for (size_t i = 0; i < n && i < ARRAY_LEN(names); i++)
        names[i] = units[i].name;
    const char *near = closest_name(u, names, n);
    char list[128];
    join_names(list, sizeof list, names, n);
    if (near)
        return gate_text_fail(e, at, "unknown unit '%s' for %s (did you mean '%s'?)", u, what, near);
    return gate_text_fail(e, at, "unknown unit '%s' for %s; expected one of: %s", u, what, list);
}

/* A decimal number at text+i (digits, and a '.' only before a digit): its end, or i. */
static size_t scan_decimal(const char *text, size_t i, double *v)
{
    size_t j = i;
    while (isdigit((unsigned char)text[j]))
        j++;
    if (j > i && text[j] == '.' && isdigit((unsigned char)text[j + 1]))
        for (j++; isdigit((unsigned char)text[j]); j++)
            ;
    if (j > i) {
        char *num = xasprintf("%.*s", (int)(j - i), text + i);
        *v = strtod(num, NULL);
        free(num);
    }
    return j;
}

/* The value of a check at text+i, in the figure's unit. */
static int read_value(const char *text, size_t i, const struct spec_gate *g, double *out,
                      struct gate_text_error *e)
{
    char fig[128];
    gate_figure_name(g, fig, sizeof fig);
    if (!text[i])
        return gate_text_fail(e, i, "expected a value after the operator");
    char *end;
    errno = 0;
    double v = strtod(text + i, &end);
    size_t num_end = (size_t)(end - text);
    if (!(isdigit((unsigned char)text[i]) || strchr("+-.", text[i])) || num_end == i ||
        errno == ERANGE || !isfinite(v) || memchr(text + i, 'x', num_end - i) ||
        memchr(text + i, 'X', num_end - i))
        return gate_text_fail(e, i, "expected a number, got '%s'", text + i);
    size_t us = skip_space(text, num_end), ue = word_end(text, us);
    size_t after = skip_space(text, ue);
    if (text[after])
        return gate_text_fail(e, after, "unexpected '%s' after the value", text + after);
    char unit[32];
    snprintf(unit, sizeof unit, "%.*s", (int)(ue - us), text + us);
    const struct unit *u = NULL;
    enum gate_unit kind = gate_figure_unit(g);
    if (v < 0 && kind != GATE_UNIT_NUMBER)
        return gate_text_fail(e, i, "%s cannot be negative", fig);
    switch (kind) {
    case GATE_UNIT_NS: case GATE_UNIT_OWN: case GATE_UNIT_S:
        if (!*unit && kind == GATE_UNIT_OWN)
            break;
        if (!*unit)
            return gate_text_fail(e, i, "%s is a time: give the value a unit (ns, us, µs, ms, s or "
                           "min), as in 2ms", fig);
        if (!(u = find_unit(unit, time_units, ARRAY_LEN(time_units))))
            return unknown_unit(unit, us, time_units, ARRAY_LEN(time_units), "a time", e);
        v *= u->factor / (kind == GATE_UNIT_S ? 1e9 : 1);
        break;
    case GATE_UNIT_PER_S:
        if (*unit && strcmp(unit, "/s") != 0)
            return gate_text_fail(e, us, "%s is per second: give a number, or a number and '/s'", fig);
        break;
    case GATE_UNIT_BYTES:
        if (*unit && !(u = find_unit(unit, byte_units, ARRAY_LEN(byte_units))))
            return unknown_unit(unit, us, byte_units, ARRAY_LEN(byte_units), "bytes", e);
        if (*unit)
            v *= u->factor;
        break;
    case GATE_UNIT_FRACTION:
        if (*unit && strcmp(unit, "%") != 0)
            return gate_text_fail(e, us, "%s is a fraction: 0.99, or 99%%", fig);
        if (*unit)
            v /= 100;
        if (v > 1)
            return gate_text_fail(e, i, "%s is at most 1 (100%%), got '%.*s%s'", fig,
                           (int)(num_end - i), text + i, unit);
        break;
    case GATE_UNIT_COUNT:
        if (*unit || v != floor(v))
            return gate_text_fail(e, *unit ? us : i, "%s is a count: a whole number without a unit", fig);
        break;
    case GATE_UNIT_NUMBER:
        if (*unit)
            return gate_text_fail(e, us, "%s is compared in its own unit: give a number without one",
                           fig);
        break;
    }
    *out = v;
    return 0;
}

/* --- checks --------------------------------------------------------------- */

/* In the order of enum spec_gate_op. */
static const char *const op_names[] = {"<", "<=", ">", ">=", "==", "!="};

/* The operator meant by an unknown one, or NULL. */
static const char *suggest_op(const char *op)
{
    if (strcmp(op, "=") == 0)
        return "==";
    if (strcmp(op, "<>") == 0)
        return "!=";
    /* Two-character ones first: "=<" is "<=" swapped, not "<" with a typo. */
    static const char *const by_length[] = {"<=", ">=", "!=", "==", "<", ">"};
    return closest_name(op, by_length, ARRAY_LEN(by_length));
}

int gate_parse_check(const char *text, struct spec_gate *g, struct gate_text_error *e)
{
    size_t i = skip_space(text, 0);
    if (!text[i])
        return gate_text_fail(e, 0, "a check is FIGURE OP VALUE, as in 'p99 < 2ms'; this one is empty");
    size_t fig_end = read_figure(text, i, "<>=!", g, e);
    if (!fig_end)
        return -1;
    size_t os = skip_space(text, fig_end), oe = os;
    while (text[oe] && strchr("<>=!~", text[oe]))
        oe++;
    if (oe == os)
        return gate_text_fail(e, os, "expected an operator after '%.*s': <, <=, >, >=, == or !=",
                       (int)(fig_end - i), text + i);
    char op[8];
    snprintf(op, sizeof op, "%.*s", (int)(oe - os), text + os);
    size_t k = 0;
    while (k < ARRAY_LEN(op_names) && strcmp(op, op_names[k]) != 0)
        k++;
    if (k == ARRAY_LEN(op_names)) {
        const char *near = suggest_op(op);
        if (near)
            return gate_text_fail(e, os, "unknown operator '%s' (did you mean '%s'?)", op, near);
        return gate_text_fail(e, os, "unknown operator '%s'; expected <, <=, >, >=, == or !=", op);
    }
    g->op = (enum spec_gate_op)k;
    return read_value(text, skip_space(text, oe), g, &g->value, e);
}

/* --- percentages and claims ----------------------------------------------- */

/* "N%" at text+i: its end and *frac, or 0 with e set. */
static size_t read_percent_at(const char *text, size_t i, double *frac, struct gate_text_error *e)
{
    double v = 0;
    size_t end = scan_decimal(text, i, &v);
    if (text[i] == '-')
        return gate_text_fail(e, i, "a percentage cannot be negative"), 0;
    if (end == i || text[end] != '%')
        return gate_text_fail(e, i, "expected a percentage, as in 5%%, got '%s'", text + i), 0;
    *frac = v / 100;
    return end + 1;
}

int gate_parse_percent(const char *text, double *frac, struct gate_text_error *e)
{
    size_t i = skip_space(text, 0);
    size_t end = read_percent_at(text, i, frac, e);
    if (!end)
        return -1;
    end = skip_space(text, end);
    if (text[end])
        return gate_text_fail(e, end, "unexpected '%s' after the percentage", text + end);
    return 0;
}

static int claimable(const struct spec_gate *g, size_t at, const char *what,
                     struct gate_text_error *e)
{
    char fig[128];
    gate_figure_name(g, fig, sizeof fig);
    if (g->figure == SPEC_FIG_THROUGHPUT)
        return gate_text_fail(e, at, "%s takes a figure that is lower when faster: gate throughput with "
                       "a check (throughput > N)", what);
    if (!gate_figure_is_histogram(g->figure) && g->figure != SPEC_FIG_FAILURES &&
        g->figure != SPEC_FIG_METRIC)
        return gate_text_fail(e, at, "%s compares a figure between two runs: '%s' cannot be compared; "
                       "use a histogram's figure (p50, p99, mean, ...)%s", what, fig,
                       g->figure == SPEC_FIG_SUCCESS_RATE ? ", failures or metric:NAME" :
                       ", or write a check");
    return 0;
}

int gate_parse_compared_figure(const char *text, struct spec_gate *g, struct gate_text_error *e)
{
    if (!*text)
        return gate_text_fail(e, 0, "expected a figure (p50, p99, mean, ...)");
    if (gate_parse_figure(text, 0, g, e) != 0 || claimable(g, 0, "max_regression", e) != 0)
        return -1;
    if (!gate_figure_is_histogram(g->figure))
        return gate_text_fail(e, 0, "max_regression compares a histogram's figure (p50, p99, mean, "
                       "...): for %s, write a claim ('%s at most 5%% more')", text, text);
    return 0;
}

/* Which way a claim goes: below 1 (faster, fewer) or above (slower, more). */
static const char *const directions[] = {"faster", "slower", "fewer", "more"};

static int read_direction(const char *text, size_t i, int *below, struct gate_text_error *e)
{
    size_t end = word_end(text, i);
    char w[32];
    snprintf(w, sizeof w, "%.*s", (int)(end - i), text + i);
    size_t k = 0;
    while (k < ARRAY_LEN(directions) && strcmp(w, directions[k]) != 0)
        k++;
    if (k == ARRAY_LEN(directions)) {
        const char *near = *w ? closest_name(w, directions, ARRAY_LEN(directions)) : NULL;
        if (near)
            return gate_text_fail(e, i, "unknown direction '%s' (did you mean '%s'?)", w, near);
        if (!*w)
            return gate_text_fail(e, i, "expected faster, slower, fewer or more after the percentage");
        return gate_text_fail(e, i, "expected faster, slower, fewer or more, got '%s'", w);
    }
    *below = k == 0 || k == 2;
    size_t after = skip_space(text, end);
    if (text[after])
        return gate_text_fail(e, after, "unexpected '%s' after the claim", text + after);
    return 0;
}

static int too_fast(double frac, size_t at, struct gate_text_error *e)
{
    if (frac <= 1)
        return 0;
    return gate_text_fail(e, at, "nothing can be more than 100%% faster or fewer: the ratio would be "
                   "below 0");
}

/* "at least N% DIR" or "at most N% DIR", from the word after "at". */
static int read_bound(const char *text, size_t i, struct spec_gate *g, struct gate_text_error *e)
{
    size_t end = word_end(text, i);
    char w[32];
    snprintf(w, sizeof w, "%.*s", (int)(end - i), text + i);
    static const char *const bounds[] = {"least", "most"};
    int least = strcmp(w, "least") == 0;
    if (!least && strcmp(w, "most") != 0) {
        const char *near = *w ? closest_name(w, bounds, 2) : NULL;
        if (near)
            return gate_text_fail(e, i, "expected 'at least' or 'at most', got 'at %s' (did you mean "
                           "'at %s'?)", w, near);
        return gate_text_fail(e, i, "expected 'at least' or 'at most'");
    }
    double n;
    size_t ps = skip_space(text, end), pe = read_percent_at(text, ps, &n, e);
    int below;
    if (!pe || read_direction(text, skip_space(text, pe), &below, e) != 0)
        return -1;
    if (below && too_fast(n, ps, e) != 0)
        return -1;
    g->claim = SPEC_CLAIM_RANGE;
    if (least) {
        g->lo = below ? 0 : 1 + n;
        g->hi = below ? 1 - n : INFINITY;
    } else {
        g->lo = below ? 1 - n : 0;
        g->hi = below ? INFINITY : 1 + n;
    }
    return 0;
}

/* "N%..M% DIR", "N..M% DIR" or "N-M% DIR". */
static int read_range(const char *text, size_t i, struct spec_gate *g, struct gate_text_error *e)
{
    double n = 0, m = 0;
    size_t j = scan_decimal(text, i, &n);
    if (j == i)
        return gate_text_fail(e, i, "expected a range ('30%%..40%% faster'), a bound ('at least 10%% "
                       "faster') or 'unchanged', got '%s'", text + i);
    if (text[j] == '%')
        j++;
    size_t sep = j;
    if (strncmp(text + j, "..", 2) == 0)
        j += 2;
    else if (text[j] == '-')
        j++;
    else
        return gate_text_fail(e, i, "a claim gives a range ('30%%..40%% faster') or a bound ('at least "
                       "30%% faster'), not one percentage");
    size_t ms = j, me = read_percent_at(text, ms, &m, e);
    if (!me)
        return -1;
    n /= 100;
    if (!(n < m))
        return gate_text_fail(e, sep, "the range goes from the smaller percentage to the larger, as in "
                       "30%%..40%%");
    int below;
    if (read_direction(text, skip_space(text, me), &below, e) != 0 ||
        (below && too_fast(m, ms, e) != 0))
        return -1;
    g->claim = SPEC_CLAIM_RANGE;
    g->lo = below ? 1 - m : 1 + n;
    g->hi = below ? 1 - n : 1 + m;
    return 0;
}

int gate_parse_claim(const char *text, struct spec_gate *g, struct gate_text_error *e)
{
    size_t i = skip_space(text, 0);
    if (!text[i])
        return gate_text_fail(e, 0, "a claim is FIGURE and what it promises, as in 'p50 30%%..40%% "
                       "faster'; this one is empty");
    size_t fig_end = read_figure(text, i, "", g, e);
    if (!fig_end || claimable(g, i, "a claim", e) != 0)
        return -1;
    size_t w = skip_space(text, fig_end), we = word_end(text, w);
    if (we - w == 9 && strncmp(text + w, "unchanged", 9) == 0) {
        size_t after = skip_space(text, we);
        if (text[after])
            return gate_text_fail(e, after, "unexpected '%s' after the claim", text + after);
        g->claim = SPEC_CLAIM_UNCHANGED;
        g->lo = g->hi = 1;
        return 0;
    }
    if (we - w == 2 && strncmp(text + w, "at", 2) == 0)
        return read_bound(text, skip_space(text, we), g, e);
    if (!text[w])
        return gate_text_fail(e, w, "expected what the claim promises after '%.*s': a range ('30%%..40%% "
                       "faster'), a bound ('at least 10%% faster') or 'unchanged'",
                       (int)(fig_end - i), text + i);
    return read_range(text, w, g, e);
}
