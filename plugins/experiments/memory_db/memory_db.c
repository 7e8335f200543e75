/*
 * memory_db — a simulation that keeps its state in SQLite.
 *
 * `agents` agents live for `steps` steps. Every step updates each agent's
 * state row (position, health, energy, resources, age, last action) and,
 * with `log_actions`, appends one action row per agent; a transaction
 * commits every `commit_every` steps. One iteration is one whole
 * simulation, from an empty database to the last row:
 *
 *   disk            the database is a file from the start: every commit
 *                   goes through the journal and the pragmas below.
 *   memory          the database lives in memory only and is thrown away:
 *                   the floor, what the work costs with no disk at all.
 *   memory_persist  the database lives in memory and is copied to a file
 *                   once, at the end, with SQLite's online backup API.
 *
 * Histograms: `step` (each step, its commit included), `persist` (the copy
 * to disk) and `total` (first step until the data is complete on disk and
 * the file closed), the figure to compare across modes. After each
 * simulation the database is checked row by row against the simulation's
 * own state, from a fresh connection to the file where there is one.
 */
#include <bhost/bhost.h>
#include "sqlite_util.h"

#include <sqlite3.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum db_mode { MODE_DISK = 0, MODE_MEMORY = 1, MODE_MEMORY_PERSIST = 2 };

enum action { ACT_MOVE, ACT_GATHER, ACT_REST, ACT_FIGHT, ACT_TRADE, ACT_COUNT };

struct agent {
    double x, y, health, energy;
    int64_t resources, age, action;
};

/* The row an agent's action adds to the log. */
struct action_row {
    int64_t action, target, amount;
};

struct settings {
    int mode;
    int64_t agents, steps, commit_every;
    int log_actions;
    const char *journal_mode, *synchronous, *page_size;
    int sync_level; /* synchronous as SQLite reports it: 0 off .. 3 extra */
    int64_t cache_kib;
};

struct sim {
    struct settings set;
    char *path;           /* the file: disk mode, and memory_persist's copy */
    int keep_file;        /* db_dir was given: the file outlives the point */
    struct agent *agents;
    uint64_t seed, rng;   /* every simulation restarts from the point's seed */
    int64_t amount_sum;   /* sum of the logged amounts, to check the log by */
    bhost_hist *step, *persist, *total;
};

/* What one simulation holds open; run_close() releases it on every path. */
struct run {
    sqlite3 *db;
    sqlite3_stmt *update, *log;
    int in_transaction;
};

/* --- small SQLite helpers ------------------------------------------------- */

/* Sets a pragma and reads it back: SQLite ignores values it cannot apply. */
static int set_pragma(bhost_ctx *ctx, sqlite3 *db, const char *name, const char *value,
                      const char *expect)
{
    char sql[128], got[64];
    snprintf(sql, sizeof sql, "PRAGMA %s = %s", name, value);
    if (sqlu_exec(ctx, db, sql) != BHOST_OK)
        return BHOST_FAIL;
    snprintf(sql, sizeof sql, "PRAGMA %s", name);
    if (sqlu_query_text(ctx, db, sql, got, sizeof got) != BHOST_OK)
        return BHOST_FAIL;
    if (strcmp(got, expect) != 0)
        return bhost_fail(ctx, "pragma %s = %s did not take effect: SQLite reports %s", name,
                          value, got);
    return BHOST_OK;
}

static int open_db(bhost_ctx *ctx, const char *path, int flags, sqlite3 **db)
{
    if (sqlite3_open_v2(path, db, flags, NULL) == SQLITE_OK)
        return BHOST_OK;
    int rc = *db ? bhost_fail(ctx, "open %s: %s", path, sqlite3_errmsg(*db))
                 : bhost_fail(ctx, "open %s: out of memory", path);
    sqlite3_close(*db);
    *db = NULL;
    return rc;
}

static int close_db(bhost_ctx *ctx, sqlite3 **db)
{
    int rc = BHOST_OK;
    if (*db && sqlite3_close(*db) != SQLITE_OK)
        rc = sqlu_fail(ctx, *db, "close");
    *db = NULL;
    return rc;
}

