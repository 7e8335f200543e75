/* sqlite_util.c — see sqlite_util.h. */
#include "sqlite_util.h"

#include <stdio.h>

int sqlu_fail(bhost_ctx *ctx, sqlite3 *db, const char *what)
{
    return bhost_fail(ctx, "%s: %s", what, sqlite3_errmsg(db));
}

int sqlu_exec(bhost_ctx *ctx, sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK)
        return BHOST_OK;
    int rc = bhost_fail(ctx, "%s: %s", sql, err ? err : sqlite3_errmsg(db));
    sqlite3_free(err);
    return rc;
}

int sqlu_prepare(bhost_ctx *ctx, sqlite3 *db, const char *sql, sqlite3_stmt **stmt)
{
    if (sqlite3_prepare_v2(db, sql, -1, stmt, NULL) != SQLITE_OK)
        return sqlu_fail(ctx, db, sql);
    return BHOST_OK;
}

int sqlu_query_text(bhost_ctx *ctx, sqlite3 *db, const char *sql, char *buf, size_t n)
{
    sqlite3_stmt *stmt;
    if (sqlu_prepare(ctx, db, sql, &stmt) != BHOST_OK)
        return BHOST_FAIL;
    int rc = BHOST_OK;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        const unsigned char *text = sqlite3_column_text(stmt, 0);
        snprintf(buf, n, "%s", text ? (const char *)text : "");
    } else {
        rc = sqlu_fail(ctx, db, sql);
    }
    sqlite3_finalize(stmt);
    return rc;
}

int sqlu_query_int(bhost_ctx *ctx, sqlite3 *db, const char *sql, int64_t *out)
{
    sqlite3_stmt *stmt;
    if (sqlu_prepare(ctx, db, sql, &stmt) != BHOST_OK)
        return BHOST_FAIL;
    int rc = BHOST_OK;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *out = sqlite3_column_int64(stmt, 0);
    else
        rc = sqlu_fail(ctx, db, sql);
    sqlite3_finalize(stmt);
    return rc;
}
