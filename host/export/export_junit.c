/* export_junit.c — see export_junit.h; docs/export.md gives every element and attribute. */
#include "export/export_junit.h"
#include "export/export_common.h"
#include "util/escape.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/* How many test cases a suite has, and how they ended. */
struct tally {
    long long tests, failures, errors, skipped;
    double time;
};

static void print_number(FILE *f, const json_t *v)
{
    if (!export_print_number(f, v))
        fputs("none", f);
}

/* ` name="value"`, the value escaped for an attribute. */
static void attribute(FILE *f, const char *name, const char *value)
{
    fprintf(f, " %s=\"", name);
    escape_xml_attr(f, value);
    fputc('"', f);
}

/* The counts and time attributes every suite element carries (time: xs:decimal, no
 * exponent, as the JUnit schema types it). */
static void tally_attributes(FILE *f, const struct tally *t)
{
    fprintf(f, " tests=\"%lld\" failures=\"%lld\" errors=\"%lld\" skipped=\"%lld\" time=\"%.6f\"",
            t->tests, t->failures, t->errors, t->skipped, t->time);
}

static int has_status(const json_t *point, const char *status)
{
    return strcmp(export_text(point, "status", ""), status) == 0;
}

static struct tally points_tally(const json_t *points)
{
    struct tally t = {0};
    size_t i;
    json_t *point;
    json_array_foreach(points, i, point) {
        double wall;
        t.tests++;
        t.failures += has_status(point, "failed") || has_status(point, "partial");
        t.skipped += has_status(point, "skipped");
        if (export_number(json_object_get(point, "wall_s"), &wall))
            t.time += wall;
    }
    return t;
}

static struct tally gates_tally(const json_t *gates)
{
    struct tally t = {0};
    size_t i;
    json_t *g;
    json_array_foreach(gates, i, g) {
        const char *state = export_text(g, "state", "");
        t.tests++;
        t.failures += strcmp(state, "missed") == 0;
        t.errors += strcmp(state, "inconclusive") == 0;
        t.skipped += strcmp(state, "not judged") == 0;
    }
    return t;
}

static void property(FILE *f, const char *name, const char *value)
{
    if (!value)
        return;
    fputs("      <property", f);
    attribute(f, "name", name);
    attribute(f, "value", value);
    fputs("/>\n", f);
}

static void properties(FILE *f, const json_t *doc)
{
    const json_t *run = json_object_get(doc, "run"), *spec = json_object_get(doc, "spec");
    const json_t *env = json_object_get(doc, "environment");
    fputs("    <properties>\n", f);
    property(f, "bhost.version", export_text(json_object_get(doc, "bhost"), "version", NULL));
    property(f, "spec.name", export_text(spec, "name", NULL));
    property(f, "spec.file", export_text(spec, "file", NULL));
    property(f, "run.dir", export_text(run, "dir", NULL));
    property(f, "run.status", export_text(run, "status", NULL));
    property(f, "run.started_utc", export_text(run, "started_utc", NULL));
    property(f, "environment.hostname", export_text(env, "hostname", NULL));
    property(f, "git.commit", export_text(json_object_get(env, "git"), "commit", NULL));
    fputs("    </properties>\n", f);
}

/* One histogram's figures on a line of the point's system-out. */
static void histogram_line(FILE *f, const char *name, const json_t *h)
{
    static const char *const figures[] = {"count", "min",   "mean", "stddev",
                                          "p50",   "p90",   "p99",  "p99_9", "max"};
    fputs("histogram ", f);
    escape_xml(f, name);
    fputs(" (", f);
    escape_xml(f, export_text(h, "unit", "ns"));
    fputs("):", f);
    for (size_t k = 0; k < sizeof figures / sizeof *figures; k++) {
        fprintf(f, "%s %s ", k ? "," : "", figures[k]);
        print_number(f, json_object_get(h, figures[k]));
    }
    if (json_is_number(json_object_get(h, "throughput_per_s"))) {
        fputs("; throughput ", f);
        print_number(f, json_object_get(h, "throughput_per_s"));
        fputs("/s", f);
    }
    fputc('\n', f);
}

/* What the point measured, for people: its figures, failed iterations and metrics. */
static void point_out(FILE *f, const json_t *point)
{
    fputs("      <system-out>id ", f);
    escape_xml(f, export_text(point, "id", ""));
    fputs(", status ", f);
    escape_xml(f, export_text(point, "status", ""));
    fputs(", repetitions ", f);
    print_number(f, json_object_get(point, "repetitions"));
    fputc('\n', f);
    const char *name;
    json_t *v;
    json_object_foreach(json_object_get(point, "histograms"), name, v)
        histogram_line(f, name, v);
    const json_t *failures = json_object_get(point, "failures");
    fputs("failed iterations: ", f);
    print_number(f, json_object_get(failures, "count"));
    fputc('\n', f);
    size_t i;
    json_array_foreach(json_object_get(failures, "reasons"), i, v) {
        fputs("  ", f);
        escape_xml(f, export_text(v, "reason", ""));
        fputs(": ", f);
        print_number(f, json_object_get(v, "count"));
        fputc('\n', f);
    }
    json_object_foreach(json_object_get(point, "metrics"), name, v) {
        fputs("metric ", f);
        escape_xml(f, name);
        fputs(": ", f);
        if (json_is_null(json_object_get(v, "value")))
            escape_xml(f, export_text(v, "reason", "none"));
        else
            print_number(f, json_object_get(v, "value"));
        fputc('\n', f);
    }
    fputs("</system-out>\n", f);
}

