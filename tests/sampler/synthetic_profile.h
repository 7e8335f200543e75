/*
 * synthetic_profile.h — a small profile that has what real ones have and
 * what breaks writers: three threads sharing frames, recursion, an inlined
 * frame, two functions of one name, a stack never sampled, and names with
 * ';', '<', '&', quotes, backslashes, non-ASCII, invalid UTF-8 and control
 * characters.
 */
#ifndef BHOST_TEST_SYNTHETIC_PROFILE_H
#define BHOST_TEST_SYNTHETIC_PROFILE_H

#include "profile.h"

/* Frame indices tests look at. */
enum {
    SYN_MAIN, SYN_RUN_QUERIES, SYN_SQLITE3_STEP, SYN_VDBE_EXEC, SYN_HASH_LOOKUP, SYN_MEMCPY,
    SYN_TEMPLATE, SYN_SEMICOLON, SYN_UNICODE, SYN_INVALID_UTF8, SYN_CONTROL, SYN_RECURSE,
    SYN_UNSYMBOLISED, SYN_TRUNCATED, SYN_WORKER_MAIN, SYN_OTHER_MEMCPY, SYN_BACKSLASH,
    SYN_FRAME_COUNT
};

/* The names as the profile holds them. */
#define SYN_TEMPLATE_NAME "ns::vec<int>::push_back(\"x\") & 'co'"
#define SYN_UNICODE_NAME "z\xC3\xBCrich_\xCE\xBB"          /* zürich_λ */
#define SYN_INVALID_UTF8_NAME "bad\xFF\xC3utf8"            /* a stray byte, a cut sequence */
#define SYN_CONTROL_NAME "tab\there\nnl\x01"
#define SYN_BACKSLASH_NAME "back\\slash"                   /* only in a stack never sampled */

/* 33 samples: thread "main" 19, thread "worker \"1\"" 12, thread "idle" 2. */
const struct profile *synthetic_profile(void);

#endif /* BHOST_TEST_SYNTHETIC_PROFILE_H */
