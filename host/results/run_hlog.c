/* run_hlog.c — a results document as an HdrHistogram interval log; see run_hlog.h. */
#include "results/run_hlog.h"
#include "hdr/hlog.h"
#include "util/files.h"
#include "util/mem.h"

#include <errno.h>
#include <unistd.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int tag_byte_ok(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
}

static void put_escaped(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (tag_byte_ok(*p))
            fputc(*p, f);
        else
            fprintf(f, "%%%02X", *p);
    }
}

char *run_hlog_tag(const char *point_id, const char *histogram, size_t repetition)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        fprintf(stderr, "bhost: out of memory\n");
        exit(3);
    }
    put_escaped(f, point_id);
    fputc('/', f);
    put_escaped(f, histogram);
    fprintf(f, "/%zu", repetition);
    fclose(f);
    return text;
}

/* run.started_utc ("2026-11-22T08:45:16Z") in seconds since the epoch, or -1. */
static double run_start_s(const json_t *doc)
{
    const char *utc = json_string_value(json_object_get(json_object_get(doc, "run"),
                                                        "started_utc"));
    struct tm tm = {0};
    char z = 0;
    if (!utc || sscanf(utc, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                       &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z) != 7 || z != 'Z')
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    return t == (time_t)-1 ? -1 : (double)t;
}

static double number_or(const json_t *v, double fallback)
{
    return json_is_number(v) ? json_number_value(v) : fallback;
}

/* A time or max for an interval line: HdrHistogram_c reads only digits and a
 * point there, so never a sign (nor a number that is not finite). */
static double plain_number(const json_t *v)
{
    double d = number_or(v, 0);
    return isfinite(d) && d > 0 ? d : 0;
}

/* Point labels are free text: one line, printable. */
static char *one_line(const char *s)
{
    char *copy = xstrdup(s ? s : "");
    for (char *p = copy; *p; p++)
        if ((unsigned char)*p < ' ' || *p == 0x7f)
            *p = '?';
    return copy;
}

static size_t repetitions_of(json_t *hists)
{
    size_t reps = 0;
    const char *name;
    json_t *h;
    json_object_foreach(hists, name, h) {
        size_t n = json_array_size(json_object_get(h, "repetitions"));
        reps = n > reps ? n : reps;
    }
    return reps;
}

/* The repetition's encoded histogram, or NULL when it has none (it is left out). */
static const char *rep_hdr(const json_t *rep)
{
    return json_string_value(json_object_get(rep, "hdr"));
}

/*
 * A point's header comments: "#[Point <id>: <label>]", and one line for each
 * repetition the results hold no histogram for. In the header, because
 * HdrHistogram_c's reader takes every line after the legend for an interval.
 */
static void write_point_comments(FILE *f, const json_t *pt)
{
    const char *id = json_string_value(json_object_get(pt, "id"));
    char *label = one_line(json_string_value(json_object_get(pt, "label")));
    char *comment = xasprintf("[Point %s: %s]", id ? id : "?", label);
    hlog_write_comment(f, comment);
    free(comment);
    free(label);
    json_t *hists = json_object_get(pt, "histograms");
    size_t reps = repetitions_of(hists);
    for (size_t r = 0; r < reps && id; r++) {
        const char *name;
        json_t *h;
        json_object_foreach(hists, name, h) {
            const json_t *rep = json_array_get(json_object_get(h, "repetitions"), r);
            if (!rep || rep_hdr(rep))
                continue;
            char *tag = run_hlog_tag(id, name, r + 1);
            char *why = xasprintf("[Left out: %s, the results hold no histogram for it]", tag);
            hlog_write_comment(f, why);
            free(why);
            free(tag);
        }
    }
}

/*
 * Repetition `r` of every histogram of a point. `cursor` is where the
 * previous interval ended: a repetition without a recorded start (results
 * written before bhost recorded one) is placed there.
 */
