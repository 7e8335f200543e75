/*
 * sqlite_pragma — what SQLite's pragmas cost and buy, one statement at a time.
 *
 * A table of `rows` rows, each a `value_size`-byte blob, in a file of the
 * point's scratch directory. Every iteration is one statement in its own
 * transaction (autocommit), so each one pays for its commit the way the
 * journal mode and synchronous level make it pay:
 *
 *   insert  appends a new row
 *   select  reads a random row and checks its bytes are the last ones written
 *   update  rewrites a random row with new bytes
 *   mixed   60% select, 20% update, 20% insert
 *
 * Pragmas come from a named profile, and each pragma parameter overrides
 * the profile's value. Its default, "profile" (or -1 for numbers), means
 * "whatever the profile says"; the profile `none` sets nothing, leaving
 * SQLite's built-in defaults. setup() reads every pragma back from SQLite
 * and fails the point if one did not take effect, and reports the
 * effective values as gauges.
 */
#include <bhost/bhost.h>
#include "sqlite_util.h"

#include <sqlite3.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum workload { W_INSERT = 0, W_SELECT = 1, W_UPDATE = 2, W_MIXED = 3 };
enum op { OP_INSERT, OP_SELECT, OP_UPDATE, OP_COUNT };

static const char *const op_names[OP_COUNT] = {"insert", "select", "update"};

/* The values pragmas can read back as: their positions are what SQLite reports. */
static const char *const journal_values[] = {"delete", "truncate", "persist",
                                             "memory", "wal",      "off"};
static const char *const sync_values[] = {"off", "normal", "full", "extra"};
static const char *const temp_values[] = {"default", "file", "memory"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A set of pragmas; NULL or -1 leaves SQLite's default in place. */
struct pragmas {
    const char *journal_mode, *synchronous, *temp_store;
    int64_t cache_kib, mmap_size, page_size;
};

/* In the order of the `profile` parameter's choices. */
static const struct pragmas profiles[] = {
    /* none: SQLite as built (here: delete, full, default, 2000 KiB, no mmap, 4096) */
    {NULL, NULL, NULL, -1, -1, -1},
    /* safety: every commit durable through power loss, the journal's removal too */
    {"delete", "extra", "default", 2000, 0, -1},
    /* balanced: WAL; an OS crash or power loss may lose the last commits, never the file */
    {"wal", "normal", "memory", 16384, 0, -1},
    /* performance: no fsync, journal in RAM; a crash mid-commit can corrupt the file */
    {"memory", "off", "memory", 65536, 268435456, -1},
};

struct bench {
    int workload;
    int64_t rows, value_size;
    char *path;
    sqlite3 *db;
    sqlite3_stmt *stmt[OP_COUNT];
    bhost_hist *hist[OP_COUNT];
    uint32_t *versions;       /* versions[id]: how often row id was rewritten */
    int64_t last_id, cap;     /* ids 1..last_id exist; versions has cap slots */
    unsigned char *value;     /* the bytes of one value, to write or compare */
    uint64_t seed, rng;
    int64_t inserted;         /* rows inserted by iterations, warm-up included */
    int ready;                /* setup() succeeded: the table is there to count */
};

/* --- small helpers ------------------------------------------------------------ */

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint64_t next_random(uint64_t *state)
{
    return mix64(*state += UINT64_C(0x9e3779b97f4a7c15));
}

/* The bytes row `id` holds at `version`: the select check recomputes them. */
static void fill_value(struct bench *b, int64_t id, uint32_t version)
{
    uint64_t x = mix64(b->seed ^ ((uint64_t)id << 20) ^ version);
    for (int64_t i = 0; i < b->value_size; i++) {
        if (i % 8 == 0)
            x = mix64(x + (uint64_t)i);
        b->value[i] = (unsigned char)(x >> (8 * (i % 8)));
    }
}

static int64_t index_of(const char *value, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(value, names[i]) == 0)
            return (int64_t)i;
    return -1;
}

/* --- pragmas -------------------------------------------------------------------- */

