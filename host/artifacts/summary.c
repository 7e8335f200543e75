/* summary.c — see summary.h. */
#include "artifacts/summary.h"
#include "artifacts/doc_fields.h"

#include <string.h>

/* The group of `reason` in `groups` (first-seen order), made with count 0 and no points if
 * new; `index` maps each reason to its group. */
static json_t *group_of(json_t *groups, json_t *index, const char *reason)
{
    json_t *g = json_object_get(index, reason);
    if (!g) {
        g = json_pack("{s:s, s:I, s:[]}", "reason", reason, "count", (json_int_t)0, "points");
        json_array_append_new(groups, g);
        json_object_set(index, reason, g);
    }
    return g;
}

static void add_count(json_t *obj, const char *key, json_int_t n)
{
    json_object_set_new(obj, key, json_integer(json_integer_value(json_object_get(obj, key)) + n));
}

/* {"id", "label"} of a point, plus one more member. */
static json_t *point_ref(const json_t *pt, const char *key, json_t *value)
{
    return json_pack("{s:o, s:o, s:o}", "id", doc_copy(pt, "id"), "label",
                     doc_copy(pt, "label"), key, value);
}

/* Failed and partial points grouped by their error; failed iterations by their reason. */
static json_t *failure_reasons(const json_t *points)
{
    json_t *by_error = json_array(), *by_reason = json_array();
    json_t *error_index = json_object(), *reason_index = json_object();
    size_t i, k;
    json_t *pt, *r;
    json_array_foreach(points, i, pt) {
        const char *status = doc_text(pt, "status");
        if (strcmp(status, "failed") == 0 || strcmp(status, "partial") == 0) {
            const char *error = doc_text(pt, "error");
            json_t *g = group_of(by_error, error_index, error ? error : "(no error given)");
            add_count(g, "count", 1);
            json_array_append_new(json_object_get(g, "points"),
                                  point_ref(pt, "status", json_string(status)));
        }
        json_array_foreach(doc_at(pt, "failures/reasons"), k, r) {
            json_int_t n = json_integer_value(json_object_get(r, "count"));
            const char *reason = doc_text(r, "reason");
            if (!reason)
                continue;
            json_t *g = group_of(by_reason, reason_index, reason);
            add_count(g, "count", n);
            json_array_append_new(json_object_get(g, "points"),
                                  point_ref(pt, "count", json_integer(n)));
        }
    }
    json_decref(error_index);
    json_decref(reason_index);
    return json_pack("{s:o, s:o}", "points", by_error, "iterations", by_reason);
}

/* Points by status, and iterations measured and failed. */
static json_t *point_counts(const json_t *results, const json_t *points)
{
    static const char *const statuses[] = {"ok", "failed", "partial", "skipped"};
    json_t *counts = json_pack("{s:o, s:I}", "sweep", doc_copy(results, "run/points_total"),
                               "listed", (json_int_t)json_array_size(points));
    for (size_t s = 0; s < sizeof statuses / sizeof *statuses; s++)
        json_object_set_new(counts, statuses[s], json_integer(0));
    size_t i;
    json_t *pt;
    json_array_foreach(points, i, pt) {
        const char *status = doc_text(pt, "status");
        if (json_object_get(counts, status))
            add_count(counts, status, 1);
    }
    return counts;
}

static json_t *iteration_counts(const json_t *points)
{
    json_int_t measured = 0, failed = 0;
    size_t i;
    json_t *pt;
    json_array_foreach(points, i, pt) {
        measured += json_integer_value(doc_at(pt, "iterations/measured"));
        failed += json_integer_value(doc_at(pt, "failures/count"));
    }
    return json_pack("{s:I, s:I, s:o}", "measured", measured, "failed", failed, "success_rate",
                     measured ? json_real(1.0 - (double)failed / (double)measured)
                              : json_null());
}

/* The point that ran longest ({"id", "label", "wall_s"}), or null. */
static json_t *longest_point(const json_t *points)
{
    const json_t *longest = NULL;
    size_t i;
    json_t *pt;
    json_array_foreach(points, i, pt)
        if (json_is_number(json_object_get(pt, "wall_s")) &&
            (!longest || json_number_value(json_object_get(pt, "wall_s")) >
                             json_number_value(json_object_get(longest, "wall_s"))))
            longest = pt;
    return longest ? point_ref(longest, "wall_s", doc_copy(longest, "wall_s")) : json_null();
}

