/* history.c — see history.h: where the database is, opening it with its schema, and the
 * machine fingerprint. */
#include "history/history.h"
#include "history/db.h"
#include "util/files.h"
#include "util/hash.h"
#include "util/mem.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *history_path(const char *option)
{
    const char *env = getenv(HISTORY_ENV);
    const char *path = option && *option ? option : env && *env ? env : HISTORY_DEFAULT_PATH;
    return strcmp(path, "off") == 0 ? NULL : path;
}

/* Version 1. Figures and metrics are keyed by run and point; repetition -1 is a
 * histogram's summary over all its repetitions. */
static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS runs ("
    " number INTEGER PRIMARY KEY, results_path TEXT NOT NULL UNIQUE, spec TEXT NOT NULL,"
    " spec_file TEXT, started_utc TEXT, finished_utc TEXT, git_commit TEXT, git_dirty INTEGER,"
    " status TEXT, points_run INTEGER, points_failed INTEGER, fingerprint TEXT NOT NULL,"
    " bhost_version TEXT, recorded_utc TEXT NOT NULL, spec_json TEXT NOT NULL,"
    " environment_json TEXT NOT NULL, bhost_json TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS runs_by_spec ON runs (spec, fingerprint, number);"
    "CREATE TABLE IF NOT EXISTS points ("
    " run INTEGER NOT NULL REFERENCES runs (number), point_id TEXT NOT NULL, label TEXT,"
    " experiment TEXT, status TEXT, failures INTEGER, success_rate REAL, iterations INTEGER,"
    " wall_s REAL, repetitions INTEGER, plugin_build_id TEXT, PRIMARY KEY (run, point_id));"
    "CREATE INDEX IF NOT EXISTS points_by_id ON points (point_id, run);"
    "CREATE TABLE IF NOT EXISTS figures ("
    " run INTEGER NOT NULL, point_id TEXT NOT NULL, histogram TEXT NOT NULL,"
    " repetition INTEGER NOT NULL, unit TEXT, count INTEGER, mean REAL, min INTEGER,"
    " max INTEGER, p50 INTEGER, p75 INTEGER, p90 INTEGER, p95 INTEGER, p99 INTEGER,"
    " p99_9 INTEGER, p99_99 INTEGER, PRIMARY KEY (run, point_id, histogram, repetition));"
    "CREATE TABLE IF NOT EXISTS metrics ("
    " run INTEGER NOT NULL, point_id TEXT NOT NULL, name TEXT NOT NULL, kind TEXT, value REAL,"
    " PRIMARY KEY (run, point_id, name));"
    "PRAGMA user_version = 1;";

/* One integer from a statement without values (PRAGMA user_version, a count); rc. */
static int query_int(struct history *h, const char *sql, long long *out)
{
    sqlite3_stmt *s;
    uint64_t since = 0;
    int rc;
    do
        rc = sqlite3_prepare_v2(h->db, sql, -1, &s, NULL);
    while (db_busy_again(h, rc, &since));
    if (rc != SQLITE_OK)
        return rc;
    while ((rc = sqlite3_step(s)) != SQLITE_ROW && db_busy_again(h, rc, &since))
        sqlite3_reset(s);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(s, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    return rc;
}

/* Checks the schema's version, creating it in an empty database (once, however many
 * processes open it at the same moment: the check is repeated inside the write lock). */
static int ensure_schema(struct history *h, char *err, size_t errlen)
{
    long long version = 0, tables = 0;
    int rc = query_int(h, "PRAGMA user_version", &version);
    if (rc != SQLITE_OK)
        return db_fail(h, rc, "cannot read", err, errlen);
    if (version == 0) {
        if ((rc = db_exec(h, "BEGIN IMMEDIATE")) != SQLITE_OK)
            return db_fail(h, rc, "cannot create the schema", err, errlen);
        rc = query_int(h, "PRAGMA user_version", &version);
        if (rc == SQLITE_OK && version == 0)
            rc = query_int(h, "SELECT count(*) FROM sqlite_master", &tables);
        if (rc == SQLITE_OK && version == 0 && tables > 0) {
            db_rollback(h);
            snprintf(err, errlen,
                     "%s: an SQLite database, but not a bhost history (it has tables and no "
                     "schema version)",
                     h->path);
            return -1;
        }
        if (rc == SQLITE_OK && version == 0 && (rc = db_exec(h, schema_sql)) == SQLITE_OK)
            version = HISTORY_SCHEMA_VERSION;
        if (rc == SQLITE_OK)
            rc = db_exec(h, "COMMIT");
        if (rc != SQLITE_OK) {
            db_fail(h, rc, "cannot create the schema", err, errlen);
            db_rollback(h);
            return -1;
        }
    }
    if (version > HISTORY_SCHEMA_VERSION) {
        snprintf(err, errlen,
                 "%s: history schema version %lld is newer than this bhost's (%d); use the "
                 "bhost that wrote it, or a newer one",
                 h->path, version, HISTORY_SCHEMA_VERSION);
        return -1;
    }
    return 0;
}

/* Makes the folder the database goes in. */
static int make_parent(const char *path, char *err, size_t errlen)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return 0;
    char *parent = xasprintf("%.*s", (int)(slash - path), path);
    int rc = mkdir_p(parent, 0755);
    if (rc != 0)
        snprintf(err, errlen, "%s: cannot create its folder %s: %s", path, parent,
                 strerror(errno));
    free(parent);
    return rc;
}

int history_open(const char *path, int create, struct history **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!create && access(path, F_OK) != 0) {
        int e = errno;
        snprintf(err, errlen, "%s: no history database there (%s)", path, strerror(e));
        errno = e;
        return -1;
    }
    if (create && make_parent(path, err, errlen) != 0) {
        errno = EIO;
        return -1;
    }
    struct history *h = xcalloc(1, sizeof *h);
    h->path = xstrdup(path);
    h->busy_ms = db_busy_ms();
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path, &h->db, flags, NULL);
    if (rc != SQLITE_OK) {
        int e = h->db && sqlite3_system_errno(h->db) ? sqlite3_system_errno(h->db) : errno;
        snprintf(err, errlen, "%s: cannot open: %s (%s)", path,
                 h->db ? sqlite3_errmsg(h->db) : sqlite3_errstr(rc), strerror(e));
        history_close(h);
        errno = EIO;
        return -1;
    }
    sqlite3_busy_timeout(h->db, h->busy_ms);
    /* WAL: readers never wait for a writer, and a writer waits only for another writer. */
    rc = db_exec(h, "PRAGMA journal_mode = WAL");
    if (rc != SQLITE_OK) {
        db_fail(h, rc, "cannot open", err, errlen);
        history_close(h);
        errno = EIO;
        return -1;
    }
    if (ensure_schema(h, err, errlen) != 0) {
        history_close(h);
        errno = EIO;
        return -1;
    }
    *out = h;
    return 0;
}

