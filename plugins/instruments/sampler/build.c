/*
 * build.c — see build.h. Each distinct code address is symbolised once;
 * frames are one per function (name, module, inlined or not); stacks of
 * addresses that name the same functions become one stack.
 */
#define _GNU_SOURCE /* asprintf */

#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Frames an address may expand to: the function and what was inlined into it there. */
#define MAX_INLINED 16

static uint64_t fnv(const char *s, uint64_t h)
{
    for (; s && *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3u;
    }
    return h;
}

static int grow(void *v, size_t *cap, size_t n, size_t more, size_t size)
{
    if (n + more <= *cap)
        return 0;
    size_t c = *cap ? *cap : 64;
    while (c < n + more)
        c *= 2;
    void *p = realloc(*(void **)v, c * size);
    if (!p)
        return -1;
    *(void **)v = p;
    *cap = c;
    return 0;
}

/* An open-addressing table of ids (id + 1 in a slot; 0 empty), keyed by a hash the
 * caller computes and checks: what a slot's id stands for is the caller's to compare. */
struct table {
    uint32_t *slot;
    size_t cap;          /* a power of two */
    size_t n;
};

/* The slot where `hash`'s id is, or the empty one where it goes; same(id) says a match. */
static uint32_t *table_find(struct table *t, uint64_t hash, int (*same)(void *, uint32_t),
                            void *arg)
{
    size_t at = hash & (t->cap - 1);
    while (t->slot[at] && !same(arg, t->slot[at] - 1))
        at = (at + 1) & (t->cap - 1);
    return &t->slot[at];
}

/* Room for one more id, rehashing with hash_of(id) as needed. */
static int table_reserve(struct table *t, uint64_t (*hash_of)(void *, uint32_t), void *arg)
{
    if (2 * (t->n + 1) <= t->cap)
        return 0;
    size_t cap = t->cap ? 2 * t->cap : 1024;
    uint32_t *slot = calloc(cap, sizeof *slot);
    if (!slot)
        return -1;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slot[i]) {
            size_t at = hash_of(arg, t->slot[i] - 1) & (cap - 1);
            while (slot[at])
                at = (at + 1) & (cap - 1);
            slot[at] = t->slot[i];
        }
    free(t->slot);
    t->slot = slot;
    t->cap = cap;
    return 0;
}

struct builder {
    struct built_profile *b;
    struct symbolizer *sym;
    struct table frame_index, stack_index, address_index;
    /* The frames of each symbolised address: [first, first + count) of address_frames. */
    uint64_t *addresses;
    uint32_t *address_first, *address_count;
    size_t naddresses, addresses_cap, first_cap, count_cap;
    uint32_t *address_frames;
    size_t naddress_frames, address_frames_cap;
    const struct profile_frame *probe_frame; /* what table_find compares against */
    const uint32_t *probe_stack;
    uint32_t probe_depth;
    uint64_t probe_address;
};

static uint64_t frame_hash(const struct profile_frame *f)
{
    return fnv(f->name, fnv(f->module, 0xcbf29ce484222325u)) ^ f->inlined;
}

static int str_eq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static int same_frame(void *arg, uint32_t id)
{
    struct builder *k = arg;
    const struct profile_frame *a = &k->b->frames[id], *f = k->probe_frame;
    return a->inlined == f->inlined && str_eq(a->name, f->name) && str_eq(a->module, f->module);
}

static uint64_t frame_hash_of(void *arg, uint32_t id)
{
    return frame_hash(&((struct builder *)arg)->b->frames[id]);
}

/* A copy the profile owns, freed with it. */
static const char *keep(struct built_profile *b, char *s)
{
    if (!s || grow(&b->owned, &b->owned_cap, b->nowned, 1, sizeof *b->owned) != 0) {
        free(s);
        return "[out of memory]";
    }
    return b->owned[b->nowned++] = s;
}

/* The index of frame f, added if new; UINT32_MAX when out of memory. */
static uint32_t intern_frame(struct builder *k, const struct profile_frame *f)
{
    struct built_profile *b = k->b;
    if (table_reserve(&k->frame_index, frame_hash_of, k) != 0)
        return UINT32_MAX;
    k->probe_frame = f;
    uint32_t *slot = table_find(&k->frame_index, frame_hash(f), same_frame, k);
    if (*slot)
        return *slot - 1;
    if (grow(&b->frames, &b->frames_cap, b->nframes, 1, sizeof *b->frames) != 0)
        return UINT32_MAX;
    b->frames[b->nframes] = *f;
    *slot = (uint32_t)++b->nframes;
    k->frame_index.n++;
    return *slot - 1;
}

static uint32_t marker(struct builder *k, const char *name)
{
    struct profile_frame f = {.name = name};
    return intern_frame(k, &f);
}

static int same_address(void *arg, uint32_t id)
{
    struct builder *k = arg;
    return k->addresses[id] == k->probe_address;
}