/* The bytes of one owner's listed artifacts (a size that is null counts 0, as gates count
 * it); files and missing ones added to the totals. */
static json_int_t listed_bytes(const json_t *artifacts, json_int_t *files, json_int_t *missing)
{
    json_int_t bytes = 0;
    size_t k;
    json_t *a;
    json_array_foreach(artifacts, k, a) {
        json_t *size = json_object_get(a, "size");
        (*files)++;
        if (json_is_integer(size))
            bytes += json_integer_value(size);
        else
            (*missing)++;
    }
    return bytes;
}

/* What the plugins wrote: points' and instruments' artifacts as results.json lists them. */
static json_t *artifact_totals(const json_t *results, const json_t *points)
{
    json_int_t files = 0, missing = 0, bytes = 0, ran = 0, max = -1;
    const json_t *max_point = NULL;
    size_t i;
    json_t *pt, *ins;
    json_array_foreach(points, i, pt) {
        json_int_t b = listed_bytes(json_object_get(pt, "artifacts"), &files, &missing);
        bytes += b;
        ran += strcmp(doc_text(pt, "status"), "skipped") != 0;
        if (b > max) {
            max = b;
            max_point = pt;
        }
    }
    json_array_foreach(doc_at(results, "instruments"), i, ins)
        bytes += listed_bytes(json_object_get(ins, "artifacts"), &files, &missing);
    return json_pack("{s:I, s:I, s:I, s:o, s:o}", "files", files, "missing", missing, "bytes",
                     bytes, "avg_bytes_per_point",
                     ran ? json_real((double)bytes / (double)ran) : json_null(), "max_point",
                     max_point ? point_ref(max_point, "bytes", json_integer(max))
                               : json_null());
}

/* The gates' outcomes counted by state, with each missed or inconclusive one (those not
 * judged are notes, and a run without a baseline has one per point); null without gates. */
static json_t *gate_outcomes(const json_t *results)
{
    static const char *const states[][2] = {{"met", "met"}, {"missed", "missed"},
                                            {"inconclusive", "inconclusive"},
                                            {"not judged", "not_judged"}};
    json_t *gates = json_object_get(results, "gates");
    if (!json_is_array(gates))
        return json_null();
    json_t *out = json_object();
    for (size_t s = 0; s < sizeof states / sizeof *states; s++)
        json_object_set_new(out, states[s][1], json_integer(0));
    json_t *failing = json_array();
    size_t i;
    json_t *g;
    json_array_foreach(gates, i, g) {
        const char *state = doc_text(g, "state");
        for (size_t s = 0; state && s < sizeof states / sizeof *states; s++)
            if (strcmp(state, states[s][0]) == 0)
                add_count(out, states[s][1], 1);
        if (state && (strcmp(state, "missed") == 0 || strcmp(state, "inconclusive") == 0))
            json_array_append(failing, g);
    }
    json_object_set_new(out, "missed_or_inconclusive", failing);
    return out;
}

json_t *summary_build(const json_t *results)
{
    json_t *points = json_object_get(results, "points");
    json_t *doc = doc_head(SUMMARY_SCHEMA, results);
    json_t *run = json_object_get(doc, "run");
    json_object_set_new(run, "finished_utc", doc_copy(results, "run/finished_utc"));
    json_object_set_new(run, "wall_s", doc_copy(results, "run/wall_s"));
    json_object_set_new(run, "status", doc_copy(results, "run/status"));
    json_object_set_new(doc, "points", point_counts(results, points));
    json_object_set_new(doc, "failed_points",
                        json_integer(json_integer_value(doc_at(doc, "points/failed")) +
                                     json_integer_value(doc_at(doc, "points/partial"))));
    json_object_set_new(doc, "iterations", iteration_counts(points));
    json_object_set_new(doc, "failure_reasons", failure_reasons(points));
    json_t *longest = longest_point(points);
    json_object_set_new(doc, "max_wall_s", doc_copy(longest, "wall_s"));
    json_object_set_new(doc, "longest_point", longest);
    json_object_set_new(doc, "artifacts", artifact_totals(results, points));
    json_object_set_new(doc, "gates", gate_outcomes(results));
    return doc;
}
