/* pauses.c — see pauses.h. */
#include "pauses.h"

void pause_log_thread(struct pause_log *log, uint32_t index, int64_t tid)
{
    if (index < log->nthreads)
        atomic_store_explicit(&log->threads[index].tid, tid, memory_order_release);
}

void pause_log_pause(struct pause_log *log, uint32_t index, uint64_t now_ns)
{
    if (index >= log->nthreads)
        return;
    struct thread_pauses *t = &log->threads[index];
    uint64_t k = atomic_load_explicit(&t->begun, memory_order_relaxed) % PAUSES_KEPT;
    atomic_store_explicit(&t->end[k], UINT64_MAX, memory_order_relaxed);
    atomic_store_explicit(&t->start[k], now_ns, memory_order_relaxed);
    atomic_fetch_add_explicit(&t->begun, 1, memory_order_release);
}

void pause_log_resume(struct pause_log *log, uint32_t index, uint64_t now_ns)
{
    if (index >= log->nthreads)
        return;
    struct thread_pauses *t = &log->threads[index];
    uint64_t begun = atomic_load_explicit(&t->begun, memory_order_relaxed);
    if (begun)
        atomic_store_explicit(&t->end[(begun - 1) % PAUSES_KEPT], now_ns, memory_order_release);
}

int pause_log_covers(const struct pause_log *log, int64_t tid, uint64_t time_ns)
{
    for (uint32_t i = 0; log && i < log->nthreads; i++) {
        const struct thread_pauses *t = &log->threads[i];
        if (atomic_load_explicit(&t->tid, memory_order_acquire) != tid)
            continue;
        uint64_t begun = atomic_load_explicit(&t->begun, memory_order_acquire);
        uint64_t oldest = begun > PAUSES_KEPT ? begun - PAUSES_KEPT : 0;
        /* Newest first: a pause that ended before the sample ends the search. */
        for (uint64_t k = begun; k-- > oldest;) {
            uint64_t end = atomic_load_explicit(&t->end[k % PAUSES_KEPT], memory_order_acquire);
            uint64_t start = atomic_load_explicit(&t->start[k % PAUSES_KEPT],
                                                  memory_order_relaxed);
            if (time_ns >= end)
                return 0;
            if (time_ns >= start)
                return 1;
        }
        return 0;
    }
    return 0;
}