/* --- files ------------------------------------------------------------------- */

static char *path_join(const char *dir, const char *name, const char *suffix)
{
    size_t n = strlen(dir) + strlen(name) + strlen(suffix) + 2;
    char *path = malloc(n);
    if (path)
        snprintf(path, n, "%s/%s%s", dir, name, suffix);
    return path;
}

/* Removes the database and whatever journal SQLite may have left beside it. */
static int remove_db_files(const char *path, const char **failed)
{
    static const char *const suffixes[] = {"", "-journal", "-wal", "-shm"};
    char name[4096];
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        snprintf(name, sizeof name, "%s%s", path, suffixes[i]);
        if (unlink(name) != 0 && errno != ENOENT) {
            *failed = suffixes[i];
            return -1;
        }
    }
    return 0;
}

/* Bytes the database holds on disk: the file plus any write-ahead log. */
static double bytes_on_disk(const char *path)
{
    char wal[4096];
    struct stat st;
    double bytes = 0;
    if (stat(path, &st) == 0)
        bytes += (double)st.st_size;
    snprintf(wal, sizeof wal, "%s-wal", path);
    if (stat(wal, &st) == 0)
        bytes += (double)st.st_size;
    return bytes;
}

/* --- the simulation ------------------------------------------------------------ */

static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Uniform in [-1, 1). */
static double signed_unit(uint64_t *state)
{
    return (double)(next_random(state) >> 11) * 0x1.0p-52 - 1.0;
}

static void agents_reset(struct sim *s)
{
    s->rng = s->seed;
    s->amount_sum = 0;
    for (int64_t i = 0; i < s->set.agents; i++)
        s->agents[i] = (struct agent){.x = 100.0 * signed_unit(&s->rng),
                                      .y = 100.0 * signed_unit(&s->rng),
                                      .health = 100.0, .energy = 50.0,
                                      .resources = 10, .action = ACT_REST};
}

/* One agent's move in one step: what it does changes its own state only. */
static struct action_row agent_act(struct sim *s, struct agent *a, int64_t id)
{
    uint64_t *rng = &s->rng;
    struct action_row r = {.action = (int64_t)(next_random(rng) % ACT_COUNT), .target = id};
    switch (r.action) {
    case ACT_MOVE:
        a->x += signed_unit(rng);
        a->y += signed_unit(rng);
        a->energy -= 1.0;
        break;
    case ACT_GATHER:
        r.amount = 1 + (int64_t)(next_random(rng) % 5);
        a->resources += r.amount;
        a->energy -= 0.5;
        break;
    case ACT_REST:
        a->energy += 2.0;
        a->health = a->health + 1.0 > 100.0 ? 100.0 : a->health + 1.0;
        break;
    case ACT_FIGHT:
        r.target = 1 + (int64_t)(next_random(rng) % (uint64_t)s->set.agents);
        r.amount = (int64_t)(next_random(rng) % 10);
        a->health -= 0.5 * (double)r.amount;
        a->energy -= 2.0;
        break;
    default: /* ACT_TRADE */
        r.target = 1 + (int64_t)(next_random(rng) % (uint64_t)s->set.agents);
        r.amount = a->resources > 3 ? 3 : a->resources;
        a->resources -= r.amount;
        break;
    }
    a->age++;
    a->action = r.action;
    return r;
}

