/*
 * services_reports.h — the host side of the ABI 1.2 services: metrics a
 * plugin cannot measure here, notes, tables and the point's label.
 * services.c puts them in struct bhost_api.
 */
#ifndef BHOST_SERVICES_REPORTS_H
#define BHOST_SERVICES_REPORTS_H

#include "run/context.h"

#include <bhost/bhost.h>
#include <stdarg.h>

void api_unavailablev(bhost_ctx *ctx, const char *name, const char *fmt, va_list ap);
void api_notev(bhost_ctx *ctx, const char *name, const char *fmt, va_list ap);
bhost_table *api_table_get(bhost_ctx *ctx, const char *name,
                       const struct bhost_table_options *options);
void api_table_row(bhost_ctx *ctx, bhost_table *table, const struct bhost_cell *cells);
const char *api_point_label(bhost_ctx *ctx);

#endif
