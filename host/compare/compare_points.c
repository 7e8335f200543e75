/* compare_points.c — see compare_points.h. */
#include "compare/compare_points.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

static json_t *pair(json_t *a, json_t *b)
{
    return json_pack("{s:o, s:o}", "a", a ? json_copy(a) : json_null(), "b",
                     b ? json_copy(b) : json_null());
}

static json_t *metrics(const json_t *ma, json_t *mb)
{
    json_t *out = json_object();
    const char *name;
    json_t *b;
    json_object_foreach(mb, name, b) {
        json_t *a = json_object_get(ma, name);
        const char *kind = json_string_value(json_object_get(b, "kind"));
        const char *kind_a = json_string_value(json_object_get(a, "kind"));
        json_t *va = json_object_get(a, "value"), *vb = json_object_get(b, "value");
        if (!kind || !kind_a || strcmp(kind, kind_a) != 0 || !json_is_number(va) ||
            !json_is_number(vb) ||
            (strcmp(kind, "counter") != 0 && strcmp(kind, "gauge") != 0))
            continue;
        double x = json_number_value(va), y = json_number_value(vb);
        json_object_set_new(out, name,
                            json_pack("{s:s, s:f, s:f, s:o}", "kind", kind, "a", x, "b", y,
                                      "ratio", x != 0 ? json_real(y / x) : json_null()));
    }
    return out;
}

static int failed(const char *status)
{
    return status && (strcmp(status, "failed") == 0 || strcmp(status, "partial") == 0);
}

json_t *compare_point(const json_t *a, const json_t *b)
{
    json_t *fa = json_object_get(a, "failures"), *fb = json_object_get(b, "failures");
    json_t *ca = json_object_get(fa, "count"), *cb = json_object_get(fb, "count");
    const char *sa = json_string_value(json_object_get(a, "status"));
    const char *sb = json_string_value(json_object_get(b, "status"));
    char *why = NULL;
    if (sa && strcmp(sa, "ok") == 0 && failed(sb))
        why = xasprintf("%s in A, %s in B", sa, sb);
    else if (json_is_integer(ca) && json_is_integer(cb) &&
             json_integer_value(cb) > json_integer_value(ca))
        why = xasprintf("%lld failed iterations in A, %lld in B",
                        (long long)json_integer_value(ca), (long long)json_integer_value(cb));
    json_t *p = json_object();
    json_object_set(p, "id", json_object_get(b, "id"));
    json_object_set(p, "label", json_object_get(b, "label"));
    json_object_set_new(p, "status",
                        pair(json_object_get(a, "status"), json_object_get(b, "status")));
    json_object_set_new(p, "failures", pair(ca, cb));
    json_object_set_new(p, "success_rate", pair(json_object_get(fa, "success_rate"),
                                                json_object_get(fb, "success_rate")));
    json_object_set_new(p, "metrics",
                        metrics(json_object_get(a, "metrics"), json_object_get(b, "metrics")));
    json_object_set_new(p, "more_failures", json_boolean(why != NULL));
    json_object_set_new(p, "why", why ? json_string(why) : json_null());
    free(why);
    return p;
}
