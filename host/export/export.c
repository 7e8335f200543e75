/* export.c — see export.h: the format table and the dispatch to each writer. */
#include "export/export.h"
#include "export/export_bmf.h"
#include "export/export_csv.h"
#include "export/export_gbench.h"
#include "export/export_junit.h"

#include <string.h>

const char *const export_format_names[EXPORT_FORMATS] = {"gbench", "bmf", "junit", "csv"};

int export_format_find(const char *name, enum export_format *format)
{
    for (int k = 0; k < EXPORT_FORMATS; k++)
        if (strcmp(name, export_format_names[k]) == 0) {
            *format = (enum export_format)k;
            return 0;
        }
    return -1;
}

int export_time_unit_ok(const char *unit)
{
    return gbench_time_unit_ok(unit);
}

void export_write(FILE *f, const json_t *doc, const struct export_options *o)
{
    struct gbench_options gbench = {.time_unit = o->time_unit ? o->time_unit : "ns",
                                     .aggregates_only = o->aggregates_only};
    switch (o->format) {
    case EXPORT_GBENCH:
        export_gbench(f, doc, &gbench);
        break;
    case EXPORT_BMF:
        export_bmf(f, doc, o->notes);
        break;
    case EXPORT_JUNIT:
        export_junit(f, doc);
        break;
    case EXPORT_CSV:
        export_csv(f, doc);
        break;
    }
}
