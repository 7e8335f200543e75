/* export_common.c — see export_common.h. */
#include "export/export_common.h"
#include "util/mem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int export_print_number(FILE *f, const json_t *v)
{
    char text[EXPORT_REAL_TEXT];
    if (json_is_integer(v)) {
        fprintf(f, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        export_real_text(text, json_real_value(v));
        fputs(text, f);
    } else {
        return 0;
    }
    return 1;
}

void export_real_text(char buf[EXPORT_REAL_TEXT], double x)
{
    int digits = 1;
    for (; digits < 17; digits++) {
        snprintf(buf, EXPORT_REAL_TEXT, "%.*g", digits, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    /* %g writes 1200 to 2 digits as 1.2e+03: a number that fits in 17 digits before
     * the point is written out (more digits than needed read back the same). */
    snprintf(buf, EXPORT_REAL_TEXT, "%.*e", digits - 1, x);
    const char *e = strchr(buf, 'e');
    int exponent = e ? atoi(e + 1) : 0;
    if (exponent >= digits && exponent < 17)
        digits = exponent + 1;
    snprintf(buf, EXPORT_REAL_TEXT, "%.*g", digits, x);
}

int export_number(const json_t *v, double *x)
{
    if (!json_is_number(v))
        return 0;
    *x = json_number_value(v);
    return 1;
}

char *export_value_text(const json_t *v)
{
    char real[EXPORT_REAL_TEXT];
    if (!v)
        return NULL;
    switch (json_typeof(v)) {
    case JSON_INTEGER:
        return xasprintf("%lld", (long long)json_integer_value(v));
    case JSON_REAL:
        export_real_text(real, json_real_value(v));
        return xstrdup(real);
    case JSON_TRUE:
        return xstrdup("true");
    case JSON_FALSE:
        return xstrdup("false");
    case JSON_STRING:
        return xstrdup(json_string_value(v));
    default:
        return NULL;
    }
}

const json_t *export_spec_experiment(const json_t *doc, const char *name)
{
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(json_object_get(doc, "spec"), "experiments"), i, e)
        if (strcmp(export_text(e, "name", ""), name) == 0)
            return e;
    return NULL;
}

json_t *export_axes(const json_t *spec_experiment)
{
    json_t *axes = json_array();
    const char *param;
    json_t *values;
    /* A spec experiment's params hold only what the spec set; a list is an axis. */
    json_object_foreach(json_object_get(spec_experiment, "params"), param, values)
        if (json_is_array(values))
            json_array_append_new(axes, json_string(param));
    if (json_is_array(json_object_get(spec_experiment, "threads")))
        json_array_append_new(axes, json_string("threads"));
    return axes;
}

char *export_axis_text(const json_t *point, const char *name, int *is_string)
{
    const json_t *v = json_object_get(json_object_get(point, "params"), name);
    if (!v && strcmp(name, "threads") == 0) {
        v = json_object_get(point, "threads");
        if (!v) {
            *is_string = 0;
            return xstrdup("1");
        }
    }
    *is_string = json_is_string(v);
    return export_value_text(v);
}

int export_metric_figure(const json_t *metric, double *x)
{
    const char *kind = export_text(metric, "kind", "");
    const json_t *v = strcmp(kind, "counter") == 0 ? json_object_get(metric, "per_iteration")
                      : strcmp(kind, "gauge") == 0 ? json_object_get(metric, "value")
                                                   : NULL;
    return export_number(v, x) && isfinite(*x) ? 0 : -1;
}

const char *export_text(const json_t *o, const char *key, const char *fallback)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : fallback;
}
