/* point_source.c — see point_source.h. */
#include "results/point_source.h"

#include <stdint.h>

static json_t *array_get(struct point_source *src, size_t i)
{
    return json_incref(json_array_get(src->ctx, i));
}

static const char *array_status(struct point_source *src, size_t i)
{
    return json_string_value(json_object_get(json_array_get(src->ctx, i), "status"));
}

void point_source_of_array(struct point_source *ps, const json_t *points)
{
    /* The array is only read: a new reference to one of its points is all it hands out. */
    *ps = (struct point_source){.n = json_array_size(points), .get = array_get,
                                .status = array_status,
                                .ctx = (void *)(uintptr_t)points};
}

json_t *point_source_get(struct point_source *ps, size_t i)
{
    return i < ps->n ? ps->get(ps, i) : NULL;
}

const char *point_source_status(struct point_source *ps, size_t i)
{
    return i < ps->n ? ps->status(ps, i) : NULL;
}