static void point_case(FILE *f, const json_t *point)
{
    const char *error = export_text(point, "error", NULL);
    double wall = 0;
    export_number(json_object_get(point, "wall_s"), &wall);
    fputs("    <testcase", f);
    attribute(f, "name", export_text(point, "label", ""));
    attribute(f, "classname", export_text(point, "experiment", ""));
    fprintf(f, " time=\"%.6f\">\n", wall);
    if (has_status(point, "failed") || has_status(point, "partial")) {
        const char *status = export_text(point, "status", "");
        fputs("      <failure", f);
        attribute(f, "message", error ? error : status);
        attribute(f, "type", status);
        fputs(">", f);
        escape_xml(f, error ? error : status);
        const json_t *partial = json_object_get(point, "partial");
        if (json_is_object(partial)) {
            fputs("\nkept ", f);
            print_number(f, json_object_get(partial, "repetitions_kept"));
            fputs(" of ", f);
            print_number(f, json_object_get(partial, "repetitions_planned"));
            fputs(" repetitions; ", f);
            print_number(f, json_object_get(partial, "iterations_cut_short"));
            fputs(" measured iterations cut short", f);
        }
        fputs("</failure>\n", f);
    } else if (has_status(point, "skipped")) {
        fputs("      <skipped", f);
        attribute(f, "message", error ? error : "skipped");
        fputs("/>\n", f);
    }
    point_out(f, point);
    const char *tail = export_text(point, "stderr_tail", NULL);
    if (tail) {
        fputs("      <system-err>", f);
        escape_xml(f, tail);
        fputs("</system-err>\n", f);
    }
    fputs("    </testcase>\n", f);
}

/* The gate's outcome in words: its text, where it is written, the point, value and why. */
static void gate_text(FILE *f, const json_t *g)
{
    fputs("gate: ", f);
    escape_xml(f, export_text(g, "gate", ""));
    fputs("\nwhere: ", f);
    escape_xml(f, export_text(g, "where", ""));
    fputs("\npoint: ", f);
    const char *label = export_text(g, "label", NULL);
    if (label) {
        escape_xml(f, label);
        fputs(" (", f);
        escape_xml(f, export_text(g, "point", ""));
        fputs(")", f);
    } else {
        fputs("the run", f);
    }
    fputs("\nstate: ", f);
    escape_xml(f, export_text(g, "state", ""));
    fputs("\nvalue: ", f);
    print_number(f, json_object_get(g, "value"));
    fputs("\nwhy: ", f);
    escape_xml(f, export_text(g, "why", ""));
}

static void gate_case(FILE *f, const json_t *g)
{
    const char *state = export_text(g, "state", ""), *label = export_text(g, "label", NULL);
    const char *why = export_text(g, "why", "");
    char *name = label ? xasprintf("%s at %s", export_text(g, "gate", ""), label)
                       : xstrdup(export_text(g, "gate", ""));
    fputs("    <testcase", f);
    attribute(f, "name", name);
    fputs(" classname=\"gates\" time=\"0.000000\">\n", f);
    free(name);
    const char *element = strcmp(state, "missed") == 0         ? "failure"
                          : strcmp(state, "inconclusive") == 0 ? "error"
                                                               : NULL;
    if (element) {
        fprintf(f, "      <%s", element);
        attribute(f, "message", why);
        attribute(f, "type", state);
        fputs(">", f);
        gate_text(f, g);
        fprintf(f, "</%s>\n", element);
    } else {
        if (strcmp(state, "not judged") == 0) {
            fputs("      <skipped", f);
            attribute(f, "message", why);
            fputs("/>\n", f);
        }
        fputs("      <system-out>", f);
        gate_text(f, g);
        fputs("</system-out>\n", f);
    }
    fputs("    </testcase>\n", f);
}

void export_junit(FILE *f, const json_t *doc)
{
    const json_t *run = json_object_get(doc, "run");
    const json_t *points = json_object_get(doc, "points"), *gates = json_object_get(doc, "gates");
    const char *spec = export_text(json_object_get(doc, "spec"), "name", "");
    /* The run's start, in the schema's form: no zone (it is UTC). */
    char timestamp[32];
    snprintf(timestamp, sizeof timestamp, "%.19s", export_text(run, "started_utc", ""));
    struct tally p = points_tally(points), g = gates_tally(gates), all = {0};
    all.tests = p.tests + g.tests;
    all.failures = p.failures + g.failures;
    all.errors = p.errors + g.errors;
    all.skipped = p.skipped + g.skipped;
    export_number(json_object_get(run, "wall_s"), &all.time);

    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", f);
    attribute(f, "name", spec);
    tally_attributes(f, &all);
    fputs(">\n  <testsuite", f);
    attribute(f, "name", spec);
    tally_attributes(f, &p);
    attribute(f, "timestamp", timestamp);
    attribute(f, "hostname", export_text(json_object_get(doc, "environment"), "hostname", ""));
    fputs(">\n", f);
    properties(f, doc);
    size_t i;
    json_t *v;
    json_array_foreach(points, i, v)
        point_case(f, v);
    fputs("  </testsuite>\n", f);
    if (json_is_array(gates)) {
        fputs("  <testsuite name=\"gates\"", f);
        tally_attributes(f, &g);
        attribute(f, "timestamp", timestamp);
        fputs(">\n", f);
        json_array_foreach(gates, i, v)
            gate_case(f, v);
        fputs("  </testsuite>\n", f);
    }
    fputs("</testsuites>\n", f);
}
