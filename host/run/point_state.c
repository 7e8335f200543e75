/* point_state.c — see point_state.h. */
#include "run/point_state.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REASONS 64 /* distinct failure texts kept per point; the rest are "other" */

void point_state_init(struct point_state *ps, uint32_t nreps, const char *id,
                      const char *scratch)
{
    *ps = (struct point_state){.point_id = id, .scratch_dir = scratch, .nreps = nreps};
    point_histogram(ps, "iteration");
}

struct bhost_hist *point_histogram(struct point_state *ps, const char *name)
{
    for (size_t i = 0; i < ps->nhists; i++)
        if (strcmp(ps->hists[i]->name, name) == 0)
            return ps->hists[i];
    struct bhost_hist *h = xcalloc(1, sizeof *h);
    h->name = xstrdup(name);
    h->nreps = ps->nreps;
    h->reps = xcalloc(ps->nreps, sizeof *h->reps);
    h->encoded = xcalloc(ps->nreps + 1, sizeof *h->encoded);
    for (uint32_t r = 0; r < ps->nreps; r++)
        if (hdr_init_bhost(&h->reps[r]) != 0) {
            fputs("bhost: out of memory\n", stderr);
            exit(3);
        }
    /* A histogram created mid-point records into the repetition under way. */
    h->current = ps->nhists ? ps->hists[0]->current - ps->hists[0]->reps + h->reps : h->reps;
    grow(&ps->hists, &ps->hists_cap, ps->nhists, sizeof *ps->hists);
    ps->hists[ps->nhists++] = h;
    return h;
}

void point_select_rep(struct point_state *ps, uint32_t rep)
{
    for (size_t i = 0; i < ps->nhists; i++)
        ps->hists[i]->current = &ps->hists[i]->reps[rep];
}

void point_reset_rep(struct point_state *ps, uint32_t rep)
{
    for (size_t i = 0; i < ps->nhists; i++)
        hdr_reset(&ps->hists[i]->reps[rep]);
}

static struct reason *find_reason(struct point_state *ps, const char *text)
{
    for (size_t i = 0; i < ps->nreasons; i++)
        if (strcmp(ps->reasons[i].text, text) == 0)
            return &ps->reasons[i];
    return NULL;
}

void point_add_failure(struct point_state *ps, char *reason, uint64_t count)
{
    ps->failures += count;
    struct reason *known = find_reason(ps, reason);
    if (!known && ps->nreasons >= MAX_REASONS) {
        free(reason);
        reason = xstrdup("other reasons (too many distinct ones to list)");
        known = find_reason(ps, reason);
    }
    if (known) {
        known->count += count;
        free(reason);
        return;
    }
    grow(&ps->reasons, &ps->reasons_cap, ps->nreasons, sizeof *ps->reasons);
    ps->reasons[ps->nreasons++] = (struct reason){.text = reason, .count = count};
}

void metrics_fini(struct metrics *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->v[i].name);
    free(m->v);
    memset(m, 0, sizeof *m);
}

void point_state_fini(struct point_state *ps)
{
    for (size_t i = 0; i < ps->nhists; i++) {
        struct bhost_hist *h = ps->hists[i];
        for (uint32_t r = 0; r < h->nreps; r++) {
            hdr_fini(&h->reps[r]);
            free(h->encoded[r]);
        }
        free(h->encoded);
        free(h->reps);
        free(h->name);
        free(h);
    }
    free(ps->hists);
    for (size_t i = 0; i < ps->nreasons; i++)
        free(ps->reasons[i].text);
    free(ps->reasons);
    metrics_fini(&ps->metrics);
}

void point_live_begin(struct point_live *live, uint64_t phase)
{
    live->phase = 0;
    live->binned = 0;
    live->failed = 0;
    memset(live->pending, 0xff, sizeof live->pending); /* every entry -1 */
    live->phase = phase;
}

uint64_t point_live_iterations(const struct point_live *live)
{
    uint64_t n = live->binned + live->failed;
    for (size_t i = 0; i < POINT_TIMING_BUFFER && live->pending[i] >= 0; i++)
        n++;
    return n;
}
