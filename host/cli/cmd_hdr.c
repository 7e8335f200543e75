/* cmd_hdr.c — `bhost hdr`; see cmd_hdr.h and docs/cli.md. */
#include "cli/cmd_hdr.h"
#include "cli/options.h"
#include "hdr/hdr_text.h"
#include "hdr/hlog.h"
#include "results/results_read.h"
#include "util/files.h"
#include "util/mem.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char hdr_usage[] =
    "usage: bhost hdr FILE.hlog [--tag TAG] [options]\n"
    "       bhost hdr RESULTS.json --point ID|LABEL [--histogram NAME] [--repetition N]\n"
    "                 [options]\n"
    "\n"
    "Prints a percentile distribution in HdrHistogram's text layout. FILE - reads\n"
    "standard input; a run directory stands for its results.json.\n"
    "\n"
    "  --tag TAG          log: merge the intervals tagged TAG or TAG/...; without it,\n"
    "                     one distribution per tag\n"
    "  --point P          results: the point with id or label P\n"
    "  --histogram NAME   results: which of its histograms (default iteration)\n"
    "  --repetition N     results: only repetition N (from 1; default all, merged)\n"
    "  --unit-ratio R     divide values by R (default 1: ns; 1e6 shows ms); a\n"
    "                     histogram of other values than times says its unit first\n"
    "  --ticks N          percentile ticks per half distance to 100% (default 5)\n"
    "  --summary          one line per histogram: count, min, max, mean, p50, p90,\n"
    "                     p99, p99.9 (in ns, or in the unit it names)\n";

struct hdr_options {
    const char *file, *tag, *point, *histogram;
    long repetition;          /* 0: all */
    double unit_ratio;
    int ticks, summary;
};

__attribute__((format(printf, 1, 2)))
static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = cli_vfail("hdr", NULL, fmt, ap);
    va_end(ap);
    return rc;
}

static int parse_options(int argc, char **argv, struct hdr_options *o)
{
    *o = (struct hdr_options){.unit_ratio = 1.0, .ticks = HDR_TEXT_TICKS_PER_HALF};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int missing = 0;
        char *end;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(hdr_usage, stdout);
            return -1;
        } else if (strcmp(a, "--summary") == 0) {
            o->summary = 1;
        } else if ((v = cli_option_value(argc, argv, &i, "--tag", &missing))) {
            if (!hlog_tag_ok(v))
                return fail("--tag needs a tag without commas or whitespace, got '%s'", v);
            o->tag = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--point", &missing))) {
            o->point = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--histogram", &missing))) {
            o->histogram = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--repetition", &missing))) {
            errno = 0;
            o->repetition = strtol(v, &end, 10);
            if (*v < '1' || *v > '9' || *end || errno || o->repetition < 1)
                return fail("--repetition needs a repetition number from 1, got '%s'", v);
        } else if ((v = cli_option_value(argc, argv, &i, "--unit-ratio", &missing))) {
            o->unit_ratio = strtod(v, &end);
            if (end == v || *end || !isfinite(o->unit_ratio) || !(o->unit_ratio > 0))
                return fail("--unit-ratio needs a positive number, got '%s'", v);
        } else if ((v = cli_option_value(argc, argv, &i, "--ticks", &missing))) {
            long t = strtol(v, &end, 10);
            if (end == v || *end || t < 1 || t > 1000)
                return fail("--ticks needs a number from 1 to 1000, got '%s'", v);
            o->ticks = (int)t;
        } else if (missing) {
            return fail("%s needs a value", a);
        } else if (a[0] == '-' && a[1]) {
            return fail("unknown option '%s' (see bhost hdr --help)", a);
        } else if (!o->file) {
            o->file = a;
        } else {
            return fail("unexpected argument '%s': give one file", a);
        }
    }
    if (!o->file)
        return fail("needs a file: an interval log (.hlog) or a results.json (see bhost hdr "
                    "--help)");
    return 0;
}

static void print_summary_figures(const struct hdr *h)
{
    struct hdr_summary s;
    hdr_summarize(h, &s);
    printf(" count=%lld min=%lld max=%lld mean=%.17g p50=%lld p90=%lld p99=%lld p99.9=%lld\n",
           (long long)s.count, (long long)s.min, (long long)s.max, s.mean, (long long)s.p50,
           (long long)s.p90, (long long)s.p99, (long long)s.p999);
}

/* --- interval logs ------------------------------------------------------------ */

