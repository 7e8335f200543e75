/*
 * guard.h — nothing a run starts outlives its host, even a host killed with SIGKILL.
 *
 * While the host lives, it ends what its points leave behind (util/reaper.h);
 * a host that dies suddenly cleans nothing, and what its points started is
 * re-parented to init and runs on. So a run marks every process it starts:
 * a random token in the environment, BHOST_RUN_TOKEN, which fork and exec
 * both pass on. A guard process, in a session of its own so that a signal to
 * the host's process group spares it, waits for the host to end. A host that
 * ends without saying it is done leaves the guard to kill every process of the
 * same user whose environment (/proc/PID/environ) carries the token, scan after
 * scan until one finds none. A process that clears its environment (env -i)
 * escapes: docs/reliability.md says so, and what to do about it.
 *
 * /proc/PID/environ shows the environment a process was started with, not what
 * setenv() changed since, and a process that only forks shows its parent's. So
 * the host starts its program again with the token added (execve, same
 * arguments, same pid), once, before anything else: then what it merely forks
 * carries the token as visibly as what it execs.
 *
 * A host inside another run's point keeps the outer token and adds its own:
 * the variable holds the tokens of every run around the process, ':'-separated,
 * its own run's last.
 */
#ifndef BHOST_GUARD_H
#define BHOST_GUARD_H

#include <stddef.h>

#define GUARD_TOKEN_VAR "BHOST_RUN_TOKEN"
/* The guard's name in ps and /proc/PID/comm. */
#define GUARD_NAME "bhost-guard"
/* How the guard exits: told the run was done, or after cleaning up for a host that died. */
#define GUARD_EXIT_DONE 0
#define GUARD_EXIT_SWEPT 1

/*
 * Marks this process with a fresh token and starts its guard; call it first in
 * a command that runs plugins, with main()'s argv. The first call does not
 * return: it starts the program again with the token (see above), and the
 * call made then returns. 0, or -1 and why in err: the run goes on unguarded.
 */
int guard_start(char *const *argv, char *err, size_t errsize);

/* The run has ended and cleaned up after itself: the guard exits without a scan. */
void guard_done(void);

/* This run's token (32 hex digits), or NULL while no guard runs. */
const char *guard_token(void);

/* 1 if one entry of the NUL-separated environment block env[0..len) is
 * BHOST_RUN_TOKEN with `token` among its ':'-separated values. */
int guard_env_carries(const char *env, size_t len, const char *token);

#endif