/* The profile's pragmas with every explicitly given parameter on top. */
static struct pragmas resolve_pragmas(bhost_ctx *ctx)
{
    struct pragmas p = profiles[bhost_param_choice(ctx, "profile")];
    const char *v;
    if (strcmp(v = bhost_param_str(ctx, "journal_mode"), "profile") != 0)
        p.journal_mode = v;
    if (strcmp(v = bhost_param_str(ctx, "synchronous"), "profile") != 0)
        p.synchronous = v;
    if (strcmp(v = bhost_param_str(ctx, "temp_store"), "profile") != 0)
        p.temp_store = v;
    if (strcmp(v = bhost_param_str(ctx, "page_size"), "profile") != 0)
        p.page_size = strtoll(v, NULL, 10);
    int64_t n;
    if ((n = bhost_param_int(ctx, "cache_size")) >= 0)
        p.cache_kib = n;
    if ((n = bhost_param_int(ctx, "mmap_size")) >= 0)
        p.mmap_size = n;
    return p;
}

static int set_text(bhost_ctx *ctx, sqlite3 *db, const char *name, const char *value)
{
    char sql[96];
    if (!value)
        return BHOST_OK;
    snprintf(sql, sizeof sql, "PRAGMA %s = %s", name, value);
    return sqlu_exec(ctx, db, sql);
}

static int set_number(bhost_ctx *ctx, sqlite3 *db, const char *name, int64_t value)
{
    char text[32];
    if (value < 0)
        return BHOST_OK;
    snprintf(text, sizeof text, "%" PRId64, value);
    return set_text(ctx, db, name, text);
}

/* page_size first: it is fixed once the first table makes the file. */
static int apply_pragmas(bhost_ctx *ctx, sqlite3 *db, const struct pragmas *p)
{
    char kib[32]; /* cache_size in KiB is written as a negative number */
    snprintf(kib, sizeof kib, "%" PRId64, -p->cache_kib);
    if (set_number(ctx, db, "page_size", p->page_size) != BHOST_OK ||
        sqlu_exec(ctx, db, "CREATE TABLE kv(id INTEGER PRIMARY KEY, value BLOB NOT NULL)") !=
            BHOST_OK ||
        set_text(ctx, db, "journal_mode", p->journal_mode) != BHOST_OK ||
        set_text(ctx, db, "synchronous", p->synchronous) != BHOST_OK ||
        set_text(ctx, db, "temp_store", p->temp_store) != BHOST_OK ||
        set_text(ctx, db, "cache_size", p->cache_kib >= 0 ? kib : NULL) != BHOST_OK ||
        set_number(ctx, db, "mmap_size", p->mmap_size) != BHOST_OK)
        return BHOST_FAIL;
    return BHOST_OK;
}

/* What SQLite says a pragma is, as a number (names become their position). */
static int read_pragma(bhost_ctx *ctx, sqlite3 *db, const char *name, const char *const *names,
                       size_t n, int64_t *out)
{
    char sql[64], got[64];
    snprintf(sql, sizeof sql, "PRAGMA %s", name);
    if (sqlu_query_text(ctx, db, sql, got, sizeof got) != BHOST_OK)
        return BHOST_FAIL;
    if (names) {
        *out = index_of(got, names, n);
        if (*out < 0)
            return bhost_fail(ctx, "PRAGMA %s: SQLite reports '%s', which is none of ours",
                              name, got);
    } else {
        *out = strtoll(got, NULL, 10);
    }
    return BHOST_OK;
}

static int check_named(bhost_ctx *ctx, const char *name, const char *want,
                       const char *const *names, int64_t got)
{
    if (want && strcmp(want, names[got]) != 0)
        return bhost_fail(ctx, "pragma %s = %s did not take effect: SQLite reports %s", name,
                          want, names[got]);
    return BHOST_OK;
}

/* `asked` < 0: not set, nothing to check; else SQLite must report `want`. */
static int check_number(bhost_ctx *ctx, const char *name, int64_t asked, int64_t want,
                        int64_t got)
{
    if (asked >= 0 && want != got)
        return bhost_fail(ctx, "pragma %s = %" PRId64 " did not take effect: SQLite reports "
                          "%" PRId64, name, want, got);
    return BHOST_OK;
}

