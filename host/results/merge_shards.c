/* merge_shards.c — see merge_shards.h. */
#include "results/merge_shards.h"
#include "util/checksum.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct merge_shards {
    json_t *first;    /* run.shard of the first input */
    json_int_t count; /* N */
    size_t *input;    /* [N]: the input + 1 holding each shard, 0 while none */
    double *wall_s;   /* [N]: each shard's run.wall_s */
    size_t *points;   /* [N]: each shard's point count */
    size_t *planned;  /* [N]: the points each shard was given (run.shard.points) */
    int *stopped;     /* [N]: the shard's run was interrupted */
};

static json_t *shard_of(const struct merge *m, size_t f)
{
    json_t *s = json_object_get(json_object_get(m->in[f].doc, "run"), "shard");
    return json_is_object(s) ? s : NULL;
}

/* What a shard record must hold for a merge to rely on it. */
static int shard_valid(struct merge *m, size_t f, json_t *s)
{
    json_t *index = json_object_get(s, "index"), *count = json_object_get(s, "count");
    if (!json_is_integer(count) || json_integer_value(count) < 1 ||
        json_integer_value(count) > 100000 || !json_is_integer(index) ||
        json_integer_value(index) < 1 || json_integer_value(index) > json_integer_value(count))
        return merge_fail(m, "%s: run.shard: index and count are not 1 <= index <= count <= "
                             "100000", m->in[f].path);
    if (!json_is_integer(json_object_get(s, "sweep_points")) ||
        !json_is_string(json_object_get(s, "sweep_ids_sha256")) ||
        !json_is_string(json_object_get(s, "method")))
        return merge_fail(m, "%s: run.shard: method, sweep_points or sweep_ids_sha256 is "
                             "missing", m->in[f].path);
    return 0;
}

/* The shard records of inputs 0 and f describe one sweep split one way. */
static int same_sweep(struct merge *m, size_t f, json_t *s)
{
    static const char *const keys[] = {"count", "method", "sweep_points", "sweep_ids_sha256"};
    for (size_t k = 0; k < ARRAY_LEN(keys); k++) {
        json_t *a = json_object_get(m->shards->first, keys[k]), *b = json_object_get(s, keys[k]);
        if (json_equal(a, b))
            continue;
        char *ta = json_dumps(a, JSON_ENCODE_ANY), *tb = json_dumps(b, JSON_ENCODE_ANY);
        int rc = merge_fail(m, "%s and %s are not shards of one sweep split one way: their "
                               "run.shard.%s differs (%s, %s)", m->in[0].path, m->in[f].path,
                            keys[k], ta ? ta : "?", tb ? tb : "?");
        free(ta);
        free(tb);
        return rc;
    }
    return 0;
}

int merge_shards_add(struct merge *m, size_t f)
{
    json_t *s = shard_of(m, f), *first = shard_of(m, 0);
    if (!s != !first) {
        size_t shard = s ? f : 0, whole = s ? 0 : f;
        return merge_fail(m, "%s is a shard (run.shard) and %s is not: merge all the shards of "
                             "one sweep, or runs that are not shards", m->in[shard].path,
                          m->in[whole].path);
    }
    if (!s)
        return 0;
    if (shard_valid(m, f, s) != 0)
        return -1;
    if (f == 0) {
        struct merge_shards *sh = xcalloc(1, sizeof *sh);
        sh->first = json_incref(s);
        sh->count = json_integer_value(json_object_get(s, "count"));
        sh->input = xcalloc((size_t)sh->count, sizeof *sh->input);
        sh->wall_s = xcalloc((size_t)sh->count, sizeof *sh->wall_s);
        sh->points = xcalloc((size_t)sh->count, sizeof *sh->points);
        sh->planned = xcalloc((size_t)sh->count, sizeof *sh->planned);
        sh->stopped = xcalloc((size_t)sh->count, sizeof *sh->stopped);
        m->shards = sh;
    } else if (same_sweep(m, f, s) != 0) {
        return -1;
    }
    struct merge_shards *sh = m->shards;
    json_int_t i = json_integer_value(json_object_get(s, "index"));
    if (sh->input[i - 1])
        return merge_fail(m, "shard %lld/%lld is given twice: %s and %s", (long long)i,
                          (long long)sh->count, m->in[sh->input[i - 1] - 1].path,
                          m->in[f].path);
    sh->input[i - 1] = f + 1;
    sh->wall_s[i - 1] = json_number_value(json_object_get(json_object_get(m->in[f].doc, "run"),
                                                          "wall_s"));
    sh->points[i - 1] = json_array_size(m->in[f].points);
    json_int_t planned = json_integer_value(json_object_get(s, "points"));
    sh->planned[i - 1] = planned > 0 ? (size_t)planned : sh->points[i - 1];
    const char *status = json_string_value(json_object_get(json_object_get(m->in[f].doc, "run"),
                                                           "status"));
    sh->stopped[i - 1] = status && strcmp(status, "interrupted") == 0;
    return 0;
}

