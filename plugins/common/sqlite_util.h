/*
 * sqlite_util.h — SQLite calls for the SQLite experiments (memory_db,
 * sqlite_pragma), each turning an error into bhost_fail() with SQLite's own
 * message. Compiled into each plugin, hidden: not part of any plugin's ABI.
 */
#ifndef BHOST_PLUGINS_SQLITE_UTIL_H
#define BHOST_PLUGINS_SQLITE_UTIL_H

#include <bhost/bhost.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* bhost_fail(ctx, "WHAT: <sqlite's message>"). */
int sqlu_fail(bhost_ctx *ctx, sqlite3 *db, const char *what);
/* Runs `sql` (any number of statements, no rows wanted). */
int sqlu_exec(bhost_ctx *ctx, sqlite3 *db, const char *sql);
int sqlu_prepare(bhost_ctx *ctx, sqlite3 *db, const char *sql, sqlite3_stmt **stmt);
/* The first column of the one row `sql` returns, as text (into buf) or as an integer. */
int sqlu_query_text(bhost_ctx *ctx, sqlite3 *db, const char *sql, char *buf, size_t n);
int sqlu_query_int(bhost_ctx *ctx, sqlite3 *db, const char *sql, int64_t *out);

#endif