/* Reads every pragma back, reports it, and fails if one set is not in force. */
static int verify_pragmas(bhost_ctx *ctx, sqlite3 *db, const struct pragmas *p)
{
    int64_t journal, sync, temp, cache, mmap, page;
    if (read_pragma(ctx, db, "journal_mode", journal_values, COUNT(journal_values),
                    &journal) != BHOST_OK ||
        read_pragma(ctx, db, "synchronous", NULL, 0, &sync) != BHOST_OK ||
        read_pragma(ctx, db, "temp_store", NULL, 0, &temp) != BHOST_OK ||
        read_pragma(ctx, db, "cache_size", NULL, 0, &cache) != BHOST_OK ||
        read_pragma(ctx, db, "mmap_size", NULL, 0, &mmap) != BHOST_OK ||
        read_pragma(ctx, db, "page_size", NULL, 0, &page) != BHOST_OK)
        return BHOST_FAIL;
    if (sync < 0 || sync >= (int64_t)COUNT(sync_values) || temp < 0 ||
        temp >= (int64_t)COUNT(temp_values))
        return bhost_fail(ctx, "SQLite reports synchronous %" PRId64 ", temp_store %" PRId64
                          ": out of the known range", sync, temp);
    /* A positive cache_size counts pages, a negative one KiB. */
    int64_t cache_kib = cache < 0 ? -cache : cache * page / 1024;
    bhost_gauge_set(ctx, "journal_mode", (double)journal);
    bhost_gauge_set(ctx, "synchronous", (double)sync);
    bhost_gauge_set(ctx, "temp_store", (double)temp);
    bhost_gauge_set(ctx, "cache_size_kib", (double)cache_kib);
    bhost_gauge_set(ctx, "mmap_size", (double)mmap);
    bhost_gauge_set(ctx, "page_size", (double)page);
    bhost_log(ctx, BHOST_LOG_DEBUG, "pragmas in force: journal_mode=%s synchronous=%s "
              "temp_store=%s cache_size=%" PRId64 " KiB mmap_size=%" PRId64 " page_size=%"
              PRId64, journal_values[journal], sync_values[sync], temp_values[temp], cache_kib,
              mmap, page);
    if (check_named(ctx, "journal_mode", p->journal_mode, journal_values, journal) != BHOST_OK ||
        check_named(ctx, "synchronous", p->synchronous, sync_values, sync) != BHOST_OK ||
        check_named(ctx, "temp_store", p->temp_store, temp_values, temp) != BHOST_OK ||
        check_number(ctx, "cache_size", p->cache_kib, -p->cache_kib, cache) != BHOST_OK ||
        check_number(ctx, "mmap_size", p->mmap_size, p->mmap_size, mmap) != BHOST_OK ||
        check_number(ctx, "page_size", p->page_size, p->page_size, page) != BHOST_OK)
        return BHOST_FAIL;
    return BHOST_OK;
}

/* --- the table ------------------------------------------------------------------ */

static int grow_versions(struct bench *b, int64_t last_id)
{
    if (last_id < b->cap)
        return 0;
    int64_t cap = b->cap ? b->cap : 1024;
    while (cap <= last_id)
        cap *= 2;
    uint32_t *v = realloc(b->versions, (size_t)cap * sizeof *v);
    if (!v)
        return -1;
    memset(v + b->cap, 0, (size_t)(cap - b->cap) * sizeof *v);
    b->versions = v;
    b->cap = cap;
    return 0;
}

/* Writes the next row; its timing covers binding, stepping and the commit. */
static int insert_row(bhost_ctx *ctx, struct bench *b, int timed)
{
    sqlite3_stmt *st = b->stmt[OP_INSERT];
    int64_t id = b->last_id + 1;
    if (grow_versions(b, id) != 0)
        return bhost_fail(ctx, "out of memory");
    fill_value(b, id, 0);
    uint64_t t0 = bhost_now_ns(ctx);
    int rc = sqlite3_bind_int64(st, 1, id);
    rc = rc ? rc : sqlite3_bind_blob(st, 2, b->value, (int)b->value_size, SQLITE_STATIC);
    rc = rc ? rc : sqlite3_step(st);
    sqlite3_reset(st);
    uint64_t t1 = bhost_now_ns(ctx);
    if (rc != SQLITE_DONE)
        return sqlu_fail(ctx, b->db, "insert");
    if (timed)
        bhost_record(ctx, b->hist[OP_INSERT], (int64_t)(t1 - t0));
    b->last_id = id;
    return BHOST_OK;
}