/* The intervals of one tag (or of everything under --tag), merged. */
struct tag_group {
    char *tag;        /* NULL: untagged lines */
    size_t intervals;
    struct hdr merged;
};

struct group_list {
    struct tag_group *v;
    size_t n, cap;
};

static int same_tag(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* TAG itself or a tag below it (TAG/...). */
static int tag_selected(const char *tag, const char *want)
{
    size_t n = strlen(want);
    return tag && strncmp(tag, want, n) == 0 && (tag[n] == '\0' || tag[n] == '/');
}

/*
 * Adds h into g->merged as HistogramLogProcessor accumulates a tag: into
 * the first interval's layout, grown (auto-resize) to the max of any later
 * interval that would not fit; values of another layout are re-recorded at
 * their buckets' lowest values. 0; -1 out of memory; -2 the counts would
 * exceed int64.
 */
static int merge_into(struct tag_group *g, const struct hdr *h)
{
    if (g->intervals == 0) {
        if (hdr_init(&g->merged, h->lowest_discernible, h->highest_trackable, h->sig_figs) != 0)
            return -1;
    } else {
        const struct hdr *m = &g->merged;
        int64_t fits = hdr_highest_equivalent(m, hdr_value_at_index(m, m->counts_len - 1));
        int64_t need = hdr_max_value(h); /* Java's getMaxValue() of the interval */
        if (need > fits) {
            struct hdr wider;
            int64_t floor = 2 * m->lowest_discernible;
            if (hdr_init(&wider, m->lowest_discernible, need > floor ? need : floor,
                         m->sig_figs) != 0)
                return -1;
            if (hdr_add(&wider, m) != 0) { /* cannot happen: the same counts, more room */
                hdr_fini(&wider);
                return -1;
            }
            hdr_fini(&g->merged);
            g->merged = wider;
        }
    }
    if (hdr_add(&g->merged, h) != 0)
        return -2;
    g->intervals++;
    return 0;
}

static struct tag_group *group_for(struct group_list *l, const char *tag)
{
    for (size_t i = 0; i < l->n; i++)
        if (same_tag(l->v[i].tag, tag))
            return &l->v[i];
    grow(&l->v, &l->cap, l->n, sizeof *l->v);
    l->v[l->n] = (struct tag_group){.tag = tag ? xstrdup(tag) : NULL};
    return &l->v[l->n++];
}

static void free_groups(struct group_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].tag);
        if (l->v[i].intervals)
            hdr_fini(&l->v[i].merged);
    }
    free(l->v);
}

/* Every interval of the log into groups: one per tag, or one for --tag. */
static int read_groups(const char *text, size_t len, const char *name,
                       const struct hdr_options *o, struct group_list *groups,
                       struct group_list *seen)
{
    struct hlog_reader r;
    hlog_reader_init_text(&r, text, len, name);
    struct hlog_interval iv;
    char err[512];
    int rc;
    while ((rc = hlog_read_interval(&r, &iv, err, sizeof err)) == 1) {
        if (seen->n < 12 && iv.tag)
            group_for(seen, iv.tag);
        int take = !o->tag || tag_selected(iv.tag, o->tag);
        int merged = take ? merge_into(group_for(groups, o->tag ? o->tag : iv.tag), &iv.hist) : 0;
        if (merged != 0) {
            snprintf(err, sizeof err, "%s:%ld: %s", name, iv.line,
                     merged == -2 ? "the tag's counts exceed 2^63-1" : "out of memory");
            rc = -1;
        }
        hlog_interval_fini(&iv);
        if (rc < 0)
            break;
    }
    hlog_reader_fini(&r);
    if (rc < 0)
        fail("%s", err);
    return rc;
}

/*
 * The unit a bhost run.hlog gives the tag's values ("#[Unit <id>/<histogram> <unit>]" for
 * values that are not times), in unit (up to n bytes); "" if it gives none (ns).
 */
static void unit_of_tag(const char *text, size_t len, const char *tag, char *unit, size_t n)
{
    unit[0] = '\0';
    size_t pos = 0;
    char *comment;
    while (tag && !*unit && hlog_next_comment(text, len, &pos, &comment)) {
        size_t clen = strlen(comment);
        char *space = strrchr(comment, ' ');
        if (strncmp(comment, "[Unit ", 6) == 0 && clen > 8 && comment[clen - 1] == ']' &&
            space && space > comment + 6) {
            size_t plen = (size_t)(space - comment) - 6;
            comment[clen - 1] = '\0';
            if (strncmp(tag, comment + 6, plen) == 0 && tag[plen] == '/')
                snprintf(unit, n, "%s", space + 1);
        }
        free(comment);
    }
}

