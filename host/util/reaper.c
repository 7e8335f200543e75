/* reaper.c — see reaper.h. */
#include "util/reaper.h"
#include "util/clock.h"
#include "util/mem.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int reaper_adopt(void)
{
    return prctl(PR_SET_CHILD_SUBREAPER, 1);
}

static int kept(pid_t pid, const pid_t *keep, size_t nkeep)
{
    for (size_t i = 0; i < nkeep; i++)
        if (keep[i] == pid)
            return 1;
    return 0;
}

/* The children of every thread of this process (/proc/self/task/<tid>/children). */
static size_t list_children(pid_t **out, size_t *cap)
{
    size_t n = 0;
    DIR *tasks = opendir("/proc/self/task");
    if (!tasks)
        return 0;
    for (struct dirent *t; (t = readdir(tasks));) {
        if (t->d_name[0] < '0' || t->d_name[0] > '9')
            continue;
        char path[320];
        snprintf(path, sizeof path, "/proc/self/task/%s/children", t->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        long pid;
        while (fscanf(f, "%ld", &pid) == 1) {
            grow(out, cap, n, sizeof **out);
            (*out)[n++] = (pid_t)pid;
        }
        fclose(f);
    }
    closedir(tasks);
    return n;
}

/* Reaps every child of ours that has exited, but those kept; 1 if any was reaped. */
static int reap_exited(const pid_t *keep, size_t nkeep, const pid_t *children, size_t n)
{
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        if (kept(children[i], keep, nkeep))
            continue;
        int status;
        if (waitpid(children[i], &status, WNOHANG) == children[i])
            any = 1;
    }
    return any;
}

size_t reaper_kill_children(const pid_t *keep, size_t nkeep, int grace_ms)
{
    /* Most points start no process: one call says there is no child at all. */
    if (nkeep == 0 && waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
        return 0;
    pid_t *children = NULL;
    size_t cap = 0, killed = 0;
    uint64_t deadline = clock_now_ns() + (uint64_t)grace_ms * 1000000u;
    for (;;) {
        size_t n = list_children(&children, &cap), left = 0;
        reap_exited(keep, nkeep, children, n);
        /* Still running: not exited since the reaping above (a zombie is reaped here, not
         * counted as killed). */
        for (size_t i = 0; i < n; i++)
            if (!kept(children[i], keep, nkeep) && waitpid(children[i], NULL, WNOHANG) == 0)
                children[left++] = children[i];
        if (left == 0)
            break;
        if (clock_now_ns() < deadline) {
            nanosleep(&(struct timespec){.tv_nsec = 5000000}, NULL);
            continue;
        }
        /* Killed and reaped one generation at a time: what they leave is ours next. */
        for (size_t i = 0; i < left; i++)
            if (kill(children[i], SIGKILL) == 0)
                killed++;
        for (size_t i = 0; i < left; i++)
            while (waitpid(children[i], NULL, 0) < 0 && errno == EINTR)
                ;
    }
    free(children);
    return killed;
}
