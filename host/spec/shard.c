/* shard.c — see shard.h and docs/scale-out.md. */
#include "spec/shard.h"
#include "plugin/param.h"
#include "results/results_read.h"
#include "util/files.h"
#include "util/hash.h"
#include "util/mem.h"
#include "util/text.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A decimal number of `len` digits, no sign and no spaces: 0, or -1. */
static int parse_number(const char *s, size_t len, uint64_t *v)
{
    if (len == 0 || len > 18)
        return -1;
    *v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        *v = *v * 10 + (uint64_t)(s[i] - '0');
    }
    return 0;
}

/* "I/N" into *i and *n: 0, or -1 when it is not two numbers around a slash. */
static int parse_pair(const char *s, uint64_t *i, uint64_t *n)
{
    const char *slash = strchr(s, '/');
    return slash && parse_number(s, (size_t)(slash - s), i) == 0 &&
                   parse_number(slash + 1, strlen(slash + 1), n) == 0
               ? 0 : -1;
}

/* Shard i of n, where `from` says where they came from: in sh, or -1 with a message. */
static int set_shard(struct shard *sh, uint64_t i, uint64_t n, const char *from, char *err,
                     size_t errlen)
{
    if (n < 1 || n > SHARD_MAX_COUNT)
        snprintf(err, errlen, "%s: the number of shards must be 1 to %d, not %llu", from,
                 SHARD_MAX_COUNT, (unsigned long long)n);
    else if (i < 1)
        snprintf(err, errlen, "%s: shards count from 1: I is 1 to %llu", from,
                 (unsigned long long)n);
    else if (i > n)
        snprintf(err, errlen, "%s: shard %llu of %llu does not exist: I is 1 to %llu", from,
                 (unsigned long long)i, (unsigned long long)n, (unsigned long long)n);
    else {
        memset(sh, 0, sizeof *sh);
        sh->index = (uint32_t)i;
        sh->count = (uint32_t)n;
        return 0;
    }
    return -1;
}

static const char *env_value(shard_env_fn *env, const char *name)
{
    const char *v = env(name);
    return v && *v ? v : NULL;
}

/* A variable that must be a number: 0, or -1 with a message. */
static int env_number(shard_env_fn *env, const char *name, uint64_t *v, char *err,
                      size_t errlen)
{
    const char *text = env_value(env, name);
    if (text && parse_number(text, strlen(text), v) == 0)
        return 0;
    snprintf(err, errlen, "--shard auto: %s='%s' is not a number", name, text ? text : "");
    return -1;
}

/*
 * The count from the engine's variable `name` (when set) and from auto/N
 * (`given`, 0 if not): they must agree. 0 if neither says, -1 with a message.
 */
static int engine_count(shard_env_fn *env, const char *name, uint64_t given, uint64_t *n,
                        char *err, size_t errlen)
{
    *n = given;
    if (!env_value(env, name))
        return 0;
    uint64_t v;
    if (env_number(env, name, &v, err, errlen) != 0)
        return -1;
    if (given && v != given) {
        snprintf(err, errlen, "--shard auto/%llu: %s=%llu says %llu shards",
                 (unsigned long long)given, name, (unsigned long long)v, (unsigned long long)v);
        return -1;
    }
    *n = v;
    return 0;
}

static const char looked_at[] =
    "BHOST_SHARD; SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT; CI_NODE_INDEX with "
    "CI_NODE_TOTAL; JOB_COMPLETION_INDEX with auto/N or BHOST_SHARD_COUNT";

/* An engine's index variable and its count: the 1-based index is the value minus
 * `first` plus 1. */
struct engine {
    const char *index_var, *count_var, *first_var;
    uint64_t first;
};

static const struct engine engines[] = {
    {"SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN", 0},
    {"CI_NODE_INDEX", "CI_NODE_TOTAL", NULL, 1},
    {"JOB_COMPLETION_INDEX", "BHOST_SHARD_COUNT", NULL, 0},
};