void history_close(struct history *h)
{
    if (!h)
        return;
    sqlite3_close(h->db);
    free(h->path);
    free(h);
}

/* The environment fields that change timings; docs/history.md lists the bytes hashed. */
static const char *const fingerprint_fields[] = {
    "hostname", "cpu/model", "cpu/logical_count", "os/kernel",
    "build/build_type", "build/compiler", "build/sanitized",
};

static const json_t *at_path(const json_t *v, const char *path)
{
    char key[64];
    while (v && *path) {
        size_t n = strcspn(path, "/");
        snprintf(key, sizeof key, "%.*s", (int)n, path);
        v = json_object_get(v, key);
        path += n + (path[n] == '/');
    }
    return v;
}

char *history_fingerprint(const json_t *doc)
{
    const json_t *env = json_object_get(doc, "environment");
    uint64_t hash = FNV1A64_INIT;
    for (size_t k = 0; k < ARRAY_LEN(fingerprint_fields); k++) {
        /* "field=<compact JSON>\n", null for a missing field. */
        const json_t *v = at_path(env, fingerprint_fields[k]);
        char *text = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        char *line = xasprintf("%s=%s\n", fingerprint_fields[k], text ? text : "null");
        hash = fnv1a64(line, strlen(line), hash);
        free(line);
        free(text);
    }
    return xasprintf("%016" PRIx64, hash);
}
