/*
 * html_parts.h — what the HTML report's writers share: the state of one
 * page being written, badges whose class comes from a fixed list (never
 * from the results), point anchors, and links into the run directory
 * percent-encoded so that no results text can become a scheme or leave
 * the attribute.
 */
#ifndef BHOST_REPORT_HTML_PARTS_H
#define BHOST_REPORT_HTML_PARTS_H

#include "report/report.h"
#include "report/view.h"

#include <jansson.h>
#include <stdio.h>

/* More points than this: per-point details start closed, the contents' list folded. */
#define HTML_MANY_POINTS 20

struct html_page {
    FILE *f;
    const struct report *r;
    const struct view *v;
    json_t *run_points;  /* the run's points by id */
    json_t *base_points; /* the baseline's points by id, when comparing; else NULL */
};

/* <span class="badge WORD">word</span>: the class is the word when it is a status, gate
 * state or verdict bhost writes, else "other"; the text is escaped. */
void html_badge(FILE *f, const char *word);
/* The anchor of a point: "p" and its sweep index. */
void html_point_anchor(char *buf, size_t n, const json_t *point);
/* An href value: `dir` (may be "" or NULL) and `path` joined with "/", each byte outside
 * A-Z a-z 0-9 - . _ ~ / written %XX. */
void html_href(FILE *f, const char *dir, const char *path);
/* <h2 id="ID">title</h2> (the title is bhost's own words). */
void html_heading(FILE *f, const char *id, const char *title);
/* A <td> with escaped text; `cls` (may be NULL) is its class, bhost's own. */
void html_td(FILE *f, const char *cls, const char *text);

#endif
