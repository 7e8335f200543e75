/* run_hlog.c — a results document as an HdrHistogram interval log; see run_hlog.h. */
#include "results/run_hlog.h"
#include "hdr/hlog.h"
#include "util/files.h"
#include "util/mem.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* "#[Unit <point id>/<histogram> <unit>]" for each of a point's histograms of values that
 * are not times. */
static void write_units(FILE *f, const json_t *pt)
{
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
}

/*
 * The log is made point by point, but its header holds every point's unit and comment
 * lines before the first interval: each of the three parts goes to a temporary file of
 * its own until run_hlog_finish() puts them together.
 */
struct run_hlog {
    char *path, *version;
    double start_s, cursor;
    FILE *units, *comments, *intervals;
};

/* A temporary file beside `path` (not in /tmp, which may be memory), gone when closed. */
static FILE *part_beside(const char *path)
{
    char *tmp = xasprintf("%s.part-XXXXXX", path);
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w+") : NULL;
    if (fd >= 0) {
        unlink(tmp);
        if (!f)
            close(fd);
    }
    free(tmp);
    return f;
}

struct run_hlog *run_hlog_begin(const json_t *doc, const char *path, char *err, size_t errlen)
{
    struct run_hlog *h = xcalloc(1, sizeof *h);
    h->units = part_beside(path);
    h->comments = part_beside(path);
    h->intervals = part_beside(path);
    if (!h->units || !h->comments || !h->intervals) {
        snprintf(err, errlen, "%s: cannot write the interval log: %s", path, strerror(errno));
        h->path = NULL;
        run_hlog_abort(h);
        return NULL;
    }
    h->path = xstrdup(path);
    const char *version = json_string_value(json_object_get(json_object_get(doc, "bhost"),
                                                            "version"));
    h->version = xstrdup(version ? version : "?");
    h->start_s = run_start_s(doc);
    if (h->start_s < 0)
        h->start_s = 0;
    return h;
}

void run_hlog_point(struct run_hlog *h, const json_t *pt)
{
    write_units(h->units, pt);
    write_point_comments(h->comments, pt);
    write_point(h->intervals, pt, h->start_s, &h->cursor);
}

/* Appends what was written to `part` to `to`. */
static int append_part(FILE *to, FILE *part)
{
    char buf[65536];
    size_t n;
    if (fflush(part) != 0 || fseek(part, 0, SEEK_SET) != 0)
        return -1;
    while ((n = fread(buf, 1, sizeof buf, part)) > 0)
        if (fwrite(buf, 1, n, to) != n)
            return -1;
    return ferror(part) ? -1 : 0;
}

void run_hlog_abort(struct run_hlog *h)
{
    FILE *parts[] = {h->units, h->comments, h->intervals};
    for (size_t i = 0; i < 3; i++)
        if (parts[i])
            fclose(parts[i]);
    free(h->path);
    free(h->version);
    free(h);
}

int run_hlog_finish(struct run_hlog *h, char *err, size_t errlen)
{
    char *tmp = xasprintf("%s.tmp.%ld", h->path, (long)getpid());
    FILE *f = fopen(tmp, "we");
    int rc = f ? 0 : -1;
    if (f) {
        char *who = xasprintf("[Logged with bhost %s]", h->version);
        hlog_write_header(f, who, h->start_s);
        free(who);
        hlog_write_comment(f, "[One interval per point, histogram and repetition: "
                              "Tag=<point id>/<histogram>/<repetition>]");
        hlog_write_comment(f, "[Values in ns unless a Unit line says otherwise; a Point line "
                              "gives a point's label]");
        rc |= append_part(f, h->units);
        rc |= append_part(f, h->comments);
        hlog_write_legend(f);
        rc |= append_part(f, h->intervals);
        if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0)
            rc = -1;
        int saved = errno;
        if (fclose(f) != 0)
            rc = -1;
        else
            errno = saved;
    }
    if (rc == 0 && rename(tmp, h->path) != 0)
        rc = -1;
    if (rc != 0) {
        snprintf(err, errlen, "%s: cannot write the interval log: %s", h->path,
                 strerror(errno ? errno : EIO));
        unlink(tmp);
    }
    free(tmp);
    run_hlog_abort(h);
    return rc;
}

int run_hlog_write(const json_t *doc, const char *path, char *err, size_t errlen)
{
    struct run_hlog *h = run_hlog_begin(doc, path, err, errlen);
    if (!h)
        return -1;
    size_t i;
    json_t *pt;
    json_array_foreach(json_object_get(doc, "points"), i, pt)
        run_hlog_point(h, pt);
    return run_hlog_finish(h, err, errlen);
}

int run_hlog_write_points(const json_t *head, struct point_source *src, const char *path,
                          char *err, size_t errlen)
{
    struct run_hlog *h = run_hlog_begin(head, path, err, errlen);
    if (!h)
        return -1;
    for (size_t i = 0; i < src->n; i++) {
        json_t *pt = point_source_get(src, i);
        if (pt)
            run_hlog_point(h, pt);
        json_decref(pt);
    }
    if (src->failed) {
        run_hlog_abort(h);
        snprintf(err, errlen, "%s: a point could not be read back from the journal", path);
        return -1;
    }
    return run_hlog_finish(h, err, errlen);
}
