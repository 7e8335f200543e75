/* run_gates.c — see run_gates.h. */
#include "cli/run_gates.h"
#include "cli/options.h"
#include "gate/gate.h"

#include <stdio.h>
#include <string.h>

static size_t gate_count(const struct spec *s)
{
    size_t n = s->gates.n;
    for (size_t i = 0; i < s->nexperiments; i++)
        n += s->experiments[i].gates.n;
    return n;
}

int run_gates_judge(const struct spec *s, json_t *doc, const json_t *baseline,
                    const char *baseline_name, const struct compare_options *co)
{
    if (gate_count(s) == 0)
        return EXIT_OK;
    struct compare_result vs;
    int compared = 0;
    char err[1024];
    if (baseline) {
        /* The percentiles asked for, and those the gates need. */
        struct compare_options with = *co;
        static const double defaults[] = COMPARE_DEFAULT_PERCENTILES;
        if (!with.npercentiles) {
            memcpy(with.percentiles, defaults, sizeof defaults);
            with.npercentiles = sizeof defaults / sizeof *defaults;
        }
        double need[COMPARE_MAX_PERCENTILES];
        size_t nneed = gate_compared_percentiles(s, need, COMPARE_MAX_PERCENTILES);
        for (size_t i = 0; i < nneed; i++) {
            size_t k = 0;
            while (k < with.npercentiles && with.percentiles[k] != need[i])
                k++;
            if (k == with.npercentiles && k < COMPARE_MAX_PERCENTILES)
                with.percentiles[with.npercentiles++] = need[i];
        }
        compared = compare_docs(baseline, doc, &with, &vs, err, sizeof err) == 0;
        if (!compared)
            fprintf(stderr, "bhost: the baseline gates cannot be judged: %s\n", err);
    }
    struct gate_input in = {.spec = s, .doc = doc, .baseline = baseline,
                            .vs = compared ? &vs : NULL, .baseline_name = baseline_name,
                            .threshold = co->threshold};
    enum gate_state worst;
    json_t *outcomes = gate_judge(&in, &worst);
    json_object_set_new(doc, "gates", outcomes);
    if (compared)
        compare_result_free(&vs);
    return worst == GATE_MISSED        ? EXIT_GATE_MISSED
           : worst == GATE_INCONCLUSIVE ? EXIT_INCONCLUSIVE
                                        : EXIT_OK;
}

void run_gates_print(FILE *out, const json_t *doc, int markdown)
{
    const json_t *outcomes = json_object_get(doc, "gates");
    if (!json_is_array(outcomes))
        return;
    if (markdown)
        gate_print_markdown(out, outcomes);
    else
        gate_print(out, outcomes);
}
