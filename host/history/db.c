/* db.c — see db.h. */
#include "history/db.h"
#include "util/clock.h"
#include "util/mem.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int db_busy_ms(void)
{
    const char *v = getenv(HISTORY_BUSY_ENV);
    char *end;
    long ms = v && *v ? strtol(v, &end, 10) : -1;
    return v && *v && !*end && ms >= 0 && ms <= 600000 ? (int)ms : HISTORY_BUSY_MS_DEFAULT;
}

int db_fail(const struct history *h, int rc, const char *what, char *err, size_t errlen)
{
    const char *path = h && h->path ? h->path : "history";
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        snprintf(err, errlen,
                 "%s: %s: database is locked after %d ms (another process holds it; "
                 "BHOST_HISTORY_BUSY_MS sets the wait)",
                 path, what, h ? h->busy_ms : 0);
        break;
    case SQLITE_NOTADB:
        snprintf(err, errlen, "%s: %s: file is not a database (not an SQLite file, or damaged)",
                 path, what);
        break;
    case SQLITE_CORRUPT:
        snprintf(err, errlen, "%s: %s: the database is corrupt (%s)", path, what,
                 h && h->db ? sqlite3_errmsg(h->db) : sqlite3_errstr(rc));
        break;
    default:
        snprintf(err, errlen, "%s: %s: %s", path, what,
                 h && h->db && sqlite3_errcode(h->db) != SQLITE_OK ? sqlite3_errmsg(h->db)
                                                                   : sqlite3_errstr(rc));
    }
    return -1;
}

char *db_results_key(const char *path)
{
    struct stat st;
    char *file = stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? xasprintf("%s/results.json", path)
                                                            : xstrdup(path);
    char *real = realpath(file, NULL);
    if (real) {
        free(file);
        return real;
    }
    if (file[0] == '/')
        return file;
    char cwd[PATH_MAX];
    char *abs = getcwd(cwd, sizeof cwd) ? xasprintf("%s/%s", cwd, file) : xstrdup(file);
    free(file);
    return abs;
}

int db_busy_again(const struct history *h, int rc, uint64_t *since_ns)
{
    if ((rc & 0xff) != SQLITE_BUSY)
        return 0;
    uint64_t now = clock_now_ns();
    if (!*since_ns)
        *since_ns = now;
    if (now - *since_ns >= (uint64_t)h->busy_ms * 1000000u)
        return 0;
    nanosleep(&(struct timespec){.tv_nsec = 2000000}, NULL);
    return 1;
}

int db_exec(struct history *h, const char *sql)
{
    uint64_t since = 0;
    int rc;
    do
        rc = sqlite3_exec(h->db, sql, NULL, NULL, NULL);
    while (db_busy_again(h, rc, &since));
    return rc;
}

void db_rollback(struct history *h)
{
    if (!sqlite3_get_autocommit(h->db))
        sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
}

int db_bind_json(sqlite3_stmt *s, int i, const json_t *v)
{
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_STRING:
        return sqlite3_bind_text(s, i, json_string_value(v), (int)json_string_length(v),
                                 SQLITE_TRANSIENT);
    case JSON_INTEGER:
        return sqlite3_bind_int64(s, i, (sqlite3_int64)json_integer_value(v));
    case JSON_REAL:
        return sqlite3_bind_double(s, i, json_real_value(v));
    case JSON_TRUE:
        return sqlite3_bind_int(s, i, 1);
    case JSON_FALSE:
        return sqlite3_bind_int(s, i, 0);
    case JSON_OBJECT:
    case JSON_ARRAY: {
        char *text = json_dumps(v, JSON_COMPACT);
        int rc = text ? sqlite3_bind_text(s, i, text, -1, free) : SQLITE_NOMEM;
        return rc;
    }
    default:
        return sqlite3_bind_null(s, i);
    }
}

int db_bind_text(sqlite3_stmt *s, int i, const char *text)
{
    return text ? sqlite3_bind_text(s, i, text, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(s, i);
}

json_t *db_column_json(sqlite3_stmt *s, int i)
{
    switch (sqlite3_column_type(s, i)) {
    case SQLITE_INTEGER:
        return json_integer((json_int_t)sqlite3_column_int64(s, i));
    case SQLITE_FLOAT:
        return json_real(sqlite3_column_double(s, i));
    case SQLITE_TEXT: {
        json_t *text = json_string((const char *)sqlite3_column_text(s, i));
        return text ? text : json_null();
    }
    default:
        return json_null();
    }
}

const char *db_column_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}
