/* export_gbench.c — see export_gbench.h; docs/export.md gives each field's source. */
#include "export/export_gbench.h"
#include "export/export_common.h"
#include "util/mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct time_unit {
    const char *name;
    double ns; /* nanoseconds in one */
} time_units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};

int gbench_time_unit_ok(const char *unit)
{
    for (size_t k = 0; k < ARRAY_LEN(time_units); k++)
        if (strcmp(unit, time_units[k].name) == 0)
            return 1;
    return strcmp(unit, "auto") == 0;
}

/* The unit asked for; for "auto", the largest one in which mean_ns is at least 1. */
static const struct time_unit *pick_unit(const char *asked, double mean_ns)
{
    const struct time_unit *u = &time_units[0];
    for (size_t k = 0; k < ARRAY_LEN(time_units); k++) {
        if (strcmp(asked, "auto") == 0 ? mean_ns >= time_units[k].ns
                                       : strcmp(asked, time_units[k].name) == 0)
            u = &time_units[k];
    }
    return u;
}

/* --- the context ------------------------------------------------------------------------- */

static json_t *context(const json_t *doc)
{
    const json_t *run = json_object_get(doc, "run"), *env = json_object_get(doc, "environment");
    const json_t *cpu = json_object_get(env, "cpu"), *build = json_object_get(env, "build");
    /* Google Benchmark writes its local time with the offset: ours is UTC. */
    const char *started = export_text(run, "started_utc", "");
    size_t n = strlen(started);
    char *date = n && started[n - 1] == 'Z' ? xasprintf("%.*s+00:00", (int)n - 1, started)
                                            : xstrdup(started);
    double mhz = 0;
    const char *governor = export_text(cpu, "governor", NULL);
    const char *argv0 = json_string_value(json_array_get(json_object_get(run, "argv"), 0));
    json_t *c = json_pack(
        "{s:s, s:s, s:s, s:I, s:I, s:b, s:[], s:[], s:s}", "date", date, "host_name",
        export_text(env, "hostname", ""), "executable",
        argv0 ? argv0 : "bhost",
        "num_cpus", (json_int_t)json_integer_value(json_object_get(cpu, "logical_count")),
        "mhz_per_cpu", (json_int_t)(export_number(json_object_get(cpu, "mhz"), &mhz) ? llround(mhz) : 0),
        "cpu_scaling_enabled", governor && strcmp(governor, "performance") != 0, "caches",
        "load_avg", "library_build_type",
        strcmp(export_text(build, "build_type", ""), "Debug") == 0 ? "debug" : "release");
    free(date);
    /* Google Benchmark's --benchmark_context=KEY=VALUE adds strings like these. */
    json_object_set_new(c, "bhost_version",
                        json_string(export_text(json_object_get(doc, "bhost"), "version", "")));
    json_object_set_new(c, "bhost_spec",
                        json_string(export_text(json_object_get(doc, "spec"), "name", "")));
    json_object_set_new(c, "bhost_run", json_string(export_text(run, "dir", "")));
    const char *commit = export_text(json_object_get(env, "git"), "commit", NULL);
    if (commit)
        json_object_set_new(c, "bhost_git_commit", json_string(commit));
    return c;
}

/* --- one point's entries ----------------------------------------------------------------- */

/* What every entry of one point and histogram shares. */
struct family {
    char *name;
    json_int_t family_index, instance_index, threads, repetitions;
    const char *error;              /* NULL when the point is ok */
    const char *label;
    const struct time_unit *unit;
    double cpu_share;               /* CPU time per ns of iteration time; -1: none (cpu_time is
                                       real_time) */
    json_t *metrics;                /* the point's, on its iteration entries only; or NULL */
    int aggregates_only;            /* each name once (gbench_options.aggregates_only) */
};

