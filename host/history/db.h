/*
 * db.h — the history database's connection and the SQLite chores its
 * modules share: errors worded for people (naming the file), statements run
 * with bound values, JSON values in and out of columns.
 */
#ifndef BHOST_HISTORY_DB_H
#define BHOST_HISTORY_DB_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define HISTORY_BUSY_ENV "BHOST_HISTORY_BUSY_MS" /* the busy timeout in ms, for tests */
#define HISTORY_BUSY_MS_DEFAULT 10000
#define HISTORY_SCHEMA_VERSION 1                  /* PRAGMA user_version of this bhost */

struct history {
    sqlite3 *db;
    char *path;  /* as opened, for messages */
    int busy_ms; /* how long a statement waits for another connection's lock */
};

/* $BHOST_HISTORY_BUSY_MS if it is a number from 0 to 600000, else 10 s. */
int db_busy_ms(void);

/*
 * Puts "PATH: what: reason" in err for SQLite result code rc on h's
 * connection; the reason reads "database is locked after N ms", "file is not
 * a database", ... Returns -1.
 */
int db_fail(const struct history *h, int rc, const char *what, char *err, size_t errlen);

/* results_path as the runs table keys it: a directory's results.json, absolute, with
 * symbolic links resolved where the file exists; a new string. */
char *db_results_key(const char *path);

/*
 * After result code rc: 1 if it is SQLITE_BUSY and less than the busy timeout has passed
 * since *since_ns (0: now, the first time), after a short sleep, to try again; else 0.
 * SQLite's own busy handler is not called in every case (a journal mode being changed, a
 * WAL being recovered, a database being created by another process at that moment).
 */
int db_busy_again(const struct history *h, int rc, uint64_t *since_ns);
/* Runs SQL without values (BEGIN, COMMIT, CREATE, PRAGMA ...), retried while busy; an
 * SQLite result code. */
int db_exec(struct history *h, const char *sql);
/* Rolls back an open transaction, if any, keeping the first error's message. */
void db_rollback(struct history *h);

/* Binds a JSON scalar to parameter i: text, integer, real, bool (0/1), NULL for null or a
 * missing value (an object or array is bound as its compact JSON text). */
int db_bind_json(sqlite3_stmt *s, int i, const json_t *v);
/* Binds a string, or NULL. */
int db_bind_text(sqlite3_stmt *s, int i, const char *text);
/* Column i as JSON: an integer, real, string or null (a new reference). */
json_t *db_column_json(sqlite3_stmt *s, int i);
/* Column i's text, or NULL. */
const char *db_column_text(sqlite3_stmt *s, int i);

#endif