static uint64_t address_hash(uint64_t a)
{
    a ^= a >> 33;
    a *= 0xff51afd7ed558ccdu;
    return a ^ (a >> 33);
}

static uint64_t address_hash_of(void *arg, uint32_t id)
{
    return address_hash(((struct builder *)arg)->addresses[id]);
}

/*
 * The frames of code address `pc` (leaf: where the thread was; else a
 * return address, looked up at the call before it), outermost first, into
 * *first and *count, in address_frames. 0, or -1 when out of memory.
 */
static int frames_of(struct builder *k, uint64_t pc, int leaf, uint32_t *first, uint32_t *count)
{
    uint64_t key = pc << 1 | (uint64_t)leaf;
    if (table_reserve(&k->address_index, address_hash_of, k) != 0)
        return -1;
    k->probe_address = key;
    uint32_t *slot = table_find(&k->address_index, address_hash(key), same_address, k);
    if (!*slot) {
        struct sym_frame found[MAX_INLINED];
        int n = symbolizer_frames(k->sym, leaf ? pc : pc - 1, found, MAX_INLINED);
        if (grow(&k->address_frames, &k->address_frames_cap, k->naddress_frames, (size_t)n,
                 sizeof *k->address_frames) != 0 ||
            grow(&k->addresses, &k->addresses_cap, k->naddresses, 1, sizeof *k->addresses) ||
            grow(&k->address_first, &k->first_cap, k->naddresses, 1, sizeof *k->address_first) ||
            grow(&k->address_count, &k->count_cap, k->naddresses, 1, sizeof *k->address_count))
            return -1;
        uint32_t at = (uint32_t)k->naddress_frames;
        for (int i = n - 1; i >= 0; i--) { /* outermost first */
            struct profile_frame f = {.name = found[i].name, .module = found[i].module,
                                      .file = found[i].file, .line = found[i].line,
                                      .inlined = (uint32_t)found[i].inlined};
            if (!f.name) { /* in a module, but no symbol: named after the module */
                char *name = NULL;
                if (asprintf(&name, "[%s]", f.module ? f.module : "unknown") < 0)
                    name = NULL;
                f.name = keep(k->b, name);
            } else if (strchr(f.name, '@')) { /* "memcpy@@GLIBC_2.14": the function is memcpy */
                f.name = keep(k->b, strndup(f.name, (size_t)(strchr(f.name, '@') - f.name)));
            }
            uint32_t id = intern_frame(k, &f);
            if (id == UINT32_MAX)
                return -1;
            k->address_frames[k->naddress_frames++] = id;
        }
        k->addresses[k->naddresses] = key;
        k->address_first[k->naddresses] = at;
        k->address_count[k->naddresses] = (uint32_t)n;
        *slot = (uint32_t)++k->naddresses;
        k->address_index.n++;
    }
    *first = k->address_first[*slot - 1];
    *count = k->address_count[*slot - 1];
    return 0;
}

static uint64_t stack_hash(const uint32_t *frames, uint32_t depth)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (uint32_t i = 0; i < depth; i++) {
        h ^= frames[i];
        h *= 0x100000001b3u;
    }
    return h ^ depth;
}

static int same_stack(void *arg, uint32_t id)
{
    struct builder *k = arg;
    const struct profile_stack *s = &k->b->stacks[id];
    return s->depth == k->probe_depth &&
           memcmp(s->frames, k->probe_stack, s->depth * sizeof *s->frames) == 0;
}

static uint64_t stack_hash_of(void *arg, uint32_t id)
{
    const struct profile_stack *s = &((struct builder *)arg)->b->stacks[id];
    return stack_hash(s->frames, s->depth);
}

/* The profile stack of these frames (root first), added if new; UINT32_MAX: no memory. */
static uint32_t intern_stack(struct builder *k, const uint32_t *frames, uint32_t depth)
{
    struct built_profile *b = k->b;
    if (table_reserve(&k->stack_index, stack_hash_of, k) != 0)
        return UINT32_MAX;
    k->probe_stack = frames;
    k->probe_depth = depth;
    uint32_t *slot = table_find(&k->stack_index, stack_hash(frames, depth), same_stack, k);
    if (*slot)
        return *slot - 1;
    uint32_t *copy = malloc(depth * sizeof *copy);
    if (!copy || grow(&b->stacks, &b->stacks_cap, b->nstacks, 1, sizeof *b->stacks) != 0) {
        free(copy);
        return UINT32_MAX;
    }
    memcpy(copy, frames, depth * sizeof *copy);
    b->stacks[b->nstacks] = (struct profile_stack){copy, depth};
    *slot = (uint32_t)++b->nstacks;
    k->stack_index.n++;
    return *slot - 1;
}

