/* export_bmf.c — see export_bmf.h; docs/export.md gives every mapping. */
#include "export/export_bmf.h"
#include "export/export_common.h"
#include "util/mem.h"
#include "util/text.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Bencher's limits: a benchmark's name, a measure's slug. */
#define BMF_NAME_MAX 1024
#define BMF_SLUG_MAX 64

/* Bencher's slug form of a name: lowercase letters and digits, every other run of
 * characters one '-', none at either end, at most 64 characters; "metric" if empty. */
static void slugify(const char *name, char slug[BMF_SLUG_MAX + 1])
{
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)name; *c && n < BMF_SLUG_MAX; c++) {
        if (*c < 0x80 && isalnum(*c))
            slug[n++] = (char)tolower(*c);
        else if (n > 0 && slug[n - 1] != '-')
            slug[n++] = '-';
    }
    while (n > 0 && slug[n - 1] == '-')
        n--;
    slug[n] = '\0';
    if (n == 0)
        strcpy(slug, "metric");
}

/* `slug`, or slug-2, slug-3, ... (cut to fit 64) when the benchmark has that key already. */
static char *unique_key(const json_t *benchmark, const char *slug)
{
    char *key = xstrdup(slug);
    for (int k = 2; json_object_get(benchmark, key); k++) {
        char suffix[16];
        int len = snprintf(suffix, sizeof suffix, "-%d", k);
        free(key);
        key = xasprintf("%.*s%s", BMF_SLUG_MAX - len, slug, suffix);
    }
    return key;
}

/* A measure: value, bounded by the lowest and highest of the repetitions' `field` (when
 * any has it). Those bound it already (a merged median lies between the parts'
 * medians; throughput is a wall-weighted mean of theirs): the clamp is a guard. */
static json_t *measure(double value, const json_t *reps, const char *field)
{
    json_t *m = json_pack("{s:f}", "value", value);
    double lo = INFINITY, hi = -INFINITY, x;
    size_t i;
    json_t *rep;
    json_array_foreach(reps, i, rep)
        if (export_number(json_object_get(rep, field), &x) && isfinite(x)) {
            lo = x < lo ? x : lo;
            hi = x > hi ? x : hi;
        }
    if (lo <= hi) {
        json_object_set_new(m, "lower_value", json_real(lo < value ? lo : value));
        json_object_set_new(m, "upper_value", json_real(hi > value ? hi : value));
    }
    return m;
}

/* The histogram's percentiles (and throughput, for times) as measures of `benchmark`. */
static void add_figures(json_t *benchmark, const json_t *h)
{
    static const struct {
        const char *field, *suffix;
    } percentiles[] = {{"p50", ""}, {"p90", "-p90"}, {"p99", "-p99"}, {"p99_9", "-p99-9"}};
    const char *unit = export_text(h, "unit", "ns");
    int times = strcmp(unit, "ns") == 0;
    char base[BMF_SLUG_MAX + 1];
    if (times)
        strcpy(base, "latency");
    else
        slugify(unit, base);
    const json_t *reps = json_object_get(h, "repetitions");
    double x;
    for (size_t k = 0; k < ARRAY_LEN(percentiles); k++) {
        if (!export_number(json_object_get(h, percentiles[k].field), &x))
            continue;
        char *slug = xasprintf("%.*s%s", BMF_SLUG_MAX - (int)strlen(percentiles[k].suffix),
                               base, percentiles[k].suffix);
        char *key = unique_key(benchmark, slug);
        json_object_set_new(benchmark, key, measure(x, reps, percentiles[k].field));
        free(key);
        free(slug);
    }
    if (times && export_number(json_object_get(h, "throughput_per_s"), &x) && isfinite(x))
        json_object_set_new(benchmark, "throughput", measure(x, reps, "throughput_per_s"));
}

static void add_metrics(json_t *benchmark, json_t *metrics)
{
    const char *name;
    json_t *metric;
    json_object_foreach(metrics, name, metric) {
        double x;
        if (export_metric_figure(metric, &x) != 0)
            continue;
        char slug[BMF_SLUG_MAX + 1];
        slugify(name, slug);
        char *key = unique_key(benchmark, slug);
        json_object_set_new(benchmark, key, json_pack("{s:f}", "value", x));
        free(key);
    }
}

/* The label (and "/histogram" for another than iteration); the point's id and the
 * histogram's place among its histograms where that is too long for Bencher or taken. */
static char *benchmark_name(const json_t *out, const json_t *point, const char *histogram,
                            size_t place)
{
    const char *label = export_text(point, "label", "");
    char *name = strcmp(histogram, "iteration") == 0 ? xstrdup(label)
                                                     : xasprintf("%s/%s", label, histogram);
    if (strlen(name) > BMF_NAME_MAX || json_object_get(out, name)) {
        free(name);
        name = xasprintf("%s/%zu", export_text(point, "id", ""), place);
    }
    return name;
}

void export_bmf(FILE *f, const json_t *doc, FILE *notes)
{
    json_t *out = json_object();
    size_t i;
    json_t *point;
    json_array_foreach(json_object_get(doc, "points"), i, point) {
        const char *status = export_text(point, "status", "");
        if (strcmp(status, "ok") != 0) {
            if (notes) {
                /* For a terminal: no control character, and a reason of any length cut. */
                char *line = xasprintf("bhost export: bmf leaves out %s: %s (%.200s)",
                                       export_text(point, "label", ""), status,
                                       export_text(point, "error", "no error given"));
                fprintf(notes, "%s\n", text_scrub_controls(line));
                free(line);
            }
            continue;
        }
        const char *hname;
        json_t *h;
        size_t place = 0;
        json_object_foreach(json_object_get(point, "histograms"), hname, h) {
            json_int_t count = json_integer_value(json_object_get(h, "count"));
            if (count > 0) {
                char *name = benchmark_name(out, point, hname, place);
                json_t *benchmark = json_object();
                add_figures(benchmark, h);
                if (strcmp(hname, "iteration") == 0)
                    add_metrics(benchmark, json_object_get(point, "metrics"));
                json_object_set_new(out, name, benchmark);
                free(name);
            }
            place++;
        }
    }
    json_dumpf(out, f, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    fputc('\n', f);
    json_decref(out);
}
