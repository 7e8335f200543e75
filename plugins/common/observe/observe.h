/*
 * observe.h — a 2-D grid world of agents in teams, obstacles and resources,
 * and each agent's egocentric, multi-channel observation of it: the ground
 * that the observation_flow and perception_metrics experiments share.
 *
 * Everything is seeded and exact: positions are cells, health is a whole
 * number (so sums of it are exact in a float, whatever the order the lookup
 * returns agents in), and an observation is defined cell by cell below, so
 * every lookup and storage gives bit-identical observations.
 *
 * Where the contract below left a choice, observe.c makes these (and the tests hold it
 * to them):
 * - Creation draws from one splitmix64 stream (spatial_rand()) seeded with cfg->seed:
 *   exactly round(obstacle_density * cells) obstacles (at most cells - 1), then exactly
 *   round(resource_density * free cells) resources, each an amount of 1..10 (Knuth's
 *   selection sampling in row-major order, y then x: every subset alike); then each
 *   agent in id order on a free cell drawn uniformly (several agents may share a cell),
 *   with health 1..100. Cells are (x, y), 0 <= x, y < world; at most 8192 cells a side
 *   and 100,000 agents (so health sums stay below 2^24, exact in a float).
 * - observe_step() continues that stream: for each agent in id order, one draw picks
 *   among its options in the order stay, east (x+1), west (x-1), south (y+1), north
 *   (y-1), keeping those inside the world and not obstacles; a second draw changes its
 *   health by -5..+5, clamped to 1..100. Agents may move onto occupied cells.
 * - The lookup indexes the agents' cell centres (x + 0.5, y + 0.5) in a world of side
 *   `world` (spatial_config's defaults otherwise); a window asks it for the radius
 *   R * sqrt(2) + 0.5 around the agent's centre and keeps the agents in the square.
 *   It is asked only when ALLIES is kept (channels >= 2). Resources are read from the
 *   world's cell array, not from an index.
 * - observe_counts.entities_visited counts every agent the lookup returned (the agent
 *   itself and the ones outside the square included) plus the window cells holding a
 *   resource, when RESOURCES is kept. `c` may be NULL everywhere it is taken.
 * - A world holds the buffers its lookups reuse: one thread at a time per world.
 * - observe_line(): the cell at step i = 1 .. max(|dx|,|dy|) - 1 along the major axis
 *   has minor coordinate round(i * minor / major), a half rounded away from the major
 *   axis, computed on absolute values with the signs applied after. So a line visits
 *   exactly max(|dx|,|dy|) - 1 cells (none for (0,0) and the 8 neighbours), and the
 *   line to any of the 8 images of (dx, dy) under the square's mirrors and the swap of
 *   the axes is the image of the line to (dx, dy). It is not always the reverse of the
 *   line from (dx, dy) back to the centre (where i * minor / major is a half), which
 *   is why VISIBLE is defined from the centre outwards.
 * - The checksums hash, per non-zero cell, channel, row and col as 2 bytes each and
 *   then the float's bits as 4, all little-endian, into 64-bit FNV-1a (offset basis
 *   0xcbf29ce484222325, prime 0x100000001b3); an all-zero observation hashes to the
 *   offset basis.
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
