/*
 * merge_spool.h — where `bhost merge` keeps the points merged so far, so that it holds one
 * input at a time and never every point: each point's compact JSON text in a temporary
 * file in the output directory (unlinked as soon as it is made, so it never outlives the
 * merge), and in memory a small entry per point (its id, sweep index, the input it was
 * first seen in, and where its newest text is in the file).
 */
#ifndef BHOST_MERGE_SPOOL_H
#define BHOST_MERGE_SPOOL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct spool_entry {
    char *id;
    json_int_t index; /* the point's "index": its position in the sweep */
    size_t seen;      /* order of first sight: keeps equal indices in input order */
    size_t input;     /* the first input that held the point */
    uint64_t offset;  /* where its newest text starts in the spool file */
    size_t length;
};

struct merge_spool;

/* A spool in `dir` (which exists). NULL with the reason in err. */
struct merge_spool *merge_spool_open(const char *dir, char *err, size_t errlen);
void merge_spool_close(struct merge_spool *s);
/* The entry of point `id`, or NULL; valid until the next merge_spool_put(). */
const struct spool_entry *merge_spool_find(const struct merge_spool *s, const char *id);
/* Appends `text` as point `id`'s newest (a new entry, or its entry updated: the older text
 * stays in the file, unused). 0, or -1 with errno. */
int merge_spool_put(struct merge_spool *s, const char *id, json_int_t index, size_t input,
                    const char *text, size_t length);
/* The text of an entry, NUL-terminated, malloc'd; NULL with errno. */
char *merge_spool_read(const struct merge_spool *s, const struct spool_entry *e);
/* How many points it holds, and how many bytes its file has. */
size_t merge_spool_count(const struct merge_spool *s);
uint64_t merge_spool_bytes(const struct merge_spool *s);
/* The entries by sweep index (first sight for equal ones). Finding by id is over after. */
const struct spool_entry *merge_spool_sorted(struct merge_spool *s);

#endif
