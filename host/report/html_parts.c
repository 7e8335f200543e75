/* html_parts.c — see html_parts.h. */
#include "report/html_parts.h"
#include "util/escape.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

void html_badge(FILE *f, const char *word)
{
    static const char *const known[] = {
        "ok",     "failed", "partial", "skipped",      "interrupted", "incomplete",
        "met",    "missed", "inconclusive", "not judged", "slower",   "faster", "same"};
    const char *cls = "other";
    for (size_t k = 0; word && k < sizeof known / sizeof known[0]; k++)
        if (strcmp(word, known[k]) == 0)
            cls = known[k];
    fprintf(f, "<span class=\"badge %s\">", strcmp(cls, "not judged") == 0 ? "notjudged" : cls);
    escape_html(f, word ? word : "?");
    fputs("</span>", f);
}

void html_point_anchor(char *buf, size_t n, const json_t *point)
{
    snprintf(buf, n, "p%lld", (long long)json_integer_value(json_object_get(point, "index")));
}

/* s percent-encoded at out (room for 3 bytes per byte of s); returns the end. */
static char *encoded(char *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= '0' && *p <= '9') || strchr("-._~/", *p);
        if (plain) {
            *out++ = (char)*p;
        } else {
            *out++ = '%';
            *out++ = hex[*p >> 4];
            *out++ = hex[*p & 15];
        }
    }
    *out = '\0';
    return out;
}

void html_href(FILE *f, const char *dir, const char *path)
{
    size_t room = 3 * (strlen(path) + (dir ? strlen(dir) : 0)) + 4;
    char *link = xmalloc(room), *at = link;
    *at = '\0';
    if (dir && *dir && strcmp(dir, ".") != 0) {
        at = encoded(at, dir);
        if (at[-1] != '/')
            *at++ = '/';
    } else if (path[0] == '/') {
        /* Never an absolute or scheme-relative link: the run directory's own files only. */
        *at++ = '.';
    }
    encoded(at, path);
    /* Percent-encoding leaves nothing HTML would read as markup; escaped all the same. */
    escape_html(f, link);
    free(link);
}

void html_heading(FILE *f, const char *id, const char *title)
{
    fprintf(f, "<h2 id=\"%s\">%s</h2>\n", id, title);
}

void html_td(FILE *f, const char *cls, const char *text)
{
    if (cls)
        fprintf(f, "<td class=\"%s\">", cls);
    else
        fputs("<td>", f);
    escape_html(f, text ? text : "");
    fputs("</td>", f);
}