/* --shard auto or auto/N (`given` N, or 0). */
static int parse_auto(uint64_t given, shard_env_fn *env, struct shard *sh, char *err,
                      size_t errlen)
{
    char from[512];
    const char *bhost = env_value(env, "BHOST_SHARD");
    if (bhost) {
        uint64_t i, n;
        snprintf(from, sizeof from, "--shard auto: BHOST_SHARD=%.64s", bhost);
        if (parse_pair(bhost, &i, &n) != 0) {
            snprintf(err, errlen, "%s is not I/N (shard I of N)", from);
            return -1;
        }
        if (given && n != given) {
            snprintf(err, errlen, "--shard auto/%llu: BHOST_SHARD=%.64s says %llu shards",
                     (unsigned long long)given, bhost, (unsigned long long)n);
            return -1;
        }
        return set_shard(sh, i, n, from, err, errlen);
    }
    for (size_t k = 0; k < sizeof engines / sizeof *engines; k++) {
        const struct engine *e = &engines[k];
        if (!env_value(env, e->index_var))
            continue;
        uint64_t value, first = e->first, n;
        if (env_number(env, e->index_var, &value, err, errlen) != 0 ||
            (e->first_var && env_value(env, e->first_var) &&
             env_number(env, e->first_var, &first, err, errlen) != 0) ||
            engine_count(env, e->count_var, given, &n, err, errlen) != 0)
            return -1;
        if (n == 0) {
            snprintf(err, errlen, "--shard auto: %s is set but not the number of shards: set "
                     "%s, or write --shard auto/N", e->index_var, e->count_var);
            return -1;
        }
        int len = snprintf(from, sizeof from, "--shard auto: %s=%llu", e->index_var,
                           (unsigned long long)value);
        if (e->first_var && env_value(env, e->first_var))
            len += snprintf(from + len, sizeof from - (size_t)len, ", %s=%llu", e->first_var,
                            (unsigned long long)first);
        snprintf(from + len, sizeof from - (size_t)len, " (shard %llu of %llu)",
                 value >= first ? (unsigned long long)(value - first + 1) : 0ULL,
                 (unsigned long long)n);
        return set_shard(sh, value >= first ? value - first + 1 : 0, n, from, err, errlen);
    }
    snprintf(err, errlen, "--shard %s: no shard in the environment; looked at %s",
             given ? "auto/N" : "auto", looked_at);
    return -1;
}

int shard_parse(const char *arg, shard_env_fn *env, struct shard *sh, char *err, size_t errlen)
{
    memset(sh, 0, sizeof *sh);
    uint64_t i, n;
    char from[160];
    snprintf(from, sizeof from, "--shard %.64s", arg);
    if (strcmp(arg, "auto") == 0)
        return parse_auto(0, env, sh, err, errlen);
    if (strncmp(arg, "auto/", 5) == 0) {
        if (parse_number(arg + 5, strlen(arg + 5), &n) != 0 || n < 1 || n > SHARD_MAX_COUNT) {
            snprintf(err, errlen, "%s: N in auto/N must be a number of shards, 1 to %d", from,
                     SHARD_MAX_COUNT);
            return -1;
        }
        return parse_auto(n, env, sh, err, errlen);
    }
    if (parse_pair(arg, &i, &n) != 0) {
        snprintf(err, errlen, "%s: expected I/N (shard I of N, 1 <= I <= N <= %d), auto or "
                 "auto/N", from, SHARD_MAX_COUNT);
        return -1;
    }
    return set_shard(sh, i, n, from, err, errlen);
}

int shard_balance_from(struct shard *sh, const char *run, char *err, size_t errlen)
{
    struct stat st;
    char *file = stat(run, &st) == 0 && S_ISDIR(st.st_mode) ? xasprintf("%s/results.json", run)
                                                            : xstrdup(run);
    char *abs = realpath(file, NULL);
    if (!abs)
        snprintf(err, errlen, "--balance-from %s: %s", file, strerror(errno));
    free(file);
    if (!abs)
        return -1;
    free(sh->balance_from);
    sh->balance_from = abs;
    return 0;
}

/* A point's place in a sort: its position in the sweep and its keys. */
struct entry {
    size_t at;
    const char *name; /* dealt: its experiment */
    double cost;      /* balanced */
    const char *id;
};

static int by_experiment_then_id(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->id, y->id);
}

void shard_deal(const struct sweep *w, uint32_t count, uint32_t *of)
{
    struct entry *e = xcalloc(w->npoints + 1, sizeof *e);
    for (size_t i = 0; i < w->npoints; i++)
        e[i] = (struct entry){.at = i, .name = w->points[i].exp->name, .id = w->points[i].id};
    qsort(e, w->npoints, sizeof *e, by_experiment_then_id);
    uint32_t next = 0;
    for (size_t i = 0; i < w->npoints; i++) {
        if (i == 0 || strcmp(e[i].name, e[i - 1].name) != 0)
            next = (uint32_t)(fnv1a64(e[i].name, strlen(e[i].name), FNV1A64_INIT) % count);
        of[e[i].at] = next + 1;
        next = (next + 1) % count;
    }
    free(e);
}

