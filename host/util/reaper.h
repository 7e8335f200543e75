/*
 * reaper.h — processes a sweep point (or a plugin's constructor) leaves behind.
 *
 * A plugin may start processes (a server, a helper) and forget them, or they
 * may leave the point's process group with setsid() or a double fork. A
 * process that is a child subreaper (PR_SET_CHILD_SUBREAPER) adopts every
 * such orphan among its descendants, so when the point ends its process can
 * find them all among its own children and kill them. The point's child
 * process is one, for what its plugin starts; the host is one, for what a
 * point's process leaves when it dies before it could clean up.
 */
#ifndef BHOST_REAPER_H
#define BHOST_REAPER_H

#include <stddef.h>
#include <sys/types.h>

/* How long processes a point started get to end by themselves once it is over. */
#define REAPER_GRACE_MS 200

/* Makes this process adopt its orphaned descendants. 0, or -1 with errno. */
int reaper_adopt(void);

/*
 * Kills this process's children but those in keep[0..nkeep), and whatever
 * they leave behind in turn, after giving them up to `grace_ms` to end by
 * themselves; reaps them all. Returns how many processes it killed.
 */
size_t reaper_kill_children(const pid_t *keep, size_t nkeep, int grace_ms);

#endif
