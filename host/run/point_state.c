/* point_state.c — see point_state.h. */
#include "run/point_state.h"
#include "util/mem.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REASONS 64 /* distinct failure texts kept per point; the rest are "other" */

void point_state_init(struct point_state *ps, uint32_t nreps, uint32_t nthreads,
                      const char *id, const char *scratch)
{
    *ps = (struct point_state){.point_id = id, .scratch_dir = scratch, .nreps = nreps,
                               .nthreads = nthreads ? nthreads : 1};
    pthread_mutex_init(&ps->lock, NULL);
    ps->lanes = xcalloc(ps->nthreads, sizeof *ps->lanes);
    point_histogram(ps, "iteration", NULL);
}

void hist_config_time(struct hist_config *cfg)
{
    *cfg = (struct hist_config){.unit = "ns", .lowest = HDR_BHOST_LOWEST,
                                .highest = HDR_BHOST_HIGHEST, .digits = HDR_BHOST_SIG_FIGS};
}

static void init_hdr(struct hdr *h, const struct hist_config *cfg)
{
    if (hdr_init(h, cfg->lowest, cfg->highest, cfg->digits) != 0) {
        fputs("bhost: out of memory\n", stderr);
        exit(3);
    }
}

struct bhost_hist *point_histogram(struct point_state *ps, const char *name,
                                   const struct hist_config *cfg)
{
    pthread_mutex_lock(&ps->lock);
    for (size_t i = 0; i < ps->nhists; i++)
        if (strcmp(ps->hists[i]->name, name) == 0) {
            pthread_mutex_unlock(&ps->lock);
            return ps->hists[i];
        }
    struct bhost_hist *h = xcalloc(1, sizeof *h);
    h->name = xstrdup(name);
    if (cfg)
        h->cfg = *cfg;
    else
        hist_config_time(&h->cfg);
    h->nreps = ps->nreps;
    h->nthreads = ps->nthreads;
    size_t all = (size_t)ps->nreps * ps->nthreads;
    h->reps = xcalloc(all + 1, sizeof *h->reps);
    h->encoded = xcalloc(ps->nreps + 1, sizeof *h->encoded);
    h->current = xcalloc(ps->nthreads, sizeof *h->current);
    for (size_t r = 0; r < all; r++)
        init_hdr(&h->reps[r], &h->cfg);
    /* With no repetition (a point that measured nothing), a place to record into anyway. */
    if (all == 0)
        init_hdr(&h->reps[0], &h->cfg);
    /* A histogram made mid-point records into the repetition under way. */
    uint32_t rep = ps->nreps ? ps->rep : 0;
    for (uint32_t t = 0; t < ps->nthreads; t++)
        h->current[t] = &h->reps[ps->nreps ? (size_t)t * ps->nreps + rep : 0];
    grow(&ps->hists, &ps->hists_cap, ps->nhists, sizeof *ps->hists);
    ps->hists[ps->nhists++] = h;
    pthread_mutex_unlock(&ps->lock);
    return h;
}

void point_select_rep(struct point_state *ps, uint32_t rep)
{
    ps->rep = rep;
    for (size_t i = 0; i < ps->nhists; i++)
        for (uint32_t t = 0; t < ps->nthreads; t++)
            ps->hists[i]->current[t] = &ps->hists[i]->reps[(size_t)t * ps->nreps + rep];
}

void point_reset_rep(struct point_state *ps, uint32_t rep)
{
    for (size_t i = 0; i < ps->nhists; i++)
        for (uint32_t t = 0; t < ps->nthreads; t++)
            hdr_reset(&ps->hists[i]->reps[(size_t)t * ps->nreps + rep]);
}

static struct reason *find_reason(struct failures *f, const char *text)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->v[i].text, text) == 0)
            return &f->v[i];
    return NULL;
}

void failures_add(struct failures *f, char *reason, uint64_t count)
{
    f->count += count;
    struct reason *known = find_reason(f, reason);
    if (!known && f->n >= MAX_REASONS) {
        free(reason);
        reason = xstrdup("other reasons (too many distinct ones to list)");
        known = find_reason(f, reason);
    }
    if (known) {
        known->count += count;
        free(reason);
        return;
    }
    grow(&f->v, &f->cap, f->n, sizeof *f->v);
    f->v[f->n++] = (struct reason){.text = reason, .count = count};
}

void failures_clear(struct failures *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->v[i].text);
    free(f->v);
    memset(f, 0, sizeof *f);
}

uint64_t point_clock_tick(void)
{
    static atomic_uint_fast64_t ticks;
    return (uint64_t)atomic_fetch_add(&ticks, 1) + 1;
}