static int by_cost_then_id(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost > y->cost ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* The shards' loads as a binary min-heap on (load, index): the least loaded on top, the
 * lowest index among equals. */
struct load {
    double total;
    uint32_t index;
};

static int lighter(const struct load *a, const struct load *b)
{
    return a->total < b->total || (a->total == b->total && a->index < b->index);
}

static void sift_down(struct load *h, size_t n, size_t i)
{
    for (;;) {
        size_t least = i, l = 2 * i + 1, r = l + 1;
        if (l < n && lighter(&h[l], &h[least]))
            least = l;
        if (r < n && lighter(&h[r], &h[least]))
            least = r;
        if (least == i)
            return;
        struct load t = h[i];
        h[i] = h[least];
        h[least] = t;
        i = least;
    }
}

void shard_balance(const struct sweep *w, const double *cost, uint32_t count, uint32_t *of)
{
    struct entry *e = xcalloc(w->npoints + 1, sizeof *e);
    for (size_t i = 0; i < w->npoints; i++)
        e[i] = (struct entry){.at = i, .cost = cost[i], .id = w->points[i].id};
    qsort(e, w->npoints, sizeof *e, by_cost_then_id);
    /* All loads 0 in index order: already a heap. */
    struct load *h = xcalloc(count, sizeof *h);
    for (uint32_t k = 0; k < count; k++)
        h[k].index = k + 1;
    for (size_t i = 0; i < w->npoints; i++) {
        of[e[i].at] = h[0].index;
        h[0].total += e[i].cost;
        sift_down(h, count, 0);
    }
    free(h);
    free(e);
}

static int ascending(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void shard_costs(const struct sweep *w, const json_t *by_id, double *cost)
{
    double *known = xcalloc(w->npoints + 1, sizeof *known);
    size_t nknown = 0;
    for (size_t i = 0; i < w->npoints; i++) {
        const json_t *pt = json_object_get(by_id, w->points[i].id);
        const char *status = json_string_value(json_object_get(pt, "status"));
        json_t *wall = json_object_get(pt, "wall_s");
        double v = json_is_number(wall) ? json_number_value(wall) : -1;
        /* A skipped point never ran: its time says nothing. */
        cost[i] = status && strcmp(status, "skipped") != 0 && isfinite(v) && v >= 0 ? v : -1;
        if (cost[i] >= 0)
            known[nknown++] = cost[i];
    }
    double median = 1;
    if (nknown) {
        qsort(known, nknown, sizeof *known, ascending);
        median = nknown % 2 ? known[nknown / 2]
                            : (known[nknown / 2 - 1] + known[nknown / 2]) / 2;
    }
    for (size_t i = 0; i < w->npoints; i++)
        if (cost[i] < 0)
            cost[i] = median;
    free(known);
}

/* The digest of the sweep's ids (checksum_ids_hex). */
static void ids_digest(const struct sweep *w, char hex[CHECKSUM_HEX_LEN + 1])
{
    const char **ids = xcalloc(w->npoints + 1, sizeof *ids);
    for (size_t i = 0; i < w->npoints; i++)
        ids[i] = w->points[i].id;
    checksum_ids_hex(ids, w->npoints, hex);
    free(ids);
}

/* The balanced split: reads and checks sh->balance_from. 0, or -1 with a message. */
static int balance(struct shard *sh, const struct sweep *w, uint32_t *of, char *err,
                   size_t errlen)
{
    size_t len;
    char *text = read_file(sh->balance_from, &len);
    if (!text) {
        snprintf(err, errlen, "--balance-from %s: cannot read: %s", sh->balance_from,
                 strerror(errno));
        return -1;
    }
    char hex[CHECKSUM_HEX_LEN + 1];
    checksum_hex(text, len, hex);
    if (sh->balance_sha256[0] && strcmp(hex, sh->balance_sha256) != 0) {
        snprintf(err, errlen, "--balance-from %s changed since this shard run began (SHA-256 "
                 "%s then, %s now): the split would differ; start a new run", sh->balance_from,
                 sh->balance_sha256, hex);
        free(text);
        return -1;
    }
    memcpy(sh->balance_sha256, hex, sizeof hex);
    struct results_file rf;
    int rc = results_parse(text, len, sh->balance_from, &rf, err, errlen);
    free(text);
    if (rc != 0)
        return -1;
    double *cost = xcalloc(w->npoints + 1, sizeof *cost);
    shard_costs(w, rf.by_id, cost);
    shard_balance(w, cost, sh->count, of);
    free(cost);
    results_file_free(&rf);
    return 0;
}

int shard_apply(struct shard *sh, struct sweep *w, char *err, size_t errlen)
{
    sh->sweep_points = w->npoints;
    ids_digest(w, sh->sweep_ids_sha256);
    uint32_t *of = xcalloc(w->npoints + 1, sizeof *of);
    if (!sh->balance_from)
        shard_deal(w, sh->count, of);
    else if (balance(sh, w, of, err, errlen) != 0) {
        free(of);
        return -1;
    }
    size_t kept = 0;
    for (size_t i = 0; i < w->npoints; i++) {
        struct point *p = &w->points[i];
        if (of[i] == sh->index) {
            w->points[kept++] = *p;
            continue;
        }
        for (size_t j = 0; j < p->exp->plugin->nparams; j++)
            pvalue_free(&p->values[j]);
        free(p->values);
        free(p->label);
    }
    w->npoints = kept;
    free(of);
    return 0;
}

/* The balance file's path as JSON (a path need not be UTF-8), or null when dealt. */
static json_t *balance_path_json(const struct shard *sh)
{
    if (!sh->balance_from)
        return json_null();
    char *text = utf8_sanitize(xstrdup(sh->balance_from));
    json_t *v = json_string(text);
    free(text);
    return v;
}

const char *shard_method(const struct shard *sh)
{
    return sh->balance_from ? "balanced" : "dealt";
}

json_t *shard_record_json(const struct shard *sh)
{
    json_t *o = json_pack("{s:I, s:I, s:s}", "index", (json_int_t)sh->index, "count",
                          (json_int_t)sh->count, "method", shard_method(sh));
    json_object_set_new(o, "balance_from", balance_path_json(sh));
    json_object_set_new(o, "balance_sha256",
                        sh->balance_from ? json_string(sh->balance_sha256) : json_null());
    return o;
}

int shard_from_record(const json_t *o, const char *name, struct shard *sh, char *err,
                      size_t errlen)
{
    memset(sh, 0, sizeof *sh);
    json_t *index = json_object_get(o, "index"), *count = json_object_get(o, "count");
    const char *method = json_string_value(json_object_get(o, "method"));
    const char *from = json_string_value(json_object_get(o, "balance_from"));
    const char *sha = json_string_value(json_object_get(o, "balance_sha256"));
    int balanced = method && strcmp(method, "balanced") == 0;
    if (!json_is_integer(index) || !json_is_integer(count) || json_integer_value(count) < 1 ||
        json_integer_value(count) > SHARD_MAX_COUNT || json_integer_value(index) < 1 ||
        json_integer_value(index) > json_integer_value(count) || !method ||
        (!balanced && strcmp(method, "dealt") != 0) ||
        (balanced && (!from || !sha || strlen(sha) != CHECKSUM_HEX_LEN))) {
        snprintf(err, errlen, "%s: cannot resume: its \"shard\" is not a shard this bhost "
                 "writes (index, count, method, balance_from, balance_sha256)", name);
        return -1;
    }
    sh->index = (uint32_t)json_integer_value(index);
    sh->count = (uint32_t)json_integer_value(count);
    if (balanced) {
        sh->balance_from = xstrdup(from);
        memcpy(sh->balance_sha256, sha, CHECKSUM_HEX_LEN + 1);
    }
    return 0;
}

json_t *shard_results_json(const struct shard *sh, size_t points)
{
    json_t *o = json_pack("{s:I, s:I, s:s}", "index", (json_int_t)sh->index, "count",
                          (json_int_t)sh->count, "method", shard_method(sh));
    json_object_set_new(o, "balance_from", balance_path_json(sh));
    json_object_set_new(o, "sweep_points", json_integer((json_int_t)sh->sweep_points));
    json_object_set_new(o, "sweep_ids_sha256", json_string(sh->sweep_ids_sha256));
    json_object_set_new(o, "points", json_integer((json_int_t)points));
    return o;
}

void shard_free(struct shard *sh)
{
    free(sh->balance_from);
    memset(sh, 0, sizeof *sh);
}
