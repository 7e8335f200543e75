/* generate.c — see spatial.h. */
#include "spatial.h"

#include <math.h>

/* Into [0, world): a point drawn outside is clamped to the edge. */
static double inside(double v, double world)
{
    if (v < 0)
        return 0;
    return v < world ? v : nextafter(world, 0);
}

static double gaussian(uint64_t *rng)
{
    double u = spatial_rand01(rng), v = spatial_rand01(rng);
    return sqrt(-2.0 * log(1.0 - u)) * cos(6.283185307179586 * v);
}

void spatial_generate(struct spatial_point *pts, uint32_t n, enum spatial_distribution d,
                      double world, uint64_t seed)
{
    uint64_t rng = seed;
    struct spatial_point centres[SPATIAL_CLUSTERS];
    for (int c = 0; c < SPATIAL_CLUSTERS; c++)
        centres[c] = (struct spatial_point){spatial_rand01(&rng) * world,
                                            spatial_rand01(&rng) * world};
    for (uint32_t i = 0; i < n; i++) {
        switch (d) {
        case SPATIAL_UNIFORM:
            pts[i] = (struct spatial_point){spatial_rand01(&rng) * world,
                                            spatial_rand01(&rng) * world};
            break;
        case SPATIAL_CLUSTERED: {
            const struct spatial_point *c = &centres[spatial_rand(&rng) % SPATIAL_CLUSTERS];
            double sigma = world * SPATIAL_CLUSTER_SIGMA;
            pts[i] = (struct spatial_point){inside(c->x + sigma * gaussian(&rng), world),
                                            inside(c->y + sigma * gaussian(&rng), world)};
            break;
        }
        case SPATIAL_DENSE: {
            double sigma = world * SPATIAL_DENSE_SIGMA;
            pts[i] = (struct spatial_point){inside(world / 2 + sigma * gaussian(&rng), world),
                                            inside(world / 2 + sigma * gaussian(&rng), world)};
            break;
        }
        }
    }
}
