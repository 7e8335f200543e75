/* check.c — see check.h. */
#include "spec/check.h"
#include "plugin/check.h"
#include "util/mem.h"

#include <stdio.h>

/* What each job is, to name it when it refuses. */
struct job_origin {
    const struct spec_experiment *exp;
    const struct spec_instrument *instrument; /* NULL: the point's experiment */
};

static int has_check(const struct plugin *p)
{
    return (p->hooks & PLUGIN_HOOK_CHECK) != 0;
}

int spec_check(struct registry *reg, const struct spec *s, const struct sweep *w, char *err,
               size_t errlen)
{
    struct check_job *jobs = NULL;
    struct job_origin *origin = NULL;
    size_t n = 0, cap = 0;
    const struct spec_experiment *last = NULL;
    for (size_t i = 0; i < w->npoints; i++) {
        const struct point *pt = &w->points[i];
        /* An experiment's instruments once, before its first point. */
        for (size_t k = 0; pt->exp != last && k < pt->exp->ninstruments; k++) {
            const struct spec_instrument *si = &pt->exp->instruments[k];
            if (!has_check(si->plugin))
                continue;
            grow(&jobs, &cap, n, sizeof *jobs);
            origin = xrealloc(origin, cap * sizeof *origin);
            jobs[n] = (struct check_job){si->plugin, si->values, 1, "", NULL, 0};
            origin[n++] = (struct job_origin){pt->exp, si};
        }
        last = pt->exp;
        if (!has_check(pt->exp->plugin))
            continue;
        grow(&jobs, &cap, n, sizeof *jobs);
        origin = xrealloc(origin, cap * sizeof *origin);
        jobs[n] = (struct check_job){pt->exp->plugin, pt->values, pt->threads, pt->label,
                                     pt->exp->defs, pt->exp->ndefs};
        origin[n++] = (struct job_origin){pt->exp, NULL};
    }
    char why[1024];
    size_t at = checks_run(reg, jobs, n, why, sizeof why);
    int rc = 0;
    if (at == CHECKS_NOT_RUN) {
        snprintf(err, errlen, "%s: %s", s->path, why);
        rc = -1;
    } else if (at < n) {
        const struct job_origin *o = &origin[at];
        if (o->instrument)
            snprintf(err, errlen, "%s:%u:%u: instrument '%s' of experiment '%s': %s", s->path,
                     o->instrument->at.line, o->instrument->at.column,
                     o->instrument->plugin->desc.name, o->exp->name, why);
        else
            snprintf(err, errlen, "%s:%u:%u: experiment '%s', point %s: %s", s->path,
                     o->exp->at.line, o->exp->at.column, o->exp->name, jobs[at].label, why);
        rc = -1;
    }
    free(jobs);
    free(origin);
    return rc;
}