static void write_repetition(FILE *f, const char *id, json_t *hists, size_t r,
                             double start_s, double *cursor)
{
    const char *name;
    json_t *h;
    json_object_foreach(hists, name, h) {
        const json_t *rep = json_array_get(json_object_get(h, "repetitions"), r);
        if (!rep || !rep_hdr(rep))
            continue;
        char *tag = run_hlog_tag(id, name, r + 1);
        double started = number_or(json_object_get(rep, "started_unix_s"), -1);
        double at = isfinite(started) && started >= start_s ? started - start_s : *cursor;
        double length = plain_number(json_object_get(rep, "wall_s"));
        double max_ns = plain_number(json_object_get(rep, "max"));
        /* Cannot fail: the tag is escaped and every number finite. */
        (void)hlog_write_encoded(f, tag, at, length, max_ns / HLOG_MAX_VALUE_UNIT_RATIO, rep_hdr(rep));
        if (at + length > *cursor)
            *cursor = at + length;
        free(tag);
    }
}

static void write_point(FILE *f, const json_t *pt, double start_s, double *cursor)
{
    const char *id = json_string_value(json_object_get(pt, "id"));
    json_t *hists = json_object_get(pt, "histograms");
    size_t reps = repetitions_of(hists);
    for (size_t r = 0; r < reps && id; r++)
        write_repetition(f, id, hists, r, start_s, cursor);
}

/* "#[Unit <point id>/<histogram> <unit>]" for each histogram of values that are not times. */
static void write_units(FILE *f, struct point_source *src)
{
    for (size_t i = 0; i < src->n; i++) {
        json_t *pt = point_source_get(src, i);
        const char *id = json_string_value(json_object_get(pt, "id"));
        const char *name;
        json_t *h;
        json_object_foreach(json_object_get(pt, "histograms"), name, h) {
            const char *unit = json_string_value(json_object_get(h, "unit"));
            if (!id || !unit || strcmp(unit, "ns") == 0)
                continue;
            char *tag = run_hlog_tag(id, name, 1);
            *strrchr(tag, '/') = '\0'; /* the tag of every repetition starts so */
            char *line = xasprintf("[Unit %s %s]", tag, unit);
            hlog_write_comment(f, line);
            free(line);
            free(tag);
        }
        json_decref(pt);
    }
}

/* Everything before the intervals: who wrote it and how, the times, units
 * and points, and the legend. */
static void write_header(FILE *f, const json_t *doc, struct point_source *src, double start_s)
{
    const char *version = json_string_value(json_object_get(json_object_get(doc, "bhost"),
                                                            "version"));
    char *who = xasprintf("[Logged with bhost %s]", version ? version : "?");
    hlog_write_header(f, who, start_s);
    free(who);
    hlog_write_comment(f, "[One interval per point, histogram and repetition: "
                          "Tag=<point id>/<histogram>/<repetition>]");
    hlog_write_comment(f, "[Values in ns unless a Unit line says otherwise; a Point line "
                          "gives a point's label]");
    write_units(f, src);
    for (size_t i = 0; i < src->n; i++) {
        json_t *pt = point_source_get(src, i);
        if (pt)
            write_point_comments(f, pt);
        json_decref(pt);
    }
    hlog_write_legend(f);
}

int run_hlog_write(const json_t *doc, const char *path, char *err, size_t errlen)
{
    struct point_source src;
    point_source_of_array(&src, json_object_get(doc, "points"));
    return run_hlog_write_points(doc, &src, path, err, errlen);
}

/* Through a temporary file renamed into place: a large run's log is never all in memory. */
int run_hlog_write_points(const json_t *head, struct point_source *src, const char *path,
                          char *err, size_t errlen)
{
    char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "we");
    if (!f) {
        snprintf(err, errlen, "%s: cannot write the interval log: %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    double start_s = run_start_s(head);
    if (start_s < 0)
        start_s = 0;
    write_header(f, head, src, start_s);
    double cursor = 0;
    for (size_t i = 0; i < src->n; i++) {
        json_t *pt = point_source_get(src, i);
        if (pt)
            write_point(f, pt, start_s, &cursor);
        json_decref(pt);
    }
    int bad = ferror(f) || fflush(f) != 0 || fsync(fileno(f)) != 0;
    int saved = errno;
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        saved = errno;
    }
    if (!bad && src->failed) {
        bad = 1;
        saved = EIO; /* a point could not be read back from the journal */
    }
    if (!bad && rename(tmp, path) != 0) {
        bad = 1;
        saved = errno;
    }
    if (bad) {
        unlink(tmp);
        snprintf(err, errlen, "%s: cannot write the interval log: %s", path, strerror(saved));
    }
    free(tmp);
    return bad ? -1 : 0;
}
