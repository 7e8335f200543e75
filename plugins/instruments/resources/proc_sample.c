/* proc_sample.c — see proc_sample.h. */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include "proc_sample.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* Fields of /proc/self/stat counted from the one after the command's closing ')'
 * (field 3, the state): num_threads is field 20, rss field 24 (proc(5)). */
#define STAT_THREADS (20 - 3)
#define STAT_RSS (24 - 3)

static int open_proc(const char *path, int *error)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    *error = fd < 0 ? errno : 0;
    return fd;
}

void proc_files_open(struct proc_files *f)
{
    *f = (struct proc_files){.stat_fd = -1, .io_fd = -1};
    f->stat_fd = open_proc("/proc/self/stat", &f->stat_error);
    f->io_fd = open_proc("/proc/self/io", &f->io_error);
    f->fd_dir = opendir("/proc/self/fd");
    f->fd_dir_error = f->fd_dir ? 0 : errno;
    f->own_fds = (f->stat_fd >= 0) + (f->io_fd >= 0) + (f->fd_dir != NULL);
}

void proc_files_close(struct proc_files *f)
{
    if (f->stat_fd >= 0)
        close(f->stat_fd);
    if (f->io_fd >= 0)
        close(f->io_fd);
    if (f->fd_dir)
        closedir(f->fd_dir);
    *f = (struct proc_files){.stat_fd = -1, .io_fd = -1};
}

/* The whole of a /proc file, read again from its start: its length, or -1. */
static ssize_t read_proc(struct proc_files *f, int fd, char *buf, size_t size)
{
    ssize_t n = pread(fd, buf, size - 1, 0);
    if (n < 0)
        return -1;
    f->own_read_chars += (uint64_t)n;
    buf[n] = '\0';
    return n;
}

static int read_stat(struct proc_files *f, struct proc_sample *s)
{
    char buf[1024];
    if (f->stat_fd < 0 || read_proc(f, f->stat_fd, buf, sizeof buf) < 0)
        return 0;
    char *p = strrchr(buf, ')');
    if (!p)
        return 0;
    p++;
    for (int field = 0; field <= STAT_RSS; field++) {
        char *end;
        long long v = strtoll(p, &end, 10); /* the state letter parses as nothing: fine */
        if (field == STAT_THREADS)
            s->threads = v > 1 ? (uint32_t)(v - 1) : 0;
        else if (field == STAT_RSS)
            s->rss_bytes = v > 0 ? (uint64_t)v * (uint64_t)sysconf(_SC_PAGESIZE) : 0;
        p = strchr(p + 1, ' ');
        if (!p)
            return field == STAT_RSS;
    }
    return 1;
}

static int count_fds(struct proc_files *f, struct proc_sample *s)
{
    if (!f->fd_dir)
        return 0;
    rewinddir(f->fd_dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(f->fd_dir)))
        n += e->d_name[0] != '.';
    s->fds = n > f->own_fds ? (uint32_t)(n - f->own_fds) : 0;
    return 1;
}

/* "name: value" in /proc/self/io. */
static uint64_t io_field(const char *text, const char *name)
{
    const char *p = strstr(text, name);
    return p ? strtoull(p + strlen(name), NULL, 10) : 0;
}

static int read_io(struct proc_files *f, struct proc_sample *s)
{
    char buf[512];
    if (f->io_fd < 0)
        return 0;
    /* What the file says leaves out this read, not the sampler's reads before it. */
    uint64_t own = f->own_read_chars;
    if (read_proc(f, f->io_fd, buf, sizeof buf) < 0)
        return 0;
    uint64_t rchar = io_field(buf, "rchar: ");
    s->read_chars = rchar > own ? rchar - own : 0;
    s->write_chars = io_field(buf, "wchar: ");
    s->read_bytes = io_field(buf, "\nread_bytes: ");
    s->write_bytes = io_field(buf, "\nwrite_bytes: ");
    return 1;
}

static int64_t micros(struct timeval tv)
{
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

void proc_sample_take(struct proc_files *f, struct proc_sample *s)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    *s = (struct proc_sample){.t_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec};
    struct rusage all, own;
    getrusage(RUSAGE_SELF, &all);
    getrusage(RUSAGE_THREAD, &own);
    s->user_us = micros(all.ru_utime) - micros(own.ru_utime);
    s->system_us = micros(all.ru_stime) - micros(own.ru_stime);
    s->voluntary = all.ru_nvcsw - own.ru_nvcsw;
    s->involuntary = all.ru_nivcsw - own.ru_nivcsw;
    s->have_stat = read_stat(f, s);
    s->have_fds = count_fds(f, s);
    s->have_io = read_io(f, s);
}
