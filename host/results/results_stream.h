/*
 * results_stream.h — a results document written as it is made: its
 * top-level members, then its points one at a time (never all in memory),
 * then the members after them. It goes through a temporary file renamed into
 * place at the end, so the file is absent or whole, as results_write()'s.
 *
 * Members are laid out as results_write() lays them out (indented by one
 * space a level); the elements of an array begun with
 * results_stream_begin_array() are written compact, one per line, so a large
 * run's points are also lines a line-oriented tool can read.
 */
#ifndef BHOST_RESULTS_STREAM_H
#define BHOST_RESULTS_STREAM_H

#include <jansson.h>
#include <stddef.h>

struct results_stream;

/* Opens PATH's temporary file. NULL with a message in err. */
struct results_stream *results_stream_open(const char *path, char *err, size_t errlen);
/* One top-level member. */
void results_stream_member(struct results_stream *s, const char *key, const json_t *value);
/* Starts the member `key` as an array: then _item() or _item_text() for each element, then
 * _end_array(). */
void results_stream_begin_array(struct results_stream *s, const char *key);
void results_stream_item(struct results_stream *s, const json_t *value);
/* An element already serialised as one JSON value of `len` bytes (a journal line without its
 * newline, say); written as it is. */
void results_stream_item_text(struct results_stream *s, const char *json, size_t len);
void results_stream_end_array(struct results_stream *s);
/* Flushes, syncs and renames the file into place: 0, or -1 with a message (a write that
 * failed earlier included). Frees s either way. */
int results_stream_close(struct results_stream *s, char *err, size_t errlen);
/* Removes the temporary file and frees s. */
void results_stream_abort(struct results_stream *s);

#endif
