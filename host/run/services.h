/*
 * services.h — the host side of struct bhost_api: the services plugins call
 * (parameters, histograms, metrics, failures, timing control, logging,
 * threads, artifacts, per-point facts; services_reports.c has ABI 1.2's),
 * and how a hook's context is made.
 */
#ifndef BHOST_SERVICES_H
#define BHOST_SERVICES_H

#include "run/context.h"

#include <bhost/bhost.h>
#include <stdint.h>

extern const struct bhost_api host_api;
extern int host_log_level;

void ctx_init(struct host_ctx *c, const struct plugin *p, const struct pvalue *values,
              struct point_state *ps, struct metrics *m, const char *prefix, uint64_t seed,
              const char *log_label);
/* The context of thread `t` of ps's point, for the plugin `c` is (a copy of c). */
void ctx_for_thread(struct host_ctx *dst, const struct host_ctx *c, uint32_t t);

/* The SDK's bhost_now_ns(): clock_now_ns() as a function the plugin can call. */
uint64_t host_now_ns(void);

#endif
