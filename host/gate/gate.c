/*
 * gate.c — the states of gate.h and what the baseline gates need of the
 * comparison; judging is in judge.c, printing in gate_print.c.
 */
#include "gate/gate.h"

const char *gate_state_name(enum gate_state s)
{
    switch (s) {
    case GATE_MET: return "met";
    case GATE_MISSED: return "missed";
    case GATE_INCONCLUSIVE: return "inconclusive";
    default: return "not judged";
    }
}

static size_t add_percentiles(const struct spec_gates *g, double *out, size_t n, size_t max)
{
    for (size_t i = 0; i < g->n; i++) {
        const struct spec_gate *x = &g->items[i];
        if (x->kind == SPEC_GATE_CHECK || x->figure != SPEC_FIG_PERCENTILE)
            continue;
        size_t k = 0;
        while (k < n && out[k] != x->percentile)
            k++;
        if (k == n && n < max)
            out[n++] = x->percentile;
    }
    return n;
}

size_t gate_compared_percentiles(const struct spec *s, double *out, size_t max)
{
    size_t n = add_percentiles(&s->gates, out, 0, max);
    for (size_t i = 0; i < s->nexperiments; i++)
        n = add_percentiles(&s->experiments[i].gates, out, n, max);
    return n;
}