/*
 * The Max HistogramLogProcessor prints for a tag: its accumulated histogram's
 * getMaxValue(). Adding an interval of the same layout raises its max to at
 * least the top of bucket 0, 2^unit_magnitude - 1, even when the interval is
 * empty, and the first interval is always of that layout; so that is the
 * least Max it prints, where the counts alone would say 0.
 */
static int64_t merged_max(const struct hdr *merged)
{
    int64_t max = hdr_max_value(merged), floor = hdr_highest_equivalent(merged, 0);
    return max > floor ? max : floor;
}

static void print_group(const struct tag_group *g, const struct hdr_options *o, int headed,
                        const char *unit)
{
    if (o->summary) {
        printf("tag=%s intervals=%zu", g->tag ? g->tag : "-", g->intervals);
        if (*unit)
            printf(" unit=%s", unit);
        print_summary_figures(&g->merged);
        return;
    }
    if (headed) {
        if (g->tag)
            printf("#[Tag: %s, intervals: %zu]\n", g->tag, g->intervals);
        else
            printf("#[Untagged, intervals: %zu]\n", g->intervals);
    }
    if (*unit)
        printf("#[Unit: %s]\n", unit);
    hdr_text_percentiles_max(stdout, &g->merged, o->ticks, o->unit_ratio, merged_max(&g->merged));
}

static int hdr_of_log(const char *text, size_t len, const char *name,
                      const struct hdr_options *o)
{
    if (o->point || o->histogram || o->repetition)
        return fail("%s is an interval log: --point, --histogram and --repetition are for "
                    "results files; select intervals with --tag", name);
    struct group_list groups = {0}, seen = {0};
    int rc = read_groups(text, len, name, o, &groups, &seen);
    if (rc == 0 && groups.n == 0) {
        char names[512] = "";
        for (size_t i = 0; i < seen.n && i < 10; i++) {
            size_t used = strlen(names);
            snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", seen.v[i].tag);
        }
        if (o->tag)
            fail("%s: no interval is tagged '%s' or '%s/...'%s%s%s", name, o->tag, o->tag,
                 seen.n ? " (tags: " : "", names, seen.n ? (seen.n > 10 ? ", ...)" : ")") : "");
        else
            fail("%s: holds no interval lines", name);
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < groups.n; i++) {
        if (i && !o->summary)
            putchar('\n');
        char unit[64];
        unit_of_tag(text, len, groups.v[i].tag, unit, sizeof unit);
        print_group(&groups.v[i], o, !o->tag, unit);
    }
    free_groups(&groups);
    free_groups(&seen);
    return rc == 0 ? EXIT_OK : EXIT_USAGE;
}

/* --- results files ------------------------------------------------------------ */

/* The point with id `want`, else the one with that label; NULL after saying why. */
static json_t *find_point(const struct results_file *rf, const char *want)
{
    json_t *found = json_object_get(rf->by_id, want);
    if (found)
        return found;
    size_t i, matches = 0;
    json_t *pt;
    json_array_foreach(rf->points, i, pt) {
        if (same_tag(json_string_value(json_object_get(pt, "label")), want)) {
            found = found ? found : pt;
            matches++;
        }
    }
    if (matches > 1) {
        fail("%s: %zu points have the label '%s'; give the id", rf->path, matches, want);
        return NULL;
    }
    if (!found) {
        fprintf(stderr, "bhost hdr: %s: no point has the id or label '%s'; the points are:\n",
                rf->path, want);
        json_array_foreach(rf->points, i, pt) {
            const char *label = json_string_value(json_object_get(pt, "label"));
            fprintf(stderr, "  %s  %s\n", json_string_value(json_object_get(pt, "id")),
                    label ? label : "");
        }
    }
    return found;
}