static int64_t random_id(struct bench *b)
{
    return 1 + (int64_t)(next_random(&b->rng) % (uint64_t)b->last_id);
}

static int select_row(bhost_ctx *ctx, struct bench *b)
{
    sqlite3_stmt *st = b->stmt[OP_SELECT];
    int64_t id = random_id(b);
    uint64_t t0 = bhost_now_ns(ctx);
    int rc = sqlite3_bind_int64(st, 1, id);
    rc = rc ? rc : sqlite3_step(st);
    const void *got = rc == SQLITE_ROW ? sqlite3_column_blob(st, 0) : NULL;
    int64_t len = rc == SQLITE_ROW ? sqlite3_column_bytes(st, 0) : 0;
    uint64_t t1 = bhost_now_ns(ctx);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            return bhost_fail(ctx, "select: row %" PRId64 " is missing", id);
        return sqlu_fail(ctx, b->db, "select");
    }
    fill_value(b, id, b->versions[id]);
    int same = len == b->value_size && (len == 0 || memcmp(got, b->value, (size_t)len) == 0);
    sqlite3_reset(st);
    if (!same)
        return bhost_fail(ctx, "select: row %" PRId64 " does not hold the bytes last written",
                          id);
    bhost_record(ctx, b->hist[OP_SELECT], (int64_t)(t1 - t0));
    return BHOST_OK;
}

static int update_row(bhost_ctx *ctx, struct bench *b)
{
    sqlite3_stmt *st = b->stmt[OP_UPDATE];
    int64_t id = random_id(b);
    uint32_t version = b->versions[id] + 1;
    fill_value(b, id, version);
    uint64_t t0 = bhost_now_ns(ctx);
    int rc = sqlite3_bind_blob(st, 1, b->value, (int)b->value_size, SQLITE_STATIC);
    rc = rc ? rc : sqlite3_bind_int64(st, 2, id);
    rc = rc ? rc : sqlite3_step(st);
    sqlite3_reset(st);
    uint64_t t1 = bhost_now_ns(ctx);
    if (rc != SQLITE_DONE)
        return sqlu_fail(ctx, b->db, "update");
    if (sqlite3_changes(b->db) != 1)
        return bhost_fail(ctx, "update: row %" PRId64 " is missing", id);
    b->versions[id] = version;
    bhost_record(ctx, b->hist[OP_UPDATE], (int64_t)(t1 - t0));
    return BHOST_OK;
}

/* `rows` rows in one transaction: the table every workload starts from. */
static int fill_table(bhost_ctx *ctx, struct bench *b)
{
    if (sqlu_exec(ctx, b->db, "BEGIN") != BHOST_OK)
        return BHOST_FAIL;
    for (int64_t i = 0; i < b->rows; i++)
        if (insert_row(ctx, b, 0) != BHOST_OK)
            return BHOST_FAIL; /* closing the connection rolls the transaction back */
    return sqlu_exec(ctx, b->db, "COMMIT");
}

static int prepare_statements(bhost_ctx *ctx, struct bench *b)
{
    static const char *const sql[OP_COUNT] = {
        "INSERT INTO kv(id, value) VALUES(?1, ?2)",
        "SELECT value FROM kv WHERE id = ?1",
        "UPDATE kv SET value = ?1 WHERE id = ?2",
    };
    for (int i = 0; i < OP_COUNT; i++)
        if (sqlu_prepare(ctx, b->db, sql[i], &b->stmt[i]) != BHOST_OK)
            return BHOST_FAIL;
    return BHOST_OK;
}

/* --- hooks ---------------------------------------------------------------------- */

/* The one operation of a single-operation workload. */
static enum op only_op(int workload)
{
    return workload == W_INSERT ? OP_INSERT : workload == W_SELECT ? OP_SELECT : OP_UPDATE;
}

static int workload_runs(int workload, enum op op)
{
    return workload == W_MIXED || only_op(workload) == op;
}

