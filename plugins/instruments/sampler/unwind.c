/*
 * unwind.c — see unwind.h. libunwind's remote interface, pointed at this
 * very process: its accessors give the sample's registers and stack copy,
 * and read code and unwind tables in place. Finding the unwind information
 * of an address is what libunwind does for its local unwinder (through
 * dl_iterate_phdr), so that part is borrowed from the local address space.
 */
#define _GNU_SOURCE /* dl_iterate_phdr */

#include "unwind.h"

#include <libunwind.h>

#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A part of a loaded module: where reading code and tables in place is safe. */
struct region {
    uint64_t start, end;
};

struct unwinder {
    unw_addr_space_t as;
    struct region *regions;  /* sorted by start */
    size_t nregions, cap;
    unsigned walks;          /* since the regions were read */
};

#if defined(__x86_64__)
/* libunwind's register numbers, as the index of perf's (sample.h) register. */
static int sample_reg(unw_regnum_t r)
{
    static const int perf_of[] = {
        [UNW_X86_64_RAX] = 0,  [UNW_X86_64_RDX] = 3,  [UNW_X86_64_RCX] = 2,
        [UNW_X86_64_RBX] = 1,  [UNW_X86_64_RSI] = 4,  [UNW_X86_64_RDI] = 5,
        [UNW_X86_64_RBP] = 6,  [UNW_X86_64_RSP] = 7,  [UNW_X86_64_R8] = 16,
        [UNW_X86_64_R9] = 17,  [UNW_X86_64_R10] = 18, [UNW_X86_64_R11] = 19,
        [UNW_X86_64_R12] = 20, [UNW_X86_64_R13] = 21, [UNW_X86_64_R14] = 22,
        [UNW_X86_64_R15] = 23, [UNW_X86_64_RIP] = 8,
    };
    return r >= 0 && r < (int)(sizeof perf_of / sizeof perf_of[0]) ? perf_of[r] : -1;
}
#elif defined(__aarch64__)
static int sample_reg(unw_regnum_t r)
{
    return r >= UNW_AARCH64_X0 && r <= UNW_AARCH64_PC ? (int)r : -1; /* the same numbering */
}
#endif

#if SAMPLE_NREGS

static int add_region(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    struct unwinder *u = arg;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_R))
            continue;
        if (u->nregions == u->cap) {
            size_t cap = u->cap ? 2 * u->cap : 64;
            struct region *v = realloc(u->regions, cap * sizeof *v);
            if (!v)
                return 1;
            u->regions = v;
            u->cap = cap;
        }
        uint64_t start = info->dlpi_addr + ph->p_vaddr;
        u->regions[u->nregions++] = (struct region){start, start + ph->p_memsz};
    }
    return 0;
}

static int by_start(const void *a, const void *b)
{
    const struct region *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static void read_regions(struct unwinder *u)
{
    u->nregions = 0;
    dl_iterate_phdr(add_region, u);
    qsort(u->regions, u->nregions, sizeof *u->regions, by_start);
}

static int mapped(struct unwinder *u, uint64_t addr, uint64_t len)
{
    size_t lo = 0, hi = u->nregions;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (u->regions[mid].end <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < u->nregions && u->regions[lo].start <= addr && addr + len <= u->regions[lo].end;
}

/* The walk's state: the unwinder, and the sample being walked. */
struct walk {
    struct unwinder *u;
    const struct raw_sample *s;
};

static int find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi,
                          int need_unwind_info, void *arg)
{
    (void)as;
    (void)arg;
    return unw_get_accessors(unw_local_addr_space)
        ->find_proc_info(unw_local_addr_space, ip, pi, need_unwind_info, NULL);
}

static void put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
    (void)as;
    (void)arg;
    unw_get_accessors(unw_local_addr_space)->put_unwind_info(unw_local_addr_space, pi, NULL);
}

static int get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *addr, void *arg)
{
    (void)as;
    (void)addr;
    (void)arg;
    return -UNW_ENOINFO; /* no code generated at run time is described to libunwind */
}

