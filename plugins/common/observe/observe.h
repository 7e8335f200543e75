/*
 * observe.h — a 2-D grid world of agents in teams, obstacles and resources,
 * and each agent's egocentric, multi-channel observation of it: the ground
 * that the observation_flow and perception_metrics experiments share.
 *
 * Everything is seeded and exact: positions are cells, health is a whole
 * number (so sums of it are exact in a float, whatever the order the lookup
 * returns agents in), and an observation is defined cell by cell below, so
 * every lookup and storage gives bit-identical observations.
 */
#ifndef BHOST_OBSERVE_H
#define BHOST_OBSERVE_H

#include "spatial.h"

#include <stddef.h>
#include <stdint.h>

/*
 * The channels of an observation, in this order; a config keeps the first
 * `channels` of them. For the window cell (row, col), 0 <= row, col < 2R+1,
 * which is world cell (x + col - R, y + row - R) for an agent at (x, y):
 *   SELF       the agent's own health at the centre (row = col = R), else 0
 *   ALLIES     the sum of the health of the agent's team mates on that cell (itself not)
 *   ENEMIES    the sum of the health of other teams' agents on that cell
 *   RESOURCES  the resource amount of that cell (0 where there is none)
 *   OBSTACLES  1 where the cell is an obstacle or outside the world, else 0
 *   VISIBLE    1 where the cell can be seen from the centre: no cell strictly between
 *              them on the integer line from the centre to it (observe_line()) is an
 *              obstacle or outside the world; the centre is visible
 * Channels are not masked by visibility: VISIBLE says what could be seen.
 */
enum observe_channel {
    OBS_SELF,
    OBS_ALLIES,
    OBS_ENEMIES,
    OBS_RESOURCES,
    OBS_OBSTACLES,
    OBS_VISIBLE,
    OBS_CHANNELS
};

struct observe_config {
    uint32_t world;             /* side of the square world, in cells (>= 1) */
    uint32_t agents, teams;     /* agents (>= 1) in teams (1..255), team = id % teams */
    double obstacle_density;    /* share of cells that are obstacles, 0..0.9 */
    double resource_density;    /* share of the free cells holding a resource, 0..1 */
    uint32_t radius;            /* R: a window is (2R+1) x (2R+1) cells, R 0..64 */
    uint32_t channels;          /* the first `channels` channels, 1..OBS_CHANNELS */
    uint64_t seed;
    const struct spatial_impl *lookup; /* the index over agents' places: brute, grid... */
};

struct observe_agent {
    uint32_t x, y;              /* its cell; never an obstacle */
    uint32_t team;
    uint32_t health;            /* 1..100 */
};

/* One observation, dense: channels x side x side floats, channel-major, then row, col. */
struct observe_dense {
    float *v;                   /* owned; grown by the world as needed */
    size_t cap;                 /* floats v can hold */
    uint32_t side, channels;
};

/* One non-zero cell of an observation. */
struct observe_entry {
    uint16_t channel, row, col;
    float value;
};

/* One observation, sparse: its non-zero cells in (channel, row, col) order. */
struct observe_sparse {
    struct observe_entry *e;    /* owned; grown as needed */
    size_t n, cap;
    uint32_t side, channels;
};

/* What building observations looked at: the experiments' counters. */
struct observe_counts {
    uint64_t entities_visited;  /* agents and resources the lookups returned */
    uint64_t cells_written;     /* window cells written (dense: every cell of every
                                   channel; sparse: the entries) */
    struct spatial_stats lookup; /* the index's own figures */
};

struct observe_world;

/* A seeded world (obstacles, resources, agents on free cells), or NULL with the reason in
 * why (bad config, out of memory). */
struct observe_world *observe_world_new(const struct observe_config *cfg, char *why,
                                        size_t whylen);
void observe_world_free(struct observe_world *w);

/* One step of the seeded policy: every agent, in id order, moves to one of its free
 * neighbour cells (4-neighbourhood, or stays), drawn from the world's generator; health
 * changes by a seeded amount within 1..100. The lookup index is updated. 0 or -1. */
int observe_step(struct observe_world *w, struct observe_counts *c);

const struct observe_agent *observe_agents(const struct observe_world *w, uint32_t *n);
const struct observe_config *observe_config_of(const struct observe_world *w);

/* Agent `id`'s observation, built from a radius lookup of the agents (and resources) near
 * it. 0, or -1 when out of memory. */
int observe_dense(struct observe_world *w, uint32_t id, struct observe_dense *out,
                  struct observe_counts *c);
int observe_sparse(struct observe_world *w, uint32_t id, struct observe_sparse *out,
                   struct observe_counts *c);
void observe_dense_free(struct observe_dense *o);
void observe_sparse_free(struct observe_sparse *o);

/* A dense observation's value at (channel, row, col), and a sparse one's (0 if absent). */
float observe_dense_at(const struct observe_dense *o, uint32_t ch, uint32_t row, uint32_t col);
float observe_sparse_at(const struct observe_sparse *o, uint32_t ch, uint32_t row,
                        uint32_t col);

/* The checksum of an observation: FNV-1a over its non-zero cells (channel, row, col and
 * the float's bits) in (channel, row, col) order, so a dense and a sparse form of the same
 * observation have the same one. */
uint64_t observe_checksum_dense(const struct observe_dense *o);
uint64_t observe_checksum_sparse(const struct observe_sparse *o);

/* Calls visit(arg, dx, dy) for each cell strictly between (0, 0) and (dx, dy) on the
 * integer (Bresenham) line, from the centre outwards; stops early when visit returns
 * non-zero, and returns that value (0 if none did). */
int observe_line(int32_t dx, int32_t dy, int (*visit)(void *arg, int32_t x, int32_t y),
                 void *arg);

#endif