static enum op next_op(struct bench *b)
{
    if (b->workload != W_MIXED)
        return only_op(b->workload);
    uint64_t r = next_random(&b->rng) % 10;
    return r < 6 ? OP_SELECT : r < 8 ? OP_UPDATE : OP_INSERT;
}

static int sqlite_pragma_iterate(bhost_ctx *ctx, void *state)
{
    struct bench *b = state;
    switch (next_op(b)) {
    case OP_INSERT:
        if (insert_row(ctx, b, 1) != BHOST_OK)
            return BHOST_FAIL;
        b->inserted++;
        return BHOST_OK;
    case OP_SELECT:
        return select_row(ctx, b);
    default:
        return update_row(ctx, b);
    }
}

static void remove_db_files(bhost_ctx *ctx, const char *path)
{
    static const char *const suffixes[] = {"", "-journal", "-wal", "-shm"};
    char name[4096];
    for (size_t i = 0; i < COUNT(suffixes); i++) {
        snprintf(name, sizeof name, "%s%s", path, suffixes[i]);
        if (unlink(name) != 0 && errno != ENOENT)
            bhost_log(ctx, BHOST_LOG_WARN, "cannot remove %s: %s", name, strerror(errno));
    }
}

/* The rows the table holds at the end, against the rows it should hold. */
static void report_rows(bhost_ctx *ctx, struct bench *b)
{
    char count[32];
    if (sqlu_query_text(ctx, b->db, "SELECT count(*) FROM kv", count, sizeof count) != BHOST_OK) {
        bhost_log(ctx, BHOST_LOG_WARN, "cannot count the rows: %s", sqlite3_errmsg(b->db));
        return;
    }
    bhost_gauge_set(ctx, "table_rows", strtod(count, NULL));
    bhost_gauge_set(ctx, "inserted_rows", (double)b->inserted);
}

static void sqlite_pragma_teardown(bhost_ctx *ctx, void *state)
{
    struct bench *b = state;
    for (int i = 0; i < OP_COUNT; i++)
        sqlite3_finalize(b->stmt[i]);
    if (b->db) {
        if (b->ready)
            report_rows(ctx, b);
        if (sqlite3_close(b->db) != SQLITE_OK)
            bhost_log(ctx, BHOST_LOG_WARN, "close: %s", sqlite3_errmsg(b->db));
    }
    if (b->path)
        remove_db_files(ctx, b->path);
    free(b->path);
    free(b->versions);
    free(b->value);
    free(b);
}

static int open_database(bhost_ctx *ctx, struct bench *b)
{
    const char *dir = bhost_scratch_dir(ctx);
    if (!dir)
        return bhost_fail(ctx, "no scratch directory");
    size_t n = strlen(dir) + sizeof "/pragma.db";
    if (!(b->path = malloc(n)))
        return bhost_fail(ctx, "out of memory");
    snprintf(b->path, n, "%s/pragma.db", dir);
    remove_db_files(ctx, b->path);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(b->path, &b->db, flags, NULL) == SQLITE_OK)
        return BHOST_OK;
    int rc = b->db ? sqlu_fail(ctx, b->db, b->path) : bhost_fail(ctx, "open: out of memory");
    sqlite3_close(b->db);
    b->db = NULL;
    return rc;
}

static int start_bench(bhost_ctx *ctx, struct bench *b)
{
    struct pragmas p = resolve_pragmas(ctx);
    if (open_database(ctx, b) != BHOST_OK || apply_pragmas(ctx, b->db, &p) != BHOST_OK ||
        verify_pragmas(ctx, b->db, &p) != BHOST_OK || prepare_statements(ctx, b) != BHOST_OK)
        return BHOST_FAIL;
    return fill_table(ctx, b);
}