static int write_state(bhost_ctx *ctx, struct run *r, const struct agent *a, int64_t id,
                       int64_t step)
{
    sqlite3_stmt *st = r->update;
    int rc = sqlite3_bind_int64(st, 1, step);
    rc = rc ? rc : sqlite3_bind_double(st, 2, a->x);
    rc = rc ? rc : sqlite3_bind_double(st, 3, a->y);
    rc = rc ? rc : sqlite3_bind_double(st, 4, a->health);
    rc = rc ? rc : sqlite3_bind_double(st, 5, a->energy);
    rc = rc ? rc : sqlite3_bind_int64(st, 6, a->resources);
    rc = rc ? rc : sqlite3_bind_int64(st, 7, a->age);
    rc = rc ? rc : sqlite3_bind_int64(st, 8, a->action);
    rc = rc ? rc : sqlite3_bind_int64(st, 9, id);
    if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE) {
        sqlite3_reset(st);
        return sqlu_fail(ctx, r->db, "write agent row");
    }
    sqlite3_reset(st);
    if (sqlite3_changes(r->db) != 1)
        return bhost_fail(ctx, "agent %" PRId64 ": no row was written", id);
    return BHOST_OK;
}

static int write_log(bhost_ctx *ctx, struct run *r, const struct action_row *row, int64_t id,
                     int64_t step)
{
    sqlite3_stmt *st = r->log;
    int rc = sqlite3_bind_int64(st, 1, step);
    rc = rc ? rc : sqlite3_bind_int64(st, 2, id);
    rc = rc ? rc : sqlite3_bind_int64(st, 3, row->action);
    rc = rc ? rc : sqlite3_bind_int64(st, 4, row->target);
    rc = rc ? rc : sqlite3_bind_int64(st, 5, row->amount);
    if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE) {
        sqlite3_reset(st);
        return sqlu_fail(ctx, r->db, "insert into action_log");
    }
    sqlite3_reset(st);
    return BHOST_OK;
}

static int simulate_step(bhost_ctx *ctx, struct sim *s, struct run *r, int64_t step)
{
    if (!r->in_transaction) {
        if (sqlu_exec(ctx, r->db, "BEGIN") != BHOST_OK)
            return BHOST_FAIL;
        r->in_transaction = 1;
    }
    for (int64_t i = 0; i < s->set.agents; i++) {
        struct action_row row = agent_act(s, &s->agents[i], i + 1);
        if (write_state(ctx, r, &s->agents[i], i + 1, step) != BHOST_OK)
            return BHOST_FAIL;
        if (s->set.log_actions) {
            if (write_log(ctx, r, &row, i + 1, step) != BHOST_OK)
                return BHOST_FAIL;
            s->amount_sum += row.amount;
        }
    }
    if (step % s->set.commit_every == 0 || step == s->set.steps) {
        if (sqlu_exec(ctx, r->db, "COMMIT") != BHOST_OK)
            return BHOST_FAIL;
        r->in_transaction = 0;
    }
    return BHOST_OK;
}

/* --- opening, persisting, checking --------------------------------------------- */

/* The pragmas that decide what a commit to a file costs. */
static int file_pragmas(bhost_ctx *ctx, const struct settings *set, sqlite3 *db)
{
    char kib[32], level[8];
    snprintf(kib, sizeof kib, "%" PRId64, -set->cache_kib);
    snprintf(level, sizeof level, "%d", set->sync_level);
    if (set_pragma(ctx, db, "journal_mode", set->journal_mode, set->journal_mode) != BHOST_OK ||
        set_pragma(ctx, db, "synchronous", set->synchronous, level) != BHOST_OK ||
        set_pragma(ctx, db, "cache_size", kib, kib) != BHOST_OK)
        return BHOST_FAIL;
    return BHOST_OK;
}

/* An empty database of the given kind; page_size must come before any table. */
static int open_fresh(bhost_ctx *ctx, const struct sim *s, const char *path, sqlite3 **db)
{
    const char *failed;
    if (path && remove_db_files(path, &failed) != 0)
        return bhost_fail(ctx, "remove %s%s: %s", path, failed, strerror(errno));
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (open_db(ctx, path ? path : ":memory:", flags, db) != BHOST_OK)
        return BHOST_FAIL;
    if (set_pragma(ctx, *db, "page_size", s->set.page_size, s->set.page_size) != BHOST_OK)
        return BHOST_FAIL;
    return path ? file_pragmas(ctx, &s->set, *db) : BHOST_OK;
}

