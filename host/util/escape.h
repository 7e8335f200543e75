/*
 * escape.h — text someone else wrote, made safe for the format it is
 * written into. Every string in a report or an export comes from a spec, a
 * plugin or a results file (docs/security.md): each writer passes it
 * through the function for its format, never prints it raw.
 *
 * Every function writes s (NUL-terminated) to f. Bytes that are not UTF-8
 * are written as U+FFFD, so the output is valid UTF-8 whatever the input.
 * JSON needs none of these: jansson escapes what it writes, and a results
 * file's reader already made its strings valid UTF-8 without NULs.
 */
#ifndef BHOST_ESCAPE_H
#define BHOST_ESCAPE_H

#include <stdio.h>

/* HTML text and double- or single-quoted attribute values: & < > " ' as
 * character references; C0 controls other than tab and newline as U+FFFD. */
void escape_html(FILE *f, const char *s);

/* XML 1.0 text and attribute values: as escape_html(), and every character
 * XML 1.0 forbids (C0 controls but tab, newline and CR; U+FFFE, U+FFFF) as
 * U+FFFD, so that any string gives a well-formed document. */
void escape_xml(FILE *f, const char *s);

/* An XML attribute value: as escape_xml(), and tab and newline as character references
 * too, since a parser reads them in an attribute as spaces. */
void escape_xml_attr(FILE *f, const char *s);

/* A GitHub-flavoured Markdown table cell: text, never markup. What acts
 * inside a line is backslash-escaped (\ ` * _ [ ] ~, and | which would end
 * the cell); < > & as character references (no inline HTML or autolinks); a
 * line end as <br>; other controls as U+FFFD. */
void escape_markdown(FILE *f, const char *s);

/* One RFC 4180 CSV field: quoted (inner quotes doubled) when it holds a
 * comma, quote, CR or LF, or starts or ends with a space. A text that a
 * spreadsheet would run as a formula (starting with = + - @, tab or CR) is
 * prefixed with a single quote; numbers are not text and never pass here. */
void escape_csv(FILE *f, const char *s);

#endif
