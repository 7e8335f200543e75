/*
 * proc_sample.h — one reading of the process's resources: /proc/self/stat
 * (resident set, threads), /proc/self/fd (descriptors), /proc/self/io
 * (I/O) and getrusage(2) (CPU time, context switches), less what the
 * reading thread itself accounts for, so that sampling does not show in
 * the samples.
 */
#ifndef BHOST_RESOURCES_PROC_SAMPLE_H
#define BHOST_RESOURCES_PROC_SAMPLE_H

#include <dirent.h>
#include <stdint.h>

/* The files a sampler keeps open, and what its own reads of them added up to. */
struct proc_files {
    int stat_fd, io_fd;       /* -1: could not be opened, see the errors */
    DIR *fd_dir;
    int stat_error, io_error, fd_dir_error; /* errno of the open, 0 if open */
    int own_fds;              /* descriptors above, which the count leaves out */
    uint64_t own_read_chars;  /* bytes the sampler's own reads returned */
};

/* A reading; the fields of a source that could not be read are 0 and flagged. */
struct proc_sample {
    uint64_t t_ns;            /* CLOCK_MONOTONIC */
    int have_stat, have_fds, have_io;
    uint64_t rss_bytes;
    uint32_t threads;         /* the sampler's own thread left out */
    uint32_t fds;             /* the sampler's own descriptors left out */
    int64_t user_us, system_us;   /* the process's CPU time, less the sampler's */
    int64_t voluntary, involuntary; /* the process's context switches, less the sampler's */
    uint64_t read_bytes, write_bytes; /* storage I/O (read_bytes, write_bytes) */
    uint64_t read_chars, write_chars; /* read and write calls (rchar, wchar) */
};

/* Opens what the samples read. Call from the process being sampled. */
void proc_files_open(struct proc_files *f);
void proc_files_close(struct proc_files *f);

/* One reading, from the sampling thread (its own use is subtracted). */
void proc_sample_take(struct proc_files *f, struct proc_sample *s);

#endif
