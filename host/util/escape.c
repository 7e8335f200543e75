/*
 * escape.c — one walker over UTF-8 characters, four ways to write each.
 */
#include "util/escape.h"

#include "util/text.h"

#include <string.h>

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* How one format writes a character: 1 if it wrote it, 0 to have it copied. */
typedef int (*escape_char)(FILE *f, const unsigned char *c, size_t len);

/* Walks s one UTF-8 character at a time; a byte that starts none is U+FFFD. */
static void walk(FILE *f, const char *s, escape_char write_char)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t len = utf8_char_len(p);
        if (len == 0) {
            fputs(replacement, f);
            p++;
            continue;
        }
        if (!write_char(f, p, len))
            fwrite(p, 1, len, f);
        p += len;
    }
}

static int is_control(const unsigned char *c, size_t len)
{
    return len == 1 && (c[0] < 0x20 || c[0] == 0x7f);
}

/* The references HTML and XML share; 0 for a character that needs none. */
static const char *reference(unsigned char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#39;";
    default: return NULL;
    }
}

static int html_char(FILE *f, const unsigned char *c, size_t len)
{
    const char *ref = len == 1 ? reference(c[0]) : NULL;
    if (ref) {
        fputs(ref, f);
        return 1;
    }
    if (is_control(c, len) && c[0] != '\t' && c[0] != '\n') {
        fputs(replacement, f);
        return 1;
    }
    return 0;
}

static int xml_char(FILE *f, const unsigned char *c, size_t len)
{
    const char *ref = len == 1 ? reference(c[0]) : NULL;
    if (ref) {
        fputs(ref, f);
        return 1;
    }
    /* XML 1.0's Char production: no C0 but tab, LF, CR; no U+FFFE or U+FFFF. */
    int forbidden = (len == 1 && c[0] < 0x20 && c[0] != '\t' && c[0] != '\n' && c[0] != '\r') ||
                    (len == 3 && c[0] == 0xEF && c[1] == 0xBF && (c[2] == 0xBE || c[2] == 0xBF));
    if (forbidden) {
        fputs(replacement, f);
        return 1;
    }
    /* A CR would be read back as a line end: keep it as a reference. */
    if (len == 1 && c[0] == '\r') {
        fputs("&#13;", f);
        return 1;
    }
    return 0;
}

static int xml_attr_char(FILE *f, const unsigned char *c, size_t len)
{
    if (len == 1 && (c[0] == '\t' || c[0] == '\n')) {
        fprintf(f, "&#%d;", c[0]);
        return 1;
    }
    return xml_char(f, c, len);
}

static int markdown_char(FILE *f, const unsigned char *c, size_t len)
{
    if (len != 1)
        return 0;
    if (c[0] == '<' || c[0] == '>' || c[0] == '&') {
        fputs(reference(c[0]), f);
        return 1;
    }
    if (c[0] == '\n') {
        fputs("<br>", f);
        return 1;
    }
    if (c[0] == '\r') /* CR LF is one line end; a lone CR is dropped */
        return 1;
    if (is_control(c, len)) {
        fputs(replacement, f);
        return 1;
    }
    if (strchr("\\`*_[]|~", c[0])) {
        fputc('\\', f);
        fputc(c[0], f);
        return 1;
    }
    return 0;
}

static int csv_char(FILE *f, const unsigned char *c, size_t len)
{
    if (len == 1 && c[0] == '"') {
        fputs("\"\"", f);
        return 1;
    }
    if (is_control(c, len) && c[0] != '\t' && c[0] != '\n' && c[0] != '\r') {
        fputs(replacement, f);
        return 1;
    }
    return 0;
}

void escape_html(FILE *f, const char *s)
{
    walk(f, s, html_char);
}

void escape_xml(FILE *f, const char *s)
{
    walk(f, s, xml_char);
}

void escape_xml_attr(FILE *f, const char *s)
{
    walk(f, s, xml_attr_char);
}

void escape_markdown(FILE *f, const char *s)
{
    walk(f, s, markdown_char);
}

void escape_csv(FILE *f, const char *s)
{
    size_t n = strlen(s);
    int formula = n > 0 && strchr("=+-@\t\r", s[0]);
    int quoted = formula || strpbrk(s, ",\"\r\n") || (n > 0 && (s[0] == ' ' || s[n - 1] == ' '));
    if (quoted)
        fputc('"', f);
    if (formula)
        fputc('\'', f);
    walk(f, s, csv_char);
    if (quoted)
        fputc('"', f);
}
