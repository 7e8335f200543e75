/* thread_cache.c — see thread_cache.h. */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include "thread_cache.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stddef.h>

void thread_cache_off(void)
{
    void *sym = dlsym(RTLD_DEFAULT, "mallctl");
    bool off = false;
    if (sym) /* POSIX: dlsym's pointer may be a function's */
        (void)((int (*)(const char *, void *, size_t *, void *, size_t))sym)(
            "thread.tcache.enabled", NULL, NULL, &off, sizeof off);
}
