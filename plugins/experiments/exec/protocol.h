/*
 * protocol.h — the line protocol an exec command reports figures with.
 *
 * The command writes lines to the descriptor named by $BHOST_FD:
 *
 *     counter NAME VALUE     adds VALUE to the point's counter NAME
 *     gauge NAME VALUE       sets the point's gauge NAME
 *     record NAME VALUE_NS   records one value in the point's histogram NAME
 *
 * Blank lines and lines starting with '#' are ignored. A line that is none
 * of these stops nothing but makes the iteration fail, with the line quoted.
 */
#ifndef EXEC_PROTOCOL_H
#define EXEC_PROTOCOL_H

#include <bhost/bhost.h>

#include <stddef.h>

#define PROTOCOL_LINE_MAX 1024
#define PROTOCOL_NAMES_MAX 64

struct protocol_name {
    char name[64];
    int kind;          /* enum in protocol.c */
    bhost_hist *hist;  /* record only */
};

struct protocol {
    bhost_ctx *ctx;
    struct protocol_name names[PROTOCOL_NAMES_MAX];
    size_t name_count;
    char line[PROTOCOL_LINE_MAX + 1];
    size_t len;
    int too_long;       /* the current line passed PROTOCOL_LINE_MAX */
    unsigned line_no;   /* lines of the current command so far */
    char error[600];    /* the command's first bad line, "" if none */
};

/* Starts reading one command's lines (names are kept from command to command). */
void protocol_start(struct protocol *p, bhost_ctx *ctx);

/* Takes the next bytes the command wrote; whole lines are applied at once. */
void protocol_feed(struct protocol *p, const char *data, size_t n);

/* The command ended: a last line without a newline still counts. */
void protocol_end(struct protocol *p);

/* Why the command's lines were refused, or NULL. */
const char *protocol_error(const struct protocol *p);

#endif
