/* results_read.c — see results_read.h. */
#include "results/results_read.h"
#include "hdr/hdr_v2.h"
#include "results/point_check.h"
#include "results/results.h"
#include "util/files.h"
#include "util/mem.h"
#include "util/text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define T(type) (1u << (type))

/* What is wrong with the document, for the error message. */
struct why {
    char text[512];
};

/* snprintf, truncating quietly: these are places in messages. */
__attribute__((format(printf, 3, 4)))
static void say(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
}

/* obj[key] if it is of one of `types`, else NULL with the reason in *why;
 * `where` names obj ("" at the top). */
static json_t *field(json_t *obj, const char *key, unsigned types, const char *where,
                     struct why *why)
{
    json_t *v = json_object_get(obj, key);
    if (v && (types & T(json_typeof(v))))
        return v;
    say(why->text, sizeof why->text, "%s%s\"%s\" is %s", where, *where ? ": " : "", key,
             v ? "of the wrong type" : "missing");
    return NULL;
}

static int check_document(struct results_file *r, struct why *why)
{
    json_t *doc = r->doc, *schema, *ins;
    if (!json_is_object(doc)) {
        say(why->text, sizeof why->text, "not a JSON object");
        return -1;
    }
    if (!(schema = field(doc, "schema", T(JSON_STRING), "", why)))
        return -1;
    if (strcmp(json_string_value(schema), RESULTS_SCHEMA) != 0) {
        say(why->text, sizeof why->text, "schema is \"%s\"; this bhost reads \"%s\"",
                 json_string_value(schema), RESULTS_SCHEMA);
        return -1;
    }
    if (!field(doc, "run", T(JSON_OBJECT), "", why) ||
        !field(doc, "spec", T(JSON_OBJECT), "", why) ||
        !field(doc, "environment", T(JSON_OBJECT), "", why) ||
        !(r->points = field(doc, "points", T(JSON_ARRAY), "", why)) ||
        !(ins = field(doc, "instruments", T(JSON_ARRAY), "", why)))
        return -1;
    size_t i;
    json_t *pt;
    json_array_foreach(r->points, i, pt) {
        char bad[256];
        if (point_check(pt, bad, sizeof bad) != 0) {
            const char *id = json_string_value(json_object_get(pt, "id"));
            say(why->text, sizeof why->text, "point %s: %s", id ? id : "(no id)", bad);
            return -1;
        }
        const char *id = json_string_value(json_object_get(pt, "id"));
        if (json_object_get(r->by_id, id)) {
            say(why->text, sizeof why->text, "point id %s appears twice", id);
            return -1;
        }
        json_object_set(r->by_id, id, pt);
    }
    json_array_foreach(ins, i, pt) {
        char at[64];
        say(at, sizeof at, "instrument %zu", i);
        char bad[256];
        if (!field(pt, "instrument", T(JSON_STRING), at, why) ||
            !field(pt, "experiment", T(JSON_STRING), at, why))
            return -1;
        if (metrics_check(json_object_get(pt, "metrics"), bad, sizeof bad) != 0 ||
            reports_check(pt, bad, sizeof bad) != 0) {
            say(why->text, sizeof why->text, "%s: %s", at, bad);
            return -1;
        }
    }
    return 0;
}

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* How long the piece of text at p is, and whether it is one that must be replaced. */
struct piece {
    size_t len;
    int bad;     /* a byte that starts no UTF-8 character (len 1) */
    int nul;     /* the escape \u0000 in a string (len 6) */
};

static struct piece next_piece(const char *p, const char *end, int *in_string)
{
    if (*p == '\0')
        return (struct piece){1, 0, 0}; /* not JSON: the parser says so */
    if (*in_string && *p == '\\' && p + 1 < end) {
        if (end - p >= 6 && memcmp(p + 1, "u0000", 5) == 0)
            return (struct piece){6, 0, 1};
        return (struct piece){2, 0, 0}; /* an escape: \" does not end the string */
    }
    if (*p == '"')
        *in_string = !*in_string;
    size_t n = utf8_char_len((const unsigned char *)p);
    return n ? (struct piece){n, 0, 0} : (struct piece){1, 1, 0};
}

/*
 * A results file is data someone else may have written (docs/security.md):
 * its bytes that are not UTF-8 are read as U+FFFD, as a browser would, and
 * so is every \u0000 in its strings and keys, so that every string a reader
 * hands on is valid UTF-8 and whole. text[len] must be '\0' (utf8_char_len()
 * stops there); the text is copied only if something needs replacing.
 */
static void load(struct results_file *r, const char *text, size_t len)
{
    const char *end = text + len;
    size_t bad = 0, nuls = 0;
    int in_string = 0;
    for (const char *p = text; p < end;) {
        struct piece c = next_piece(p, end, &in_string);
        bad += c.bad;
        nuls += c.nul;
        p += c.len;
    }
    if (bad == 0 && nuls == 0) {
        r->doc = json_loadb(text, len, 0, &r->jerr);
        return;
    }
    char *fixed = xmalloc(len + 2 * bad + 1), *o = fixed;
    in_string = 0;
    for (const char *p = text; p < end;) {
        struct piece c = next_piece(p, end, &in_string);
        if (c.bad) {
            memcpy(o, replacement, 3);
            o += 3;
        } else if (c.nul) {
            memcpy(o, "\\uFFFD", 6);
            o += 6;
        } else {
            memcpy(o, p, c.len);
            o += c.len;
        }
        p += c.len;
    }
    r->doc = json_loadb(fixed, (size_t)(o - fixed), 0, &r->jerr);
    free(fixed);
}

/* Checks the loaded document (or the JSON error) into *r; 0 or -1 with err. */
static int finish_reading(struct results_file *r, const json_error_t *jerr, char *err,
                          size_t errlen)
{
    if (!r->doc) {
        if (jerr->line > 0)
            snprintf(err, errlen, "%s:%d:%d: not valid JSON: %s", r->path, jerr->line,
                     jerr->column, jerr->text);
        else
            snprintf(err, errlen, "%s: %s", r->path, jerr->text);
        results_file_free(r);
        return -1;
    }
    r->by_id = json_object();
    struct why why;
    if (check_document(r, &why) != 0) {
        snprintf(err, errlen, "%s: not a bhost results file: %s", r->path, why.text);
        results_file_free(r);
        return -1;
    }
    return 0;
}

int results_read(const char *path, struct results_file *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        r->path = xasprintf("%s/results.json", path);
    else
        r->path = xstrdup(path);
    size_t len;
    char *text = read_file(r->path, &len);
    if (!text) {
        snprintf(err, errlen, "%s: %s", r->path, strerror(errno));
        results_file_free(r);
        return -1;
    }
    load(r, text, len);
    free(text);
    return finish_reading(r, &r->jerr, err, errlen);
}

int results_parse(const char *text, size_t len, const char *name, struct results_file *r,
                  char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    r->path = xstrdup(name);
    char *copy = xmalloc(len + 1); /* NUL-terminated, as load() needs */
    memcpy(copy, text, len);
    copy[len] = '\0';
    load(r, copy, len);
    free(copy);
    return finish_reading(r, &r->jerr, err, errlen);
}

void results_file_free(struct results_file *r)
{
    json_decref(r->by_id);
    json_decref(r->doc);
    free(r->path);
    memset(r, 0, sizeof *r);
}

int results_hdr(const json_t *histogram, struct hdr *h)
{
    const char *text = json_string_value(json_object_get(histogram, "hdr"));
    if (!text) {
        memset(h, 0, sizeof *h);
        return -1;
    }
    return hdr_decode_v2_base64(text, h);
}