static struct metric *find_metric(struct metrics *m, const char *name)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->v[i].name, name) == 0)
            return &m->v[i];
    return NULL;
}

/* Counters add up; of a gauge set on several threads, the last value set wins; a metric
 * unavailable on one thread is unavailable. */
static void merge_metrics(struct metrics *into, const struct metrics *from)
{
    for (size_t i = 0; i < from->n; i++) {
        const struct metric *src = &from->v[i];
        struct metric *dst = find_metric(into, src->name);
        if (!dst) {
            grow(&into->v, &into->cap, into->n, sizeof *into->v);
            dst = &into->v[into->n++];
            *dst = (struct metric){.name = xstrdup(src->name), .kind = src->kind,
                                   .value = src->kind == METRIC_COUNTER ? 0 : src->value,
                                   .set_at = src->set_at};
        }
        if (dst->kind == METRIC_UNAVAILABLE)
            continue;
        if (src->kind == METRIC_UNAVAILABLE) {
            dst->kind = METRIC_UNAVAILABLE;
            dst->reason = xstrdup(src->reason);
        } else if (src->kind == METRIC_COUNTER)
            dst->value += src->value;
        else if (src->set_at >= dst->set_at) {
            dst->value = src->value;
            dst->set_at = src->set_at;
        }
    }
}

void point_merge_threads(struct point_state *ps, uint32_t rep)
{
    for (size_t i = 0; i < ps->nhists && rep < ps->nreps; i++) {
        struct bhost_hist *h = ps->hists[i];
        for (uint32_t t = 1; t < h->nthreads; t++) {
            struct hdr *mine = &h->reps[(size_t)t * h->nreps + rep];
            hdr_add(&h->reps[rep], mine);
            hdr_reset(mine);
        }
    }
    for (uint32_t t = 1; t < ps->nthreads; t++) {
        struct lane *l = &ps->lanes[t];
        merge_metrics(&ps->lanes[0].metrics, &l->metrics);
        for (size_t k = 0; k < l->fails.n; k++)
            failures_add(&ps->lanes[0].fails, xstrdup(l->fails.v[k].text), l->fails.v[k].count);
        metrics_fini(&l->metrics);
        failures_clear(&l->fails);
    }
}

void metrics_fini(struct metrics *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->v[i].name);
        free(m->v[i].reason);
    }
    free(m->v);
    memset(m, 0, sizeof *m);
}

void artifacts_fini(struct artifacts *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->v[i].name);
        free(a->v[i].media_type);
        free(a->v[i].path);
        free(a->v[i].rel);
    }
    free(a->v);
    memset(a, 0, sizeof *a);
}

void tables_fini(struct tables *t)
{
    for (size_t i = 0; i < t->n; i++) {
        struct bhost_table *tb = t->v[i];
        for (uint32_t c = 0; c < tb->ncolumns; c++) {
            free(tb->columns[c].name);
            free(tb->columns[c].unit);
        }
        for (size_t k = 0; k < tb->nrows * tb->ncolumns; k++)
            free(tb->cells[k].text);
        free(tb->columns);
        free(tb->cells);
        free(tb->name);
        free(tb->title);
        free(tb);
    }
    free(t->v);
    memset(t, 0, sizeof *t);
}

void notes_fini(struct notes *n)
{
    for (size_t i = 0; i < n->n; i++) {
        free(n->v[i].name);
        free(n->v[i].text);
    }
    free(n->v);
    memset(n, 0, sizeof *n);
}

void point_state_fini(struct point_state *ps)
{
    for (size_t i = 0; i < ps->nhists; i++) {
        struct bhost_hist *h = ps->hists[i];
        size_t all = (size_t)h->nreps * h->nthreads;
        for (size_t r = 0; r < (all ? all : 1); r++)
            hdr_fini(&h->reps[r]);
        for (uint32_t r = 0; r < h->nreps; r++)
            free(h->encoded[r]);
        free(h->encoded);
        free(h->current);
        free(h->reps);
        free(h->name);
        free(h);
    }
    free(ps->hists);
    for (uint32_t t = 0; t < ps->nthreads; t++) {
        metrics_fini(&ps->lanes[t].metrics);
        failures_clear(&ps->lanes[t].fails);
    }
    free(ps->lanes);
    artifacts_fini(&ps->artifacts);
    tables_fini(&ps->tables);
    notes_fini(&ps->notes);
    pthread_mutex_destroy(&ps->lock);
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

char *point_scratch_dir(const char *root, const struct point *pt)
{
    return pt->repetition ? xasprintf("%s/%s-r%u", root, pt->id, pt->repetition)
                          : xasprintf("%s/%s", root, pt->id);
}