/* "spin/ns:1000/mode:clock" (and "/histogram:NAME" for a histogram other than iteration). */
static char *benchmark_name(const json_t *doc, const json_t *point, const char *histogram)
{
    const char *experiment = export_text(point, "experiment", "");
    char *name = xstrdup(experiment);
    json_t *axes = export_axes(export_spec_experiment(doc, experiment));
    size_t i;
    json_t *axis;
    json_array_foreach(axes, i, axis) {
        int is_string;
        char *value = export_axis_text(point, json_string_value(axis), &is_string);
        char *longer = xasprintf("%s/%s:%s", name, json_string_value(axis), value ? value : "");
        free(value);
        free(name);
        name = longer;
    }
    json_decref(axes);
    if (strcmp(histogram, "iteration") != 0) {
        char *longer = xasprintf("%s/histogram:%s", name, histogram);
        free(name);
        name = longer;
    }
    return name;
}

/* The family index and instance index of (experiment, histogram), counted in `seen`. */
static void number_family(json_t *seen, const char *experiment, const char *histogram,
                          struct family *fam)
{
    char *key = xasprintf("%s\n%s", experiment, histogram);
    json_t *counts = json_object_get(seen, key);
    if (!counts) {
        counts = json_pack("[I, I]", (json_int_t)json_object_size(seen), (json_int_t)0);
        json_object_set_new(seen, key, counts);
    }
    fam->family_index = json_integer_value(json_array_get(counts, 0));
    fam->instance_index = json_integer_value(json_array_get(counts, 1));
    json_array_set_new(counts, 1, json_integer(fam->instance_index + 1));
    free(key);
}

/* The point's CPU time per measured iteration in ns, from the rusage instrument's user and
 * system counters; -1 without them. */
static double cpu_per_iteration(const json_t *point)
{
    const json_t *metrics = json_object_get(point, "metrics");
    const json_t *user = json_object_get(metrics, "rusage.user_cpu_s");
    const json_t *sys = json_object_get(metrics, "rusage.sys_cpu_s");
    double u, s;
    if (strcmp(export_text(user, "kind", ""), "counter") != 0 ||
        strcmp(export_text(sys, "kind", ""), "counter") != 0 ||
        !export_number(json_object_get(user, "per_iteration"), &u) ||
        !export_number(json_object_get(sys, "per_iteration"), &s) || !isfinite(u + s))
        return -1;
    return (u + s) * 1e9;
}

/* The entry's first keys, in Google Benchmark's order, up to its threads. */
static json_t *entry_head(const struct family *fam, const char *suffix, const char *run_type)
{
    char *name = xasprintf("%s%s", fam->name, suffix);
    json_t *e = json_pack("{s:s, s:I, s:I, s:s, s:s, s:I}", "name", name, "family_index",
                          fam->family_index, "per_family_instance_index", fam->instance_index,
                          "run_name", fam->name, "run_type", run_type, "repetitions",
                          fam->repetitions);
    free(name);
    return e;
}

static void set_times(json_t *e, const struct family *fam, double real_ns, double cpu_ns)
{
    json_object_set_new(e, "real_time", json_real(real_ns / fam->unit->ns));
    json_object_set_new(e, "cpu_time", json_real(cpu_ns / fam->unit->ns));
    json_object_set_new(e, "time_unit", json_string(fam->unit->name));
    json_object_set_new(e, "label", json_string(fam->label));
}

/* The key a metric is written under: Google Benchmark's names for items and bytes per
 * second, else its own name, prefixed "metric:" where the entry already has that key. */
static void set_metric(json_t *e, const char *name, const json_t *metric, int as_stddev)
{
    double x;
    const char *key = name;
    if (strcmp(name, "items_processed") == 0 || strcmp(name, "bytes_processed") == 0) {
        key = name[0] == 'i' ? "items_per_second" : "bytes_per_second";
        if (!export_number(json_object_get(metric, "per_second"), &x) || !isfinite(x))
            return;
    } else if (export_metric_figure(metric, &x) != 0) {
        return;
    }
    /* Every repetition shows the point's one figure: its spread over them is none. */
    if (as_stddev)
        x = 0;
    char *prefixed = json_object_get(e, key) ? xasprintf("metric:%s", name) : NULL;
    json_object_set_new(e, prefixed ? prefixed : key, json_real(x));
    free(prefixed);
}

