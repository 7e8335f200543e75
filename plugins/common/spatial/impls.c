/* impls.c — the implementations by name. */
#include "spatial.h"

#include <string.h>

const struct spatial_impl *const spatial_impls[] = {
    &spatial_brute,
    &spatial_kdtree,
    &spatial_quadtree,
    &spatial_grid,
    &spatial_rtree,
    NULL,
};

const struct spatial_impl *spatial_find(const char *name)
{
    for (size_t i = 0; spatial_impls[i]; i++)
        if (strcmp(spatial_impls[i]->name, name) == 0)
            return spatial_impls[i];
    return NULL;
}
