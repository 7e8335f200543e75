/* run_files.c — see run_files.h. */
#include "artifacts/run_files.h"
#include "util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int run_file_path_ok(const char *rel)
{
    if (!*rel || rel[0] == '/')
        return 0;
    for (const char *p = rel;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return 0;
        if (!slash)
            return 1;
        p = slash + 1;
    }
}

/* The reason for errno after an open along the path. */
static const char *open_failure(void)
{
    switch (errno) {
    case ENOENT:
        return "not there";
    case ELOOP:
    case ENOTDIR:
        return "a symbolic link or a file on the way: not followed";
    default:
        return strerror(errno);
    }
}

int run_file_open(const char *run_dir, const char *rel, const char **why)
{
    if (!run_file_path_ok(rel)) {
        *why = "not a path inside the run directory";
        return -1;
    }
    int dir = open(run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) {
        *why = open_failure();
        return -1;
    }
    char *copy = xstrdup(rel);
    char *name = copy;
    for (char *slash; dir >= 0 && (slash = strchr(name, '/')); name = slash + 1) {
        *slash = '\0';
        int next = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0)
            *why = open_failure();
        close(dir);
        dir = next;
    }
    int fd = -1;
    if (dir >= 0) {
        /* O_NONBLOCK: a FIFO planted there must not hang the open. */
        fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        struct stat st;
        if (fd < 0) {
            *why = open_failure();
        } else if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            *why = "not a regular file";
            close(fd);
            fd = -1;
        } else {
            fcntl(fd, F_SETFL, 0); /* reads of a regular file block, as usual */
        }
        close(dir);
    }
    free(copy);
    return fd;
}
