/*
 * flame_tree.h — a profile's stacks merged into one call tree, the way a
 * flame graph draws them: all threads together, callees of one caller
 * merged by name, siblings in name order, each node placed on an axis of
 * samples.
 */
#ifndef BHOST_SAMPLER_FLAME_TREE_H
#define BHOST_SAMPLER_FLAME_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "profile.h"

#define FLAME_ROOT_NAME "all"

struct flame_node {
    uint32_t frame;         /* a frame of the node's name and inlined flag */
    uint32_t name;          /* index into flame_tree.names */
    uint32_t parent;        /* the root is its own parent */
    uint32_t depth;         /* the root's is 0 */
    uint64_t offset;        /* samples left of the node on the x axis */
    uint64_t samples;       /* its own and its callees' */
};

struct flame_tree {
    struct flame_node *nodes; /* the root first; a parent before its children */
    size_t count;
    uint32_t max_depth;
    uint64_t samples;         /* the root's */
    /* The distinct (name, inlined) pairs in sorted order, each by one of its
     * frames; the root's name is not among them (its node's frame is unused). */
    uint32_t *names;
    size_t name_count;
};

/* 0, or -1 with errno ENOMEM. The profile must have passed profile_check. */
int flame_tree_build(const struct profile *p, struct flame_tree *tree);
void flame_tree_free(struct flame_tree *tree);

#endif /* BHOST_SAMPLER_FLAME_TREE_H */