int merge_shards_on(const struct merge *m)
{
    return m->shards != NULL;
}

/* The digest of the merged points' ids, as run.shard.sweep_ids_sha256 is made. */
static void ids_digest(const struct spool_entry *entries, size_t n,
                       char hex[CHECKSUM_HEX_LEN + 1])
{
    const char **ids = xcalloc(n + 1, sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = entries[i].id;
    checksum_ids_hex(ids, n, hex);
    free(ids);
}

int merge_shards_check(struct merge *m, const struct spool_entry *entries, size_t n)
{
    struct merge_shards *sh = m->shards;
    if (!sh)
        return 0;
    size_t missing = 0, short_of = 0;
    char names[256] = "";
    for (json_int_t i = 1; i <= sh->count; i++) {
        if (sh->input[i - 1]) {
            short_of += sh->stopped[i - 1] && sh->points[i - 1] < sh->planned[i - 1];
            continue;
        }
        size_t used = strlen(names);
        if (missing++ < 8)
            snprintf(names + used, sizeof names - used, "%s%lld/%lld", used ? ", " : "",
                     (long long)i, (long long)sh->count);
    }
    if (missing)
        return merge_fail(m, "%s %s%s %s missing: merge every shard of the sweep",
                          missing == 1 ? "shard" : "shards", names, missing > 8 ? ", ..." : "",
                          missing == 1 ? "is" : "are");
    /* A shard cut short (interrupted) holds part of its points: the merge is incomplete, as
     * the shard is, and says which one to finish (merge_shards_summary). */
    if (short_of)
        return 0;
    json_int_t sweep = json_integer_value(json_object_get(sh->first, "sweep_points"));
    const char *want = json_string_value(json_object_get(sh->first, "sweep_ids_sha256"));
    char got[CHECKSUM_HEX_LEN + 1];
    ids_digest(entries, n, got);
    if ((json_int_t)n != sweep || strcasecmp(got, want) != 0)
        return merge_fail(m, "the shards' points are not their sweep's: they hold %zu points "
                             "(the sweep %lld) and their ids hash to %.12s…, not to the "
                             "sweep's %.12s… (run.shard.sweep_ids_sha256)", n,
                          (long long)sweep, got, want);
    return 0;
}

json_t *merge_shards_summary(const struct merge *m)
{
    const struct merge_shards *sh = m->shards;
    if (!sh)
        return NULL;
    json_t *walls = json_array(), *points = json_array(), *planned = json_array();
    double sum = 0, slowest = 0;
    for (json_int_t i = 0; i < sh->count; i++) {
        json_array_append_new(walls, json_real(sh->wall_s[i]));
        json_array_append_new(points, json_integer((json_int_t)sh->points[i]));
        json_array_append_new(planned, json_integer((json_int_t)sh->planned[i]));
        sum += sh->wall_s[i];
        slowest = sh->wall_s[i] > slowest ? sh->wall_s[i] : slowest;
    }
    double mean = sum / (double)sh->count;
    return json_pack("{s:I, s:o, s:o, s:o, s:o}", "count", sh->count, "wall_s", walls, "points",
                     points, "points_planned", planned, "slowest_over_mean",
                     mean > 0 ? json_real(slowest / mean) : json_null());
}

void merge_shards_free(struct merge *m)
{
    struct merge_shards *sh = m->shards;
    if (!sh)
        return;
    json_decref(sh->first);
    free(sh->input);
    free(sh->wall_s);
    free(sh->points);
    free(sh->planned);
    free(sh->stopped);
    free(sh);
    m->shards = NULL;
}