static int create_world(bhost_ctx *ctx, struct sim *s, struct run *r)
{
    if (sqlu_exec(ctx, r->db,
                 "CREATE TABLE agent(id INTEGER PRIMARY KEY, step INTEGER NOT NULL,"
                 " x REAL NOT NULL, y REAL NOT NULL, health REAL NOT NULL,"
                 " energy REAL NOT NULL, resources INTEGER NOT NULL, age INTEGER NOT NULL,"
                 " action INTEGER NOT NULL);"
                 "CREATE TABLE action_log(id INTEGER PRIMARY KEY, step INTEGER NOT NULL,"
                 " agent INTEGER NOT NULL, action INTEGER NOT NULL, target INTEGER NOT NULL,"
                 " amount INTEGER NOT NULL);") != BHOST_OK)
        return BHOST_FAIL;
    if (sqlu_prepare(ctx, r->db,
                "INSERT INTO agent(id, step, x, y, health, energy, resources, age, action)"
                " VALUES(?9, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", &r->update) != BHOST_OK)
        return BHOST_FAIL;
    agents_reset(s);
    if (sqlu_exec(ctx, r->db, "BEGIN") != BHOST_OK)
        return BHOST_FAIL;
    r->in_transaction = 1;
    for (int64_t i = 0; i < s->set.agents; i++)
        if (write_state(ctx, r, &s->agents[i], i + 1, 0) != BHOST_OK)
            return BHOST_FAIL;
    if (sqlu_exec(ctx, r->db, "COMMIT") != BHOST_OK)
        return BHOST_FAIL;
    r->in_transaction = 0;
    sqlite3_finalize(r->update);
    r->update = NULL;
    if (sqlu_prepare(ctx, r->db,
                "UPDATE agent SET step = ?1, x = ?2, y = ?3, health = ?4, energy = ?5,"
                " resources = ?6, age = ?7, action = ?8 WHERE id = ?9", &r->update) != BHOST_OK ||
        sqlu_prepare(ctx, r->db,
                "INSERT INTO action_log(step, agent, action, target, amount)"
                " VALUES(?1, ?2, ?3, ?4, ?5)", &r->log) != BHOST_OK)
        return BHOST_FAIL;
    return BHOST_OK;
}

/* Finalizes the statements and closes the connection: the file is complete. */
static int run_close(bhost_ctx *ctx, struct run *r)
{
    sqlite3_finalize(r->update);
    sqlite3_finalize(r->log);
    r->update = r->log = NULL;
    r->in_transaction = 0;
    return close_db(ctx, &r->db);
}

/* Copies the in-memory database to the file with the online backup API. */
static int persist(bhost_ctx *ctx, const struct sim *s, struct run *r)
{
    sqlite3 *file = NULL;
    if (open_fresh(ctx, s, s->path, &file) != BHOST_OK) {
        sqlite3_close(file); /* open, if a pragma failed */
        return BHOST_FAIL;
    }
    sqlite3_backup *backup = sqlite3_backup_init(file, "main", r->db, "main");
    if (!backup) {
        sqlu_fail(ctx, file, "backup to disk");
        sqlite3_close(file);
        return BHOST_FAIL;
    }
    int step_rc = sqlite3_backup_step(backup, -1);
    int finish_rc = sqlite3_backup_finish(backup);
    if (step_rc != SQLITE_DONE || finish_rc != SQLITE_OK) {
        bhost_fail(ctx, "backup to disk: %s",
                   step_rc != SQLITE_DONE ? sqlite3_errstr(step_rc) : sqlite3_errmsg(file));
        sqlite3_close(file);
        return BHOST_FAIL;
    }
    return close_db(ctx, &file);
}

