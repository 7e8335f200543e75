/*
 * scan.h — reading plugins where they cannot hurt the host.
 *
 * Loading a shared object runs its constructors, and reading a descriptor
 * follows the plugin's pointers: either can crash, hang or exit. So the host
 * never does it itself: a child process maps each file and reads its
 * descriptor, telling the host before each step, and sends back what it
 * read as JSON (plugin_json.h). A child that dies or stops answering costs
 * only the file it was on: that file is refused with what happened and
 * when ("killed by SIGABRT in a constructor", "killed by SIGSEGV while
 * reading the descriptor", "no answer in 5 s"), and a new child goes on
 * with the next.
 */
#ifndef BHOST_SCAN_H
#define BHOST_SCAN_H

#include "plugin/plugin.h"

#include <stddef.h>

/* How long one file may take, unless BHOST_SCAN_TIMEOUT (seconds) says otherwise. */
#define SCAN_TIMEOUT_MS 5000

/* What became of one file. */
struct scan_result {
    struct plugin *plugin;   /* NULL if refused */
    char *refusal;           /* "<path>: refused: <why>", or NULL */
    int lasting;             /* the outcome is the file's own, not the moment's: cacheable */
};

/* Reads each of paths[0..n) into out[0..n) (zeroed by the caller), in child processes. */
void scan_files(char *const *paths, size_t n, struct scan_result *out);

#endif
