/*
 * point_store.h — where a running run keeps its finished points: in its
 * journal. A journaled point is dropped from memory; the store keeps of it
 * its line's place in the journal and what the run's summary counts need
 * (its status, failed and measured iterations, its failure reasons when it
 * has any), a few dozen bytes, so the host does not grow with the points it
 * finished. Points not journaled (partial ones, those a failed journal write
 * left out) stay in memory; points skipped for the time budget are made
 * again when read (point_store_set_maker()).
 *
 * Positions are sweep positions; a position with no point is left out of
 * the run's document (a point interrupted, or never started).
 */
#ifndef BHOST_POINT_STORE_H
#define BHOST_POINT_STORE_H

#include "results/point_source.h"
#include "results/results.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct point_store;

/* A store of `npoints` positions, reading journaled points back from `journal_path`. */
struct point_store *point_store_new(size_t npoints, const char *journal_path);
void point_store_free(struct point_store *ps);

/* Point i is the line [offset, offset + len) of the journal (without its newline). */
void point_store_put_journaled(struct point_store *ps, size_t i, const json_t *pt,
                               uint64_t offset, size_t len);
/* Point i is pt, kept in memory (the store takes it over). */
void point_store_put(struct point_store *ps, size_t i, json_t *pt);
/* Point i is what the maker makes (skipped points: cheap to make again), with this status. */
void point_store_put_made(struct point_store *ps, size_t i, const char *status);
void point_store_set_maker(struct point_store *ps, json_t *(*make)(void *arg, size_t i),
                           void *arg);
/* Position i holds no point again. */
void point_store_clear(struct point_store *ps, size_t i);

/* Point i's status ("ok", "failed", "partial", "skipped"), or NULL: no point there. */
const char *point_store_status(const struct point_store *ps, size_t i);
/* Point i, a new reference (NULL: none, or unreadable: *unreadable set). */
json_t *point_store_get(struct point_store *ps, size_t i, int *unreadable);
/* A journaled point's line, malloc'd, without its newline, into *text and *len: 1; 0 when
 * point i is not journaled; -1 when the journal cannot be read. */
int point_store_text(struct point_store *ps, size_t i, char **text, size_t *len);

/* The counts run's summary holds. */
void point_store_counts(const struct point_store *ps, struct point_counts *c);
/* run.failures (results_run_failures()), summed over the points in sweep order. */
json_t *point_store_failures(const struct point_store *ps);

/* The store as a point source (valid while the store is). */
void point_store_source(struct point_store *ps, struct point_source *out);

#endif