/* The timed part: the steps, then whatever makes the data complete on disk. */
static int simulate(bhost_ctx *ctx, struct sim *s, struct run *r)
{
    uint64_t start = bhost_now_ns(ctx);
    for (int64_t step = 1; step <= s->set.steps; step++) {
        uint64_t t0 = bhost_now_ns(ctx);
        if (simulate_step(ctx, s, r, step) != BHOST_OK)
            return BHOST_FAIL;
        bhost_record(ctx, s->step, (int64_t)(bhost_now_ns(ctx) - t0));
    }
    if (s->set.mode == MODE_MEMORY_PERSIST) {
        uint64_t t0 = bhost_now_ns(ctx);
        if (persist(ctx, s, r) != BHOST_OK)
            return BHOST_FAIL;
        bhost_record(ctx, s->persist, (int64_t)(bhost_now_ns(ctx) - t0));
    } else if (s->set.mode == MODE_DISK) {
        if (run_close(ctx, r) != BHOST_OK)
            return BHOST_FAIL;
    }
    bhost_record(ctx, s->total, (int64_t)(bhost_now_ns(ctx) - start));
    return BHOST_OK;
}

static int agent_matches(const struct agent *a, sqlite3_stmt *st, int64_t step)
{
    return sqlite3_column_int64(st, 1) == step && sqlite3_column_double(st, 2) == a->x &&
           sqlite3_column_double(st, 3) == a->y && sqlite3_column_double(st, 4) == a->health &&
           sqlite3_column_double(st, 5) == a->energy &&
           sqlite3_column_int64(st, 6) == a->resources && sqlite3_column_int64(st, 7) == a->age &&
           sqlite3_column_int64(st, 8) == a->action;
}

