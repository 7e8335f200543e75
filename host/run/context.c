/* context.c — see context.h. */
#include "run/context.h"
#include "spec/spec.h"
#include "util/mem.h"
#include "util/text.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void ctx_misuse(struct host_ctx *c, const char *fmt, ...)
{
    if (c->misuse)
        return;
    va_list ap;
    va_start(ap, fmt);
    c->misuse = xvasprintf(fmt, ap);
    va_end(ap);
}

/*
 * Whether an experiment's name falls in an attached instrument's space
 * ("rusage.user_cpu_s"): there it would add to the instrument's figures.
 */
int ctx_in_instrument_space(const struct host_ctx *c, const char *name)
{
    if (*c->prefix || !c->ps || !c->ps->exp)
        return 0;
    for (size_t i = 0; i < c->ps->exp->ninstruments; i++) {
        const char *inst = c->ps->exp->instruments[i].plugin->desc.name;
        size_t n = strlen(inst);
        if (strncmp(name, inst, n) == 0 && name[n] == '.')
            return 1;
    }
    return 0;
}

struct metric *ctx_metric(struct host_ctx *c, const char *name, enum metric_kind kind)
{
    if (!name || !*name || !utf8_valid(name)) {
        ctx_misuse(c, "plugin bug: a counter or gauge needs a UTF-8 name");
        return NULL;
    }
    if (ctx_in_instrument_space(c, name)) {
        ctx_misuse(c, "plugin bug: '%s' belongs to an attached instrument; name it otherwise",
                   name);
        return NULL;
    }
    struct metrics *m = c->metrics;
    size_t plen = strlen(c->prefix);
    for (size_t i = 0; i < m->n; i++) {
        const char *have = m->v[i].name;
        if (strncmp(have, c->prefix, plen) != 0 || strcmp(have + plen, name) != 0)
            continue;
        if (m->v[i].kind == METRIC_UNAVAILABLE || kind == METRIC_UNAVAILABLE)
            return &m->v[i]; /* values after "unavailable" are ignored by the caller */
        if (m->v[i].kind != kind)
            ctx_misuse(c, "plugin bug: '%s' is used both as a counter and as a gauge", name);
        return &m->v[i];
    }
    grow(&m->v, &m->cap, m->n, sizeof *m->v);
    m->v[m->n] = (struct metric){.name = xasprintf("%s%s", c->prefix, name), .kind = kind};
    return &m->v[m->n++];
}

void ctx_fini(struct host_ctx *c)
{
    free(c->fail_reason);
    free(c->misuse);
    c->fail_reason = c->misuse = NULL;
}

void ctx_drop_reason(struct host_ctx *c)
{
    free(c->fail_reason);
    c->fail_reason = NULL;
}

char *ctx_take_reason(struct host_ctx *c, int rc)
{
    char *r = c->fail_reason;
    c->fail_reason = NULL;
    return r ? r : xasprintf("returned %d without a reason", rc);
}
