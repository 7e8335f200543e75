/*
 * sample.h — one raw sample as a source takes it, before unwinding: which
 * thread, when, the user-mode registers an unwinder starts from, and a copy
 * of the top of that thread's stack. Sources (perf_event, timer signals)
 * fill it; the unwinder reads it.
 */
#ifndef BHOST_SAMPLER_SAMPLE_H
#define BHOST_SAMPLER_SAMPLE_H

#include <stdint.h>

/*
 * The registers kept, in the order of the architecture's DWARF numbering as
 * perf_event numbers them (x86-64: perf's PERF_REG_X86_*; arm64: x0..x30,
 * sp, pc), so a perf sample's registers are copied without reordering.
 */
#if defined(__x86_64__)
#define SAMPLE_NREGS 24 /* AX BX CX DX SI DI BP SP IP FLAGS CS SS DS ES FS GS R8..R15 */
#define SAMPLE_REG_SP 7
#define SAMPLE_REG_IP 8
/* Segment registers are not sampled in 64-bit mode: the kernel refuses them. */
#define SAMPLE_REGS_MASK (((UINT64_C(1) << SAMPLE_NREGS) - 1) & ~(UINT64_C(0xf) << 12))
#elif defined(__aarch64__)
#define SAMPLE_NREGS 33 /* x0..x30, sp, pc */
#define SAMPLE_REG_SP 31
#define SAMPLE_REG_IP 32
#define SAMPLE_REGS_MASK ((UINT64_C(1) << SAMPLE_NREGS) - 1)
#else
#define SAMPLE_NREGS 0 /* unwinding is not supported here: the sampler says so */
#define SAMPLE_REG_SP 0
#define SAMPLE_REG_IP 0
#define SAMPLE_REGS_MASK 0
#endif

struct raw_sample {
    int64_t tid;
    uint64_t time_ns;             /* CLOCK_MONOTONIC */
    uint32_t weight;              /* sampling periods it stands for (1, or more when a timer
                                     expired several times before its signal: source_signal.c) */
    int in_kernel;                /* taken while the thread ran in the kernel */
    int has_regs;                 /* 0: no user-mode state came with it (nothing to unwind) */
    uint64_t regs[SAMPLE_NREGS ? SAMPLE_NREGS : 1]; /* user mode, at the sample or kernel entry */
    const uint8_t *stack;         /* a copy of the stack from regs[SAMPLE_REG_SP] up */
    uint64_t stack_size;          /* bytes in the copy */
};

#endif