/* Every agent's row holds the simulation's final state for it. */
static int check_agents(bhost_ctx *ctx, const struct sim *s, sqlite3 *db)
{
    static const char sql[] = "SELECT id, step, x, y, health, energy, resources, age, action"
                              " FROM agent ORDER BY id";
    sqlite3_stmt *st;
    if (sqlu_prepare(ctx, db, sql, &st) != BHOST_OK)
        return BHOST_FAIL;
    int64_t n = 0;
    int rc = BHOST_OK, step_rc = SQLITE_DONE;
    while (rc == BHOST_OK && (step_rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        if (id != n + 1 || n >= s->set.agents)
            rc = bhost_fail(ctx, "agent table: row %" PRId64 " has id %" PRId64, n + 1, id);
        else if (!agent_matches(&s->agents[n], st, s->set.steps))
            rc = bhost_fail(ctx, "agent %" PRId64 ": the row differs from the simulated state",
                            id);
        n++;
    }
    if (rc == BHOST_OK && step_rc != SQLITE_DONE)
        rc = sqlu_fail(ctx, db, sql);
    else if (rc == BHOST_OK && n != s->set.agents)
        rc = bhost_fail(ctx, "agent table holds %" PRId64 " rows, expected %" PRId64, n,
                        s->set.agents);
    sqlite3_finalize(st);
    return rc;
}

/* The log holds one row per agent and step, and the amounts add up. */
static int check_log(bhost_ctx *ctx, const struct sim *s, sqlite3 *db, int64_t *rows)
{
    int64_t sum;
    if (sqlu_query_int(ctx, db, "SELECT count(*) FROM action_log", rows) != BHOST_OK ||
        sqlu_query_int(ctx, db, "SELECT coalesce(sum(amount), 0) FROM action_log", &sum) != BHOST_OK)
        return BHOST_FAIL;
    int64_t want = s->set.log_actions ? s->set.agents * s->set.steps : 0;
    if (*rows != want)
        return bhost_fail(ctx, "action_log holds %" PRId64 " rows, expected %" PRId64, *rows,
                          want);
    if (sum != s->amount_sum)
        return bhost_fail(ctx, "action_log amounts add up to %" PRId64 ", expected %" PRId64,
                          sum, s->amount_sum);
    return BHOST_OK;
}

static int check_db(bhost_ctx *ctx, const struct sim *s, sqlite3 *db)
{
    int64_t log_rows;
    if (check_agents(ctx, s, db) != BHOST_OK || check_log(ctx, s, db, &log_rows) != BHOST_OK)
        return BHOST_FAIL;
    bhost_gauge_set(ctx, "db_rows", (double)(s->set.agents + log_rows));
    return BHOST_OK;
}

/* Checks what the simulation left: the file from a fresh connection, or the memory. */
static int check_result(bhost_ctx *ctx, const struct sim *s, struct run *r)
{
    if (s->set.mode == MODE_MEMORY) {
        bhost_gauge_set(ctx, "db_bytes", 0);
        return check_db(ctx, s, r->db);
    }
    if (run_close(ctx, r) != BHOST_OK)
        return BHOST_FAIL;
    sqlite3 *file = NULL;
    if (open_db(ctx, s->path, SQLITE_OPEN_READONLY, &file) != BHOST_OK)
        return BHOST_FAIL;
    int rc = check_db(ctx, s, file);
    int close_rc = close_db(ctx, &file);
    bhost_gauge_set(ctx, "db_bytes", bytes_on_disk(s->path));
    return rc != BHOST_OK ? rc : close_rc;
}

/* --- hooks -------------------------------------------------------------------- */

static int memory_db_iterate(bhost_ctx *ctx, void *state)
{
    struct sim *s = state;
    struct run r = {0};
    int rc = open_fresh(ctx, s, s->set.mode == MODE_DISK ? s->path : NULL, &r.db);
    if (rc == BHOST_OK)
        rc = create_world(ctx, s, &r);
    if (rc == BHOST_OK)
        rc = simulate(ctx, s, &r);
    if (rc == BHOST_OK)
        rc = check_result(ctx, s, &r);
    if (rc == BHOST_OK)
        rc = run_close(ctx, &r);
    else
        run_close(ctx, &r); /* the first failure is the one to report */
    if (rc == BHOST_OK)
        bhost_counter_add(ctx, "rows_written",
                          (double)(s->set.agents * s->set.steps * (1 + s->set.log_actions)));
    return rc;
}

/* Where the file goes: db_dir if given (and kept), else the point's scratch directory. */
static int choose_path(bhost_ctx *ctx, struct sim *s)
{
    const char *dir = bhost_param_str(ctx, "db_dir");
    const char *name = "memory_db.db";
    char named[64];
    if (*dir) {
        struct stat st;
        if (stat(dir, &st) != 0)
            return bhost_fail(ctx, "db_dir %s: %s", dir, strerror(errno));
        if (!S_ISDIR(st.st_mode))
            return bhost_fail(ctx, "db_dir %s: not a directory", dir);
        snprintf(named, sizeof named, "%s.db", bhost_point_id(ctx));
        name = named;
        s->keep_file = 1;
    } else if (!(dir = bhost_scratch_dir(ctx))) {
        return bhost_fail(ctx, "no scratch directory");
    }
    if (!(s->path = path_join(dir, name, "")))
        return bhost_fail(ctx, "out of memory");
    return BHOST_OK;
}

static void memory_db_teardown(bhost_ctx *ctx, void *state)
{
    struct sim *s = state;
    const char *failed;
    if (s->path && !s->keep_file && remove_db_files(s->path, &failed) != 0)
        bhost_log(ctx, BHOST_LOG_WARN, "cannot remove %s%s: %s", s->path, failed,
                  strerror(errno));
    free(s->path);
    free(s->agents);
    free(s);
}

static int memory_db_setup(bhost_ctx *ctx, void **state)
{
    struct sim *s = calloc(1, sizeof *s);
    if (!s)
        return bhost_fail(ctx, "out of memory");
    s->set = (struct settings){
        .mode = bhost_param_choice(ctx, "mode"),
        .agents = bhost_param_int(ctx, "agents"),
        .steps = bhost_param_int(ctx, "steps"),
        .commit_every = bhost_param_int(ctx, "commit_every"),
        .log_actions = bhost_param_bool(ctx, "log_actions"),
        .journal_mode = bhost_param_str(ctx, "journal_mode"),
        .synchronous = bhost_param_str(ctx, "synchronous"),
        .sync_level = bhost_param_choice(ctx, "synchronous"),
        .page_size = bhost_param_str(ctx, "page_size"),
        .cache_kib = bhost_param_int(ctx, "cache_size"),
    };
    s->seed = bhost_seed(ctx);
    s->agents = calloc((size_t)s->set.agents, sizeof *s->agents);
    int rc = s->agents ? BHOST_OK : bhost_fail(ctx, "out of memory");
    if (rc == BHOST_OK && s->set.mode != MODE_MEMORY)
        rc = choose_path(ctx, s);
    if (rc != BHOST_OK) {
        memory_db_teardown(ctx, s);
        return rc;
    }
    s->step = bhost_histogram(ctx, "step");
    s->total = bhost_histogram(ctx, "total");
    if (s->set.mode == MODE_MEMORY_PERSIST)
        s->persist = bhost_histogram(ctx, "persist");
    *state = s;
    return BHOST_OK;
}

static const char *const modes[] = {"disk", "memory", "memory_persist", NULL};
static const char *const journal_modes[] = {"delete", "truncate", "persist", "memory",
                                            "wal",    "off",      NULL};
/* In SQLite's own order, so that a choice's index is the level SQLite reports. */
static const char *const sync_levels[] = {"off", "normal", "full", "extra", NULL};
static const char *const page_sizes[] = {"512",   "1024",  "2048",  "4096",
                                         "8192",  "16384", "32768", "65536", NULL};

static const struct bhost_param params[] = {
    {.name = "mode", .type = BHOST_ENUM, .def = "disk", .choices = modes,
     .doc = "disk: a file from the start; memory: memory only; memory_persist: memory, "
            "copied to a file at the end"},
    {.name = "agents", .type = BHOST_INT, .def = "200", .min = "1", .max = "1000000",
     .unit = "agents", .doc = "agents, one state row each"},
    {.name = "steps", .type = BHOST_INT, .def = "20", .min = "1", .max = "1000000",
     .unit = "steps", .doc = "simulation steps per iteration"},
    {.name = "commit_every", .type = BHOST_INT, .def = "1", .min = "1", .max = "1000000",
     .unit = "steps", .doc = "steps per transaction (the last step always commits)"},
    {.name = "log_actions", .type = BHOST_BOOL, .def = "true",
     .doc = "also append one action_log row per agent and step"},
    {.name = "journal_mode", .type = BHOST_ENUM, .def = "delete", .choices = journal_modes,
     .doc = "PRAGMA journal_mode of the file (disk mode, and memory_persist's copy)"},
    {.name = "synchronous", .type = BHOST_ENUM, .def = "full", .choices = sync_levels,
     .doc = "PRAGMA synchronous of the file (disk mode, and memory_persist's copy)"},
    {.name = "cache_size", .type = BHOST_INT, .def = "2000", .min = "0", .max = "16777216",
     .unit = "KiB", .doc = "page cache of the file's connection (PRAGMA cache_size = -KiB)"},
    {.name = "page_size", .type = BHOST_ENUM, .def = "4096", .choices = page_sizes,
     .unit = "bytes", .doc = "PRAGMA page_size, of every database of the point"},
    {.name = "db_dir", .type = BHOST_STRING, .def = "",
     .doc = "empty: the file lives in the point's scratch directory and is removed; else "
            "it is DB_DIR/<point id>.db and kept after the point"},
};

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_EXPERIMENT),
    .name = "memory_db",
    .version = "1.0",
    .summary = "a simulation's state in SQLite: on disk, in memory, or in memory persisted "
               "at the end",
    .doc = "One iteration simulates `agents` agents for `steps` steps: each step updates "
           "every agent's row and (log_actions) appends an action row per agent, committing "
           "every `commit_every` steps. Histograms: step, total (steps + making the file "
           "complete) and, for memory_persist, persist (the backup-API copy). Every "
           "iteration checks the database row by row. Counter rows_written; gauges db_rows, "
           "db_bytes. docs/experiments/memory_db.md.",
    BHOST_PARAMS(params),
    .setup = memory_db_setup,
    .iterate = memory_db_iterate,
    .flags = BHOST_ONE_THREAD, /* one SQLite connection, not shared between threads */
    .teardown = memory_db_teardown,
};