static int sqlite_pragma_setup(bhost_ctx *ctx, void **state)
{
    struct bench *b = calloc(1, sizeof *b);
    if (!b)
        return bhost_fail(ctx, "out of memory");
    b->workload = bhost_param_choice(ctx, "workload");
    b->rows = bhost_param_int(ctx, "rows");
    b->value_size = bhost_param_int(ctx, "value_size");
    b->seed = b->rng = bhost_seed(ctx);
    b->value = malloc((size_t)b->value_size + 1); /* never NULL: a 0-byte blob is not NULL */
    int rc = b->value ? start_bench(ctx, b) : bhost_fail(ctx, "out of memory");
    if (rc != BHOST_OK) {
        sqlite_pragma_teardown(ctx, b);
        return rc;
    }
    for (enum op op = 0; op < OP_COUNT; op++)
        if (workload_runs(b->workload, op))
            b->hist[op] = bhost_histogram(ctx, op_names[op]);
    b->ready = 1;
    *state = b;
    return BHOST_OK;
}

static const char *const workloads[] = {"insert", "select", "update", "mixed", NULL};
static const char *const profile_names[] = {"none", "safety", "balanced", "performance", NULL};
static const char *const journal_modes[] = {"profile", "delete", "truncate", "persist",
                                            "memory",  "wal",    "off",      NULL};
static const char *const sync_levels[] = {"profile", "off", "normal", "full", "extra", NULL};
static const char *const temp_stores[] = {"profile", "default", "file", "memory", NULL};
static const char *const page_sizes[] = {"profile", "512",   "1024",  "2048",  "4096",
                                         "8192",    "16384", "32768", "65536", NULL};

static const struct bhost_param params[] = {
    {.name = "workload", .type = BHOST_ENUM, .def = "insert", .choices = workloads,
     .doc = "one statement per iteration: insert, select, update, or mixed (60/20/20 "
            "select/update/insert)"},
    {.name = "rows", .type = BHOST_INT, .def = "1000", .min = "1", .max = "100000000",
     .unit = "rows", .doc = "rows in the table before the first iteration"},
    {.name = "value_size", .type = BHOST_INT, .def = "100", .min = "0", .max = "1048576",
     .unit = "bytes", .doc = "bytes in each row's value"},
    {.name = "profile", .type = BHOST_ENUM, .def = "none", .choices = profile_names,
     .doc = "a group of pragmas: none (SQLite's defaults), safety, balanced, performance"},
    {.name = "journal_mode", .type = BHOST_ENUM, .def = "profile", .choices = journal_modes,
     .doc = "PRAGMA journal_mode; profile: the profile's"},
    {.name = "synchronous", .type = BHOST_ENUM, .def = "profile", .choices = sync_levels,
     .doc = "PRAGMA synchronous; profile: the profile's"},
    {.name = "cache_size", .type = BHOST_INT, .def = "-1", .min = "-1", .max = "16777216",
     .unit = "KiB", .doc = "page cache (PRAGMA cache_size = -KiB); -1: the profile's"},
    {.name = "temp_store", .type = BHOST_ENUM, .def = "profile", .choices = temp_stores,
     .doc = "PRAGMA temp_store; profile: the profile's"},
    {.name = "mmap_size", .type = BHOST_INT, .def = "-1", .min = "-1",
     .max = "1099511627776", .unit = "bytes",
     .doc = "PRAGMA mmap_size; -1: the profile's (SQLite caps it at its build's maximum)"},
    {.name = "page_size", .type = BHOST_ENUM, .def = "profile", .choices = page_sizes,
     .unit = "bytes", .doc = "PRAGMA page_size, set before the table exists; profile: the "
                             "profile's"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "sqlite_pragma",
    .version = "1.0",
    .summary = "SQLite statements, each its own transaction, under a pragma profile",
    .doc = "A table of `rows` rows of `value_size` bytes in the point's scratch directory; "
           "each iteration is one autocommit insert, select or update, timed into the "
           "histogram of its kind. Pragmas come from `profile`, overridden by any pragma "
           "parameter not left at profile/-1; setup() reads each back and fails the point "
           "if one did not take effect. Gauges: the pragmas in force, table_rows, "
           "inserted_rows. docs/experiments/sqlite_pragma.md.",
    BHOST_PARAMS(params),
    .setup = sqlite_pragma_setup,
    .iterate = sqlite_pragma_iterate,
    .flags = BHOST_ONE_THREAD, /* one SQLite connection, not shared between threads */
    .teardown = sqlite_pragma_teardown,
};