/* The histogram object the options name, or NULL after saying why. */
static json_t *find_histogram(json_t *pt, const struct hdr_options *o, const char *file,
                              const char **name)
{
    *name = o->histogram ? o->histogram : "iteration";
    json_t *hists = json_object_get(pt, "histograms");
    json_t *h = json_object_get(hists, *name);
    const char *id = json_string_value(json_object_get(pt, "id"));
    if (!h) {
        char names[512] = "";
        const char *key;
        json_t *v;
        json_object_foreach(hists, key, v) {
            size_t used = strlen(names);
            snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "", key);
        }
        fail("%s: point %s has no histogram '%s' (it has: %s)", file, id, *name,
             *names ? names : "none");
        return NULL;
    }
    if (!o->repetition)
        return h;
    json_t *reps = json_object_get(h, "repetitions");
    if ((size_t)o->repetition > json_array_size(reps)) {
        fail("%s: point %s has %zu repetitions, not %ld", file, id, json_array_size(reps),
             o->repetition);
        return NULL;
    }
    return json_array_get(reps, (size_t)o->repetition - 1);
}

static int hdr_of_results(const char *text, size_t len, const char *name,
                          const struct hdr_options *o)
{
    if (o->tag)
        return fail("%s is a results file: select a histogram with --point (--tag is for "
                    "interval logs)", name);
    if (!o->point)
        return fail("%s is a results file: name a point with --point ID|LABEL", name);
    struct results_file rf;
    char err[1024];
    /* Checks every point's shape, so what follows may rely on it. */
    if (results_parse(text, len, name, &rf, err, sizeof err) != 0)
        return fail("%s", err);
    int rc = EXIT_USAGE;
    json_t *pt, *h;
    const char *hname;
    struct hdr hist;
    if ((pt = find_point(&rf, o->point)) && (h = find_histogram(pt, o, name, &hname))) {
        const char *id = json_string_value(json_object_get(pt, "id"));
        if (results_hdr(h, &hist) != 0) {
            fail("%s: point %s, histogram %s: its \"hdr\" is missing or not a V2 compressed "
                 "histogram", name, id, hname);
        } else {
            const char *unit = json_string_value(json_object_get(h, "unit"));
            int time = !unit || strcmp(unit, "ns") == 0;
            if (o->summary) {
                printf("point=%s histogram=%s repetition=", id, hname);
                if (o->repetition)
                    printf("%ld", o->repetition);
                else
                    printf("all");
                if (!time)
                    printf(" unit=%s", unit);
                print_summary_figures(&hist);
            } else {
                if (!time)
                    printf("#[Unit: %s]\n", unit);
                hdr_text_percentiles(stdout, &hist, o->ticks, o->unit_ratio);
            }
            hdr_fini(&hist);
            rc = EXIT_OK;
        }
    }
    results_file_free(&rf);
    return rc;
}

/* --- input -------------------------------------------------------------------- */

/* All of standard input, NUL-terminated, malloc'd; NULL with errno. */
static char *read_stdin(size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = xmalloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, stdin)) > 0) {
        n += got;
        if (cap - n < 2)
            buf = xrealloc(buf, cap *= 2);
    }
    if (ferror(stdin)) {
        free(buf);
        errno = EIO;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* A results file is JSON, so it starts with '{'; anything else is read as a log. */
static int looks_like_json(const char *text)
{
    text += strspn(text, " \t\r\n");
    return *text == '{';
}

int hdr_command(struct cli_options *cli, int argc, char **argv)
{
    (void)cli;
    struct hdr_options o;
    int rc = parse_options(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? EXIT_OK : rc;
    /* Read once, whole: a pipe cannot be rewound after the sniff. */
    int from_stdin = strcmp(o.file, "-") == 0;
    /* A run directory, as merge takes: its results.json, which has every histogram. */
    struct stat st;
    char *in_dir = !from_stdin && stat(o.file, &st) == 0 && S_ISDIR(st.st_mode)
                       ? xasprintf("%s/results.json", o.file)
                       : NULL;
    const char *name = from_stdin ? "stdin" : in_dir ? in_dir : o.file;
    size_t len = 0;
    char *text = from_stdin ? read_stdin(&len) : read_file(name, &len);
    if (!text) {
        rc = fail("%s: %s", name, strerror(errno));
        free(in_dir);
        return rc;
    }
    if (looks_like_json(text))
        rc = hdr_of_results(text, len, name, &o);
    else
        rc = hdr_of_log(text, len, name, &o);
    free(text);
    free(in_dir);
    if (fflush(stdout) != 0 && rc == EXIT_OK) {
        fprintf(stderr, "bhost hdr: cannot write the output: %s\n", strerror(errno));
        rc = EXIT_INTERNAL;
    }
    return rc;
}
