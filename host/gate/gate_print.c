/*
 * gate_print.c — gate_print() of gate.h: what a CI log needs to show, the
 * gates missed and inconclusive at each point, a note for each gate that
 * could not be judged (once, however many points), and the counts.
 */
#include "gate/gate.h"
#include "util/escape.h"
#include "util/mem.h"
#include "util/text.h"

#include <stdlib.h>
#include <string.h>

static const char *text(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* The outcome as one line: "gate missed: TEXT at LABEL: WHY (WHERE)", `more` other points;
 * no control character of a label or reason reaches the terminal. */
static void line(FILE *f, const json_t *o, size_t more)
{
    const char *label = text(o, "label");
    char others[64] = "";
    if (more)
        snprintf(others, sizeof others, " and %zu more point%s", more, more == 1 ? "" : "s");
    char *shown = xasprintf("gate %s: %s%s%s%s: %s (%s)", text(o, "state"), text(o, "gate"),
                            *label ? " at " : "", label, others, text(o, "why"), text(o, "where"));
    fprintf(f, "%s\n", text_scrub_controls(shown));
    free(shown);
}

static enum gate_state state_of(const json_t *o)
{
    for (int k = GATE_MET; k <= GATE_NOT_JUDGED; k++)
        if (strcmp(text(o, "state"), gate_state_name((enum gate_state)k)) == 0)
            return (enum gate_state)k;
    return GATE_NOT_JUDGED;
}

static void count_states(const json_t *outcomes, size_t count[4])
{
    size_t i;
    const json_t *o;
    json_array_foreach(outcomes, i, o)
        count[state_of(o)]++;
}

void gate_print_markdown(FILE *f, const json_t *outcomes)
{
    size_t count[4] = {0}, i;
    const json_t *o;
    count_states(outcomes, count);
    fprintf(f, "\n**Gates**: %zu met, %zu missed, %zu inconclusive, %zu not judged\n",
            count[GATE_MET], count[GATE_MISSED], count[GATE_INCONCLUSIVE],
            count[GATE_NOT_JUDGED]);
    if (count[GATE_MET] == json_array_size(outcomes))
        return;
    fprintf(f, "\n| gate | point | state | why |\n|---|---|---|---|\n");
    json_array_foreach(outcomes, i, o) {
        enum gate_state s = state_of(o);
        if (s == GATE_MET)
            continue;
        fputs("| ", f);
        escape_markdown(f, text(o, "gate"));
        fputs(" | ", f);
        escape_markdown(f, *text(o, "label") ? text(o, "label") : "(the run)");
        fprintf(f, " | %s%s%s | ", s == GATE_MISSED ? "**" : "", text(o, "state"),
                s == GATE_MISSED ? "**" : "");
        escape_markdown(f, text(o, "why"));
        fputs(" |\n", f);
    }
}

void gate_print(FILE *f, const json_t *outcomes)
{
    size_t count[4] = {0}, i;
    const json_t *o;
    count_states(outcomes, count);
    json_array_foreach(outcomes, i, o) {
        enum gate_state s = state_of(o);
        if (s == GATE_MISSED || s == GATE_INCONCLUSIVE)
            line(f, o, 0);
    }
    /* Not judged: one note per gate (its first outcome), outcomes of a gate being adjacent. */
    for (i = 0; i < json_array_size(outcomes); i++) {
        o = json_array_get(outcomes, i);
        if (strcmp(text(o, "state"), "not judged") != 0)
            continue;
        size_t j = i + 1, more = 0;
        for (; j < json_array_size(outcomes); j++) {
            const json_t *next = json_array_get(outcomes, j);
            if (strcmp(text(next, "where"), text(o, "where")) != 0)
                break;
            more += strcmp(text(next, "state"), "not judged") == 0;
        }
        line(f, o, more);
        i = j - 1;
    }
    if (json_array_size(outcomes))
        fprintf(f, "gates: %zu met, %zu missed, %zu inconclusive, %zu not judged\n",
                count[GATE_MET], count[GATE_MISSED], count[GATE_INCONCLUSIVE],
                count[GATE_NOT_JUDGED]);
}