static void set_metrics(json_t *e, const struct family *fam, int as_stddev)
{
    const char *name;
    json_t *metric;
    json_object_foreach(fam->metrics, name, metric)
        set_metric(e, name, metric, as_stddev);
}

static void add_repetition(json_t *out, const struct family *fam, json_int_t index,
                           json_int_t iterations, double mean_ns)
{
    json_t *e = entry_head(fam, "", "iteration");
    json_object_set_new(e, "repetition_index", json_integer(index));
    json_object_set_new(e, "threads", json_integer(fam->threads));
    if (fam->error) {
        json_object_set_new(e, "error_occurred", json_true());
        json_object_set_new(e, "error_message", json_string(fam->error));
    }
    json_object_set_new(e, "iterations", json_integer(iterations));
    set_times(e, fam, mean_ns, fam->cpu_share >= 0 ? fam->cpu_share * mean_ns : mean_ns);
    set_metrics(e, fam, 0);
    json_array_append_new(out, e);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Google Benchmark's statistics of the repetitions' values: mean, median, the sample
 * standard deviation (n - 1), and the coefficient of variation (stddev / mean). */
static double statistic(const char *which, const double *v, size_t n)
{
    double sum = 0, squares = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    double mean = sum / (double)n;
    if (strcmp(which, "mean") == 0)
        return mean;
    if (strcmp(which, "median") == 0) {
        double *sorted = xmalloc(n * sizeof *sorted);
        memcpy(sorted, v, n * sizeof *sorted);
        qsort(sorted, n, sizeof *sorted, by_value);
        double median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        free(sorted);
        return median;
    }
    for (size_t i = 0; i < n; i++)
        squares += (v[i] - mean) * (v[i] - mean);
    double stddev = sqrt(squares / (double)(n - 1));
    if (strcmp(which, "stddev") == 0)
        return stddev;
    return mean != 0 ? stddev / mean : 0; /* cv */
}

static void add_aggregates(json_t *out, const struct family *fam, const double *real,
                           const double *cpu, size_t n)
{
    static const char *const names[] = {"mean", "median", "stddev", "cv"};
    for (size_t k = 0; k < ARRAY_LEN(names); k++) {
        char suffix[16];
        snprintf(suffix, sizeof suffix, "_%s", names[k]);
        json_t *e = entry_head(fam, suffix, "aggregate");
        json_object_set_new(e, "threads", json_integer(fam->threads));
        json_object_set_new(e, "aggregate_name", json_string(names[k]));
        json_object_set_new(e, "aggregate_unit",
                            json_string(strcmp(names[k], "cv") == 0 ? "percentage" : "time"));
        json_object_set_new(e, "iterations", json_integer((json_int_t)n));
        set_times(e, fam, statistic(names[k], real, n), statistic(names[k], cpu, n));
        set_metrics(e, fam, strcmp(names[k], "stddev") == 0 || strcmp(names[k], "cv") == 0);
        json_array_append_new(out, e);
    }
}

/* A point and histogram with repetitions: an entry each, then the aggregates when the point
 * is ok and at least two repetitions have a mean (Google Benchmark leaves errored
 * repetitions out of its statistics, and has none for one). */
static void add_histogram(json_t *out, struct family *fam, const json_t *histogram)
{
    const json_t *reps = json_object_get(histogram, "repetitions");
    size_t n = json_array_size(reps), measured = 0, i;
    double *real = xcalloc(n ? n : 1, sizeof *real), *cpu = xcalloc(n ? n : 1, sizeof *cpu);
    json_t *rep;
    fam->repetitions = (json_int_t)n;
    json_array_foreach(reps, i, rep) {
        double mean;
        if (export_number(json_object_get(rep, "mean"), &mean)) {
            real[measured] = mean;
            cpu[measured++] = fam->cpu_share >= 0 ? fam->cpu_share * mean : mean;
        }
    }
    int aggregated = !fam->error && measured >= 2;
    /* Only aggregates: none of the repetitions where there are some, else the first. */
    size_t shown = !fam->aggregates_only ? n : aggregated ? 0 : 1;
    json_array_foreach(reps, i, rep) {
        double mean = 0;
        export_number(json_object_get(rep, "mean"), &mean);
        if (i < shown)
            add_repetition(out, fam, (json_int_t)i,
                           json_integer_value(json_object_get(rep, "iterations")), mean);
    }
    if (aggregated)
        add_aggregates(out, fam, real, cpu, measured);
    free(real);
    free(cpu);
}

static void add_point(json_t *out, const json_t *doc, const json_t *point, json_t *seen,
                      const struct gbench_options *o)
{
    const char *status = export_text(point, "status", "");
    struct family fam = {
        .threads = json_integer_value(json_object_get(point, "threads")),
        .error = strcmp(status, "ok") == 0 ? NULL : export_text(point, "error", status),
        .label = export_text(point, "label", ""),
        .aggregates_only = o->aggregates_only,
    };
    fam.threads = fam.threads > 0 ? fam.threads : 1;
    const char *experiment = export_text(point, "experiment", "");
    json_t *histograms = json_object_get(point, "histograms");
    const char *hname;
    json_t *h;
    json_object_foreach(histograms, hname, h) {
        /* Google Benchmark's times are times: a histogram of probes or bytes is not one. */
        if (strcmp(export_text(h, "unit", "ns"), "ns") != 0)
            continue;
        int is_iteration = strcmp(hname, "iteration") == 0;
        double mean = 0;
        export_number(json_object_get(h, "mean"), &mean);
        fam.name = benchmark_name(doc, point, hname);
        fam.unit = pick_unit(o->time_unit, mean);
        /* rusage measures the point, not each repetition: its share of the point's time
         * is spread over the repetitions in proportion to their time. */
        double cpu_ns = is_iteration ? cpu_per_iteration(point) : -1;
        fam.cpu_share = cpu_ns >= 0 && mean > 0 ? cpu_ns / mean : -1;
        fam.metrics = is_iteration ? json_object_get(point, "metrics") : NULL;
        number_family(seen, experiment, hname, &fam);
        add_histogram(out, &fam, h);
        free(fam.name);
    }
    if (json_object_size(histograms) > 0)
        return;
    /* Nothing measured (failed first, or skipped): Google Benchmark's entries for a
     * benchmark that skipped with an error, one per planned repetition, all zero. */
    json_int_t planned = json_integer_value(
        json_object_get(export_spec_experiment(doc, experiment), "repetitions"));
    fam.repetitions = planned > 0 ? planned : 1;
    fam.name = benchmark_name(doc, point, "iteration");
    fam.unit = pick_unit(o->time_unit, 0);
    fam.cpu_share = -1;
    fam.error = fam.error ? fam.error : "nothing measured";
    number_family(seen, experiment, "iteration", &fam);
    for (json_int_t k = 0; k < (fam.aggregates_only ? 1 : fam.repetitions); k++)
        add_repetition(out, &fam, k, 0, 0);
    free(fam.name);
}

void export_gbench(FILE *f, const json_t *doc, const struct gbench_options *o)
{
    json_t *benchmarks = json_array(), *seen = json_object();
    size_t i;
    json_t *point;
    json_array_foreach(json_object_get(doc, "points"), i, point)
        add_point(benchmarks, doc, point, seen, o);
    json_t *out = json_pack("{s:o, s:o}", "context", context(doc), "benchmarks", benchmarks);
    json_dumpf(out, f, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    fputc('\n', f);
    json_decref(out);
    json_decref(seen);
}
