/*
 * journal.h — what a run keeps on disk so that it can be resumed.
 *
 * run.json, written when the run starts, says how to rebuild its sweep: the
 * spec file, the overrides and the filter, and the spec as resolved then.
 * journal.jsonl holds each finished point's result, one JSON line each,
 * flushed and synced before the next point starts.
 */
#ifndef BHOST_JOURNAL_H
#define BHOST_JOURNAL_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#define JOURNAL_RUN_SCHEMA "bhost.run/1"

/* What run.json records: everything `bhost run --resume DIR` needs. Strings are owned
 * (run_record_free) when read; the writer only reads them. */
struct run_record {
    char *spec_file;     /* absolute */
    char **sets;         /* --set KEY=VALUE, including --max-points/--timeout */
    size_t nsets;
    char *filter;        /* or NULL */
    char *started_utc;
    json_t *spec;        /* the spec as it resolved then */
    char **plugin_path;  /* the folders searched before the defaults: --plugin-path, then
                            $BHOST_PLUGIN_PATH, made absolute */
    size_t npaths;
    int isolate;         /* 1: fork, 0: none; -1 if the file does not say */
    size_t jobs;         /* 0 if the file does not say */
    double time_budget;  /* seconds; 0: none; -1 if the file does not say */
    /* What the run compares and records with (NULL: not given, or not said): the history
     * database as resolved (absolute, or "off"), --baseline (a path made absolute, or
     * "history"), --threshold and --percentiles as given. */
    char *history, *baseline, *threshold, *percentiles;
    int artifacts;       /* 0: none, 1: --artifacts, 2: --bundle; -1 if the file does not say */
    json_t *shard;       /* --shard: index, count, method, balance_from, balance_sha256; or NULL */
};

/* Writes DIR/run.json (atomically). */
int run_record_write(const char *dir, const struct run_record *r, char *err, size_t errlen);
int run_record_read(const char *dir, struct run_record *r, char *err, size_t errlen);
void run_record_free(struct run_record *r);

/* Opens DIR/journal.jsonl for appending. NULL with errno. */
FILE *journal_open(const char *dir);
/*
 * fsync costs milliseconds on these machines, so the journal is forced to
 * disk at most this often; every line still reaches the kernel at once.
 */
#define JOURNAL_SYNC_NS UINT64_C(1000000000)

/* Appends one point: written through before it returns (a killed host loses
 * nothing), on disk within a second (a lost machine loses at most that). */
void journal_append(FILE *journal, const json_t *point);
/* Forces the journal to disk and closes it. */
void journal_close(FILE *journal);
/*
 * The points of DIR/journal.jsonl as an object id -> point. A last line cut
 * short (the host was killed while writing it) is dropped; any other bad
 * line is an error. An absent journal is an empty object.
 */
json_t *journal_read(const char *dir, char *err, size_t errlen);
/* journal_read() of a journal's text (`len` bytes; NULs are an error); `path` names it in
 * errors. Every point is checked with point_check(). */
json_t *journal_parse(const char *text, size_t len, const char *path, char *err,
                      size_t errlen);

#endif
