/*
 * spawn.h — runs one command of the exec experiment and times it, spawn to exit.
 *
 * A runner holds what every command of a point shares: the environment,
 * the directory, and the descriptors the command gets (stdin and stdout on
 * /dev/null, stderr and $BHOST_FD on pipes the runner drains while it waits,
 * so a command never blocks on them).
 */
#ifndef EXEC_SPAWN_H
#define EXEC_SPAWN_H

#include "protocol.h"

#include <spawn.h>
#include <stddef.h>
#include <stdint.h>

/* The descriptor the command writes protocol lines to ($BHOST_FD). */
#define SPAWN_PROTOCOL_FD 3
/* How much of the command's stderr is kept for failure reasons. */
#define SPAWN_TAIL_MAX 4096

struct runner {
    int null_fd;
    int proto_r, proto_w;
    int err_r, err_w;
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    int ready;           /* actions and attr initialised */
    char *const *envp;
    char tail[SPAWN_TAIL_MAX];
    size_t tail_len;
};

struct outcome {
    int spawn_error;     /* errno of posix_spawn(), 0 if the command ran */
    int status;          /* its wait status */
    int timed_out;       /* it ran past the timeout and was killed */
    int64_t ns;          /* spawn to exit */
};

/* `envp` and `cwd` ("" or NULL: bhost's) must outlive the runner. */
int runner_open(struct runner *r, char *const *envp, const char *cwd, char *err, size_t errlen);
void runner_close(struct runner *r);

/*
 * Runs the program at `path` with argv, feeding what it writes to $BHOST_FD
 * to `proto` and keeping the tail of its stderr. `timeout_s` > 0 kills it
 * (and its process group) after that long. With `end_group`, whatever the
 * command left running in its process group is killed when it exits.
 */
void runner_run(struct runner *r, const char *path, char *const argv[], double timeout_s,
                int end_group, struct protocol *proto, struct outcome *out);

/* Where PATH (bhost's) finds `name`, as a new string; a name with a '/' as it is; NULL if
 * nowhere. Done once per point, so that no iteration searches PATH again. */
char *path_resolve(const char *name);

/* "exit status 3", "killed by signal 9 (Killed)"...: why a run failed, NULL if it did not. */
const char *outcome_failure(const struct outcome *out, double timeout_s, char *buf, size_t n);

/* The last lines of the command's stderr, printable, on one line ("" if none). */
const char *runner_tail(const struct runner *r, char *buf, size_t n);

#endif