/* The profile stack of one collected stack of addresses. */
static uint32_t convert(struct builder *k, const struct stack_set *set, const struct ip_stack *st,
                        uint32_t **path, size_t *path_cap)
{
    size_t n = 0;
    const uint64_t *ips = set->ips + st->offset;
    if (grow(path, path_cap, 0, 2 + (size_t)st->depth * MAX_INLINED, sizeof **path) != 0)
        return UINT32_MAX;
    if (st->flags & STACK_TRUNCATED)
        (*path)[n++] = marker(k, "[truncated]");
    for (uint32_t i = st->depth; i-- > 0;) { /* leaf last */
        uint32_t first, count;
        if (frames_of(k, ips[i], i == 0, &first, &count) != 0)
            return UINT32_MAX;
        /* Calls among the unnamed functions of one module ("[libsqlite3.so.0]" calling
         * itself) are one frame: their number says nothing. */
        if (count == 1 && n > 0 && (*path)[n - 1] == k->address_frames[first] &&
            k->b->frames[k->address_frames[first]].name[0] == '[')
            continue;
        memcpy(*path + n, k->address_frames + first, count * sizeof **path);
        n += count;
    }
    if (st->flags & STACK_KERNEL)
        (*path)[n++] = marker(k, "[kernel]");
    if (n == 0)
        (*path)[n++] = marker(k, "[unknown]");
    for (size_t i = 0; i < n; i++)
        if ((*path)[i] == UINT32_MAX)
            return UINT32_MAX;
    return intern_stack(k, *path, (uint32_t)n);
}

static int by_tid(const void *a, const void *b)
{
    const struct profile_thread *x = a, *y = b;
    return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* A thread's runs in profile stacks: neighbours that now name the same stack merge. */
static int convert_thread(struct built_profile *b, const struct thread_samples *t,
                          const uint32_t *map, struct profile_thread *out)
{
    struct profile_run *runs = malloc((t->nruns + 1) * sizeof *runs);
    if (!runs)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < t->nruns; i++) {
        uint32_t stack = map[t->runs[i].stack];
        if (n && runs[n - 1].stack == stack && runs[n - 1].count <= UINT32_MAX - t->runs[i].count)
            runs[n - 1].count += t->runs[i].count;
        else
            runs[n++] = (struct profile_run){stack, t->runs[i].count};
    }
    *out = (struct profile_thread){.name = keep(b, strdup(t->name)), .tid = t->tid, .runs = runs,
                                   .run_count = n, .samples = t->samples};
    return 0;
}

static void builder_fini(struct builder *k)
{
    free(k->frame_index.slot);
    free(k->stack_index.slot);
    free(k->address_index.slot);
    free(k->addresses);
    free(k->address_first);
    free(k->address_count);
    free(k->address_frames);
}

int profile_build(struct built_profile *b, const struct stack_set *set, struct symbolizer *sym,
                  const char *title, double period_ns)
{
    memset(b, 0, sizeof *b);
    struct builder k = {.b = b, .sym = sym};
    uint32_t *map = calloc(set->nstacks + 1, sizeof *map), *path = NULL;
    size_t path_cap = 0;
    int rc = map ? 0 : -1;
    for (size_t i = 0; i < set->nstacks && rc == 0; i++)
        if ((map[i] = convert(&k, set, &set->stacks[i], &path, &path_cap)) == UINT32_MAX)
            rc = -1;
    b->threads = calloc(set->nthreads + 1, sizeof *b->threads);
    rc = b->threads ? rc : -1;
    for (size_t i = 0; i < set->nthreads && rc == 0; i++) {
        rc = convert_thread(b, &set->threads[i], map, &b->threads[i]);
        b->nthreads += rc == 0;
    }
    /* In the order the threads started (ids grow): the point's first thread first. */
    qsort(b->threads, b->nthreads, sizeof *b->threads, by_tid);
    uint64_t samples = 0;
    for (size_t i = 0; i < b->nthreads; i++)
        samples += b->threads[i].samples;
    b->profile = (struct profile){.title = keep(b, strdup(title ? title : "profile")),
                                  .period_ns = period_ns, .samples = samples,
                                  .frames = b->frames, .frame_count = b->nframes,
                                  .stacks = b->stacks, .stack_count = b->nstacks,
                                  .threads = b->threads, .thread_count = b->nthreads};
    free(path);
    free(map);
    builder_fini(&k);
    return rc;
}

void profile_free(struct built_profile *b)
{
    for (size_t i = 0; i < b->nstacks; i++)
        free((void *)(uintptr_t)b->stacks[i].frames);
    for (size_t i = 0; i < b->nthreads; i++)
        free((void *)(uintptr_t)b->threads[i].runs);
    for (size_t i = 0; i < b->nowned; i++)
        free(b->owned[i]);
    free(b->owned);
    free(b->frames);
    free(b->stacks);
    free(b->threads);
    memset(b, 0, sizeof *b);
}
