/*
 * flame_tree.c — stacks merged by name into one tree: names interned in
 * sorted order, nodes found through a hash of (parent, name), then siblings
 * ordered and placed.
 */
#include "flame_tree.h"

#include <stdlib.h>
#include <string.h>

#include "profile_check.h"

struct named_frame {
    const char *name;
    uint32_t inlined;
    uint32_t frame;
};

static int compare_named_frames(const void *a, const void *b)
{
    const struct named_frame *x = a, *y = b;
    int by_name = strcmp(x->name, y->name);
    if (by_name)
        return by_name;
    if (x->inlined != y->inlined)
        return x->inlined < y->inlined ? -1 : 1;
    return x->frame < y->frame ? -1 : x->frame > y->frame;
}

/* tree->names, and each frame's index into it in *name_of (malloc'd). */
static int intern_names(const struct profile *p, struct flame_tree *tree, uint32_t **name_of)
{
    size_t n = p->frame_count;
    struct named_frame *sorted = malloc((n ? n : 1) * sizeof *sorted);
    tree->names = malloc((n ? n : 1) * sizeof *tree->names);
    *name_of = malloc((n ? n : 1) * sizeof **name_of);
    if (!sorted || !tree->names || !*name_of) {
        free(sorted);
        free(*name_of);
        *name_of = NULL;
        return -1;
    }
    for (size_t f = 0; f < n; f++)
        sorted[f] = (struct named_frame){p->frames[f].name, p->frames[f].inlined != 0, (uint32_t)f};
    qsort(sorted, n, sizeof *sorted, compare_named_frames);
    tree->name_count = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || strcmp(sorted[i].name, sorted[i - 1].name) ||
            sorted[i].inlined != sorted[i - 1].inlined)
            tree->names[tree->name_count++] = sorted[i].frame;
        (*name_of)[sorted[i].frame] = (uint32_t)tree->name_count - 1;
    }
    free(sorted);
    return 0;
}

/* Open addressing: a slot holds a node's index plus one, 0 when free. */
struct node_table {
    uint32_t *slots;
    size_t mask;
};

static size_t node_hash(uint32_t parent, uint32_t name)
{
    uint64_t h = ((uint64_t)parent << 32 | name) * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h >> 29);
}

/* The child of `parent` called `name`, created if it is new. */
static uint32_t child_node(struct flame_tree *tree, struct node_table *table, uint32_t parent,
                           uint32_t name, uint32_t frame)
{
    size_t i = node_hash(parent, name) & table->mask;
    for (; table->slots[i]; i = (i + 1) & table->mask) {
        const struct flame_node *node = &tree->nodes[table->slots[i] - 1];
        if (node->parent == parent && node->name == name)
            return table->slots[i] - 1;
    }
    uint32_t child = (uint32_t)tree->count++;
    tree->nodes[child] = (struct flame_node){
        .frame = frame, .name = name, .parent = parent,
        .depth = tree->nodes[parent].depth + 1,
    };
    if (tree->nodes[child].depth > tree->max_depth)
        tree->max_depth = tree->nodes[child].depth;
    table->slots[i] = child + 1;
    return child;
}

static int merge_stacks(const struct profile *p, struct flame_tree *tree, const uint32_t *name_of)
{
    uint64_t *samples = profile_stack_samples(p);
    if (!samples)
        return -1;
    size_t bound = 1;
    for (size_t s = 0; s < p->stack_count; s++)
        if (samples[s])
            bound += p->stacks[s].depth;
    struct node_table table = {0};
    size_t capacity = 16;
    while (capacity < 2 * bound)
        capacity *= 2;
    table.mask = capacity - 1;
    table.slots = calloc(capacity, sizeof *table.slots);
    tree->nodes = malloc(bound * sizeof *tree->nodes);
    if (!table.slots || !tree->nodes) {
        free(table.slots);
        free(samples);
        return -1;
    }
    tree->nodes[0] = (struct flame_node){.samples = p->samples};
    tree->count = 1;
    for (size_t s = 0; s < p->stack_count; s++) {
        if (!samples[s])
            continue;
        uint32_t node = 0;
        for (uint32_t i = 0; i < p->stacks[s].depth; i++) {
            uint32_t frame = p->stacks[s].frames[i];
            node = child_node(tree, &table, node, name_of[frame], frame);
            tree->nodes[node].samples += samples[s];
        }
    }
    free(table.slots);
    free(samples);
    return 0;
}

struct sibling {
    uint32_t parent, name, node;
};

static int compare_siblings(const void *a, const void *b)
{
    const struct sibling *x = a, *y = b;
    if (x->parent != y->parent)
        return x->parent < y->parent ? -1 : 1;
    return x->name < y->name ? -1 : x->name > y->name;
}

/* Renumbers the nodes in (parent, name) order, which keeps every parent
 * before its children, and lays each parent's children side by side from
 * its left edge. Names were interned in sorted order, so siblings come in
 * name order as they do in a flame graph of sorted collapsed stacks. */
static int place_nodes(struct flame_tree *tree)
{
    size_t n = tree->count;
    struct sibling *order = malloc(n * sizeof *order);
    uint32_t *renumber = malloc(n * sizeof *renumber);
    struct flame_node *placed = malloc(n * sizeof *placed);
    if (!order || !renumber || !placed) {
        free(order);
        free(renumber);
        free(placed);
        return -1;
    }
    for (size_t i = 1; i < n; i++)
        order[i] = (struct sibling){tree->nodes[i].parent, tree->nodes[i].name, (uint32_t)i};
    qsort(order + 1, n - 1, sizeof *order, compare_siblings);
    order[0] = (struct sibling){0, 0, 0};
    renumber[0] = 0;
    placed[0] = tree->nodes[0];
    uint64_t next_offset = 0;
    for (size_t i = 1; i < n; i++) {
        struct flame_node node = tree->nodes[order[i].node];
        node.parent = renumber[node.parent];
        if (order[i].parent != order[i - 1].parent || i == 1)
            next_offset = placed[node.parent].offset;
        node.offset = next_offset;
        next_offset += node.samples;
        renumber[order[i].node] = (uint32_t)i;
        placed[i] = node;
    }
    free(tree->nodes);
    tree->nodes = placed;
    free(order);
    free(renumber);
    return 0;
}

int flame_tree_build(const struct profile *p, struct flame_tree *tree)
{
    uint32_t *name_of = NULL;
    memset(tree, 0, sizeof *tree);
    if (intern_names(p, tree, &name_of) < 0 || merge_stacks(p, tree, name_of) < 0 ||
        place_nodes(tree) < 0) {
        free(name_of);
        flame_tree_free(tree);
        return -1;
    }
    free(name_of);
    tree->samples = tree->nodes[0].samples;
    return 0;
}

void flame_tree_free(struct flame_tree *tree)
{
    free(tree->nodes);
    free(tree->names);
    memset(tree, 0, sizeof *tree);
}