static int access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val, int write,
                      void *arg)
{
    (void)as;
    struct walk *w = arg;
    const struct raw_sample *s = w->s;
    uint64_t sp = s->regs[SAMPLE_REG_SP];
    if (write)
        return -UNW_EREADONLYREG;
    if (addr >= sp && addr - sp + sizeof *val <= s->stack_size) {
        memcpy(val, s->stack + (addr - sp), sizeof *val);
        return 0;
    }
    if (mapped(w->u, addr, sizeof *val)) {
        memcpy(val, (const void *)(uintptr_t)addr, sizeof *val);
        return 0;
    }
    return -UNW_EINVAL; /* beyond the copy, or not code: the walk ends here */
}

static int access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *val, int write,
                      void *arg)
{
    (void)as;
    struct walk *w = arg;
    int i = sample_reg(reg);
    if (write || i < 0)
        return -UNW_EBADREG;
    *val = w->s->regs[i];
    return 0;
}

static int access_fpreg(unw_addr_space_t as, unw_regnum_t reg, unw_fpreg_t *val, int write,
                        void *arg)
{
    (void)as;
    (void)reg;
    (void)val;
    (void)write;
    (void)arg;
    return -UNW_EBADREG;
}

static int resume(unw_addr_space_t as, unw_cursor_t *c, void *arg)
{
    (void)as;
    (void)c;
    (void)arg;
    return -UNW_EINVAL;
}

static int get_proc_name(unw_addr_space_t as, unw_word_t addr, char *buf, size_t len,
                         unw_word_t *off, void *arg)
{
    (void)as;
    (void)addr;
    (void)buf;
    (void)len;
    (void)off;
    (void)arg;
    return -UNW_ENOINFO; /* symbols come from libdw, afterwards */
}

struct unwinder *unwinder_new(const char **why)
{
    static unw_accessors_t accessors = {
        .find_proc_info = find_proc_info,
        .put_unwind_info = put_unwind_info,
        .get_dyn_info_list_addr = get_dyn_info_list_addr,
        .access_mem = access_mem,
        .access_reg = access_reg,
        .access_fpreg = access_fpreg,
        .resume = resume,
        .get_proc_name = get_proc_name,
    };
    struct unwinder *u = calloc(1, sizeof *u);
    if (!u || !(u->as = unw_create_addr_space(&accessors, 0))) {
        *why = "cannot create libunwind's address space";
        free(u);
        return NULL;
    }
    unw_set_caching_policy(u->as, UNW_CACHE_GLOBAL);
    read_regions(u);
    return u;
}

void unwinder_free(struct unwinder *u)
{
    if (!u)
        return;
    unw_destroy_addr_space(u->as);
    free(u->regions);
    free(u);
}

int unwinder_walk(struct unwinder *u, const struct raw_sample *s, uint64_t *ips, int max,
                  int *complete)
{
    *complete = 0;
    if (max < 1)
        return 0;
    ips[0] = s->regs[SAMPLE_REG_IP];
    /* Code loaded since the regions were read (a library opened during the point); not
     * more often than every 1000 walks, for code that is in no module (JIT). */
    if (++u->walks > 1000 && !mapped(u, ips[0], 1)) {
        read_regions(u);
        u->walks = 0;
    }
    struct walk w = {u, s};
    unw_cursor_t c;
    if (unw_init_remote(&c, u->as, &w) < 0)
        return 1;
    int n = 1;
    for (;;) {
        int step = unw_step(&c);
        if (step == 0) {
            *complete = 1;
            break;
        }
        unw_word_t pc;
        if (step < 0 || n == max || unw_get_reg(&c, UNW_REG_IP, &pc) < 0)
            break;
        if (pc == 0) { /* a root that marks itself with a null return address */
            *complete = 1;
            break;
        }
        ips[n++] = pc;
    }
    return n;
}

#else /* no unwinding on this architecture */

struct unwinder *unwinder_new(const char **why)
{
    *why = "the sampler does not unwind stacks on this architecture (x86-64 and arm64 only)";
    return NULL;
}

void unwinder_free(struct unwinder *u)
{
    (void)u;
}

int unwinder_walk(struct unwinder *u, const struct raw_sample *s, uint64_t *ips, int max,
                  int *complete)
{
    (void)u;
    (void)s;
    (void)ips;
    (void)max;
    *complete = 0;
    return 0;
}

#endif

const char *unwinder_name(void)
{
    static char name[64];
    if (!*name)
        snprintf(name, sizeof name, "libunwind %d.%d.%d (DWARF CFI)", UNW_VERSION_MAJOR,
                 UNW_VERSION_MINOR, UNW_VERSION_EXTRA);
    return name;
}
