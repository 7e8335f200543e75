/*
 * check.h — plugins' check() hooks (ABI 1.2), run where they cannot hurt
 * the host: one child process maps the plugins and runs every check in
 * order, telling the host through shared memory which one it is on, so
 * that a check that crashes, exits or hangs is named with what happened.
 * In a check the context answers the parameter getters,
 * bhost_thread_count(), bhost_point_label(), bhost_fail() and bhost_log();
 * any other service is a misuse that refuses the check.
 */
#ifndef BHOST_CHECK_H
#define BHOST_CHECK_H

#include "plugin/registry.h"

#include <stddef.h>
#include <stdint.h>

/* How long one check may take before it is killed, unless BHOST_CHECK_TIMEOUT (seconds)
 * says otherwise. */
#define CHECK_TIMEOUT_MS 5000

struct check_job {
    const struct plugin *plugin;   /* one of the registry's, with PLUGIN_HOOK_CHECK */
    const struct pvalue *values;   /* every parameter, plugin order */
    uint32_t threads;              /* what bhost_thread_count() says */
    const char *label;             /* what bhost_point_label() says ("" for an instrument) */
    const struct pdef *defs;       /* the definitions values follow: an experiment's, open
                                      parameters included; NULL: the plugin's */
    size_t ndefs;
};

/* checks_run()'s answer when no check could run (no process): `why` says why. */
#define CHECKS_NOT_RUN SIZE_MAX

/*
 * Runs jobs[0..n) in order in a child process, stopping at the first that
 * refuses. Returns n when every check passed; else the index of the one
 * that did not, with the reason in `why` (the plugin's bhost_fail() text, a
 * misuse, a crash, an exit or a timeout), or CHECKS_NOT_RUN.
 */
size_t checks_run(struct registry *reg, const struct check_job *jobs, size_t n, char *why,
                  size_t whylen);

#endif
