/*
 * compare_env.h — what differs between two runs' environments in what
 * matters to their timings (docs/compare.md, "Environment"): flagged, never
 * refused.
 */
#ifndef BHOST_COMPARE_ENV_H
#define BHOST_COMPARE_ENV_H

#include <jansson.h>

/*
 * Appends to `environment` one {"field", "a", "b"} per field that both
 * documents have and that differs (results/env_fields.c: bhost.version, hostname, os.kernel,
 * cpu.model, cpu.logical_count, cpu.governor, build.build_type,
 * build.compiler, build.sanitized, build.allocator, timer.source), and one
 * {"field": "plugin_build_id", "a", "b", "points"} when the plugin builds of
 * the matched points (`pairs`: [[point a, point b], ...]) differ, with the
 * first such pair's ids. A side that is a merge of runs whose environments differ
 * (run.environments_differ) adds {"field": "run.environments_differ", "a", "b"} (each that
 * side's list of fields, or null). Each difference is also a line in `warnings`.
 */
void compare_env(const json_t *a, const json_t *b, const json_t *pairs, json_t *environment,
                 json_t *warnings);

#endif
