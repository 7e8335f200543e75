/*
 * command.c — word splitting and `{name}` substitution for exec's commands.
 */
#include "command.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growable string. */
struct buf {
    char *s;
    size_t len, cap;
};

static int buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 32;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *grown = realloc(b->s, cap);
        if (!grown)
            return -1;
        b->s = grown;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
    return 0;
}

static int buf_char(struct buf *b, char c)
{
    return buf_add(b, &c, 1);
}

/* An empty word is still a word ("" on a command line). */
static char *buf_take(struct buf *b)
{
    if (!b->s && buf_add(b, "", 0) < 0)
        return NULL;
    char *s = b->s;
    *b = (struct buf){0};
    return s;
}

__attribute__((format(printf, 3, 4)))
static void fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int is_name_start(char c) { return c >= 'a' && c <= 'z'; }
static int is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9') || c == '_'; }

static const char *lookup(const struct vars *vars, const char *name, size_t n)
{
    for (size_t i = 0; vars && i < vars->count; i++)
        if (strlen(vars->names[i]) == n && memcmp(vars->names[i], name, n) == 0) {
            if (vars->used)
                vars->used[i] = 1;
            return vars->values[i];
        }
    return NULL;
}

/* Levenshtein distance, computed only up to `limit` + 1 (names are short). */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb, size_t limit)
{
    size_t row[64];
    if (la >= 64 || lb >= 64)
        return limit + 1;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diagonal = row[0], best = row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t d = diagonal + (a[i - 1] != b[j - 1]);
            if (up + 1 < d)
                d = up + 1;
            if (row[j - 1] + 1 < d)
                d = row[j - 1] + 1;
            row[j] = d;
            diagonal = up;
            if (d < best)
                best = d;
        }
        if (best > limit)
            return limit + 1;
    }
    return row[lb];
}

const char *closest_word(const char *word, size_t n, const char *const *candidates,
                         size_t ncandidates)
{
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < ncandidates; i++) {
        size_t d = edit_distance(word, n, candidates[i], strlen(candidates[i]), 2);
        if (d < best_d && d < n) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best;
}

/* "'{size}' names no parameter; there are {model}, {seed}...": what may be written instead. */
static void unknown_name(char *err, size_t errlen, const char *name, size_t n,
                         const struct vars *vars)
{
    const char *near = vars ? closest_word(name, n, vars->names, vars->count) : NULL;
    size_t used;
    if (near)
        used = (size_t)snprintf(err, errlen, "'{%.*s}' names no parameter the spec gives (did "
                                "you mean {%s}?)", (int)n, name, near);
    else
        used = (size_t)snprintf(err, errlen, "'{%.*s}' names no parameter the spec gives (give "
                                "it under params:, or write {{%.*s}} for the text)", (int)n, name,
                                (int)n, name);
    if (used < errlen)
        used += (size_t)snprintf(err + used, errlen - used, "; there are");
    for (size_t i = 0; vars && i < vars->count && used < errlen; i++)
        used += (size_t)snprintf(err + used, errlen - used, "%s {%s}", i ? "," : "",
                                 vars->names[i]);
}

char *vars_substitute(const char *text, const struct vars *vars, char *err, size_t errlen)
{
    struct buf out = {0};
    const char *p = text;
    while (*p) {
        size_t n = 0;
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            if (buf_char(&out, p[0]) < 0)
                goto oom;
            p += 2;
            continue;
        }
        if (p[0] == '{' && (p == text || p[-1] != '$') && is_name_start(p[1])) {
            while (is_name_char(p[1 + n]))
                n++;
            if (p[1 + n] == '}') {
                const char *value = lookup(vars, p + 1, n);
                if (!value) {
                    unknown_name(err, errlen, p + 1, n, vars);
                    free(out.s);
                    return NULL;
                }
                if (buf_add(&out, value, strlen(value)) < 0)
                    goto oom;
                p += n + 2;
                continue;
            }
        }
        if (buf_char(&out, *p++) < 0)
            goto oom;
    }
    char *s = buf_take(&out);
    if (s)
        return s;
oom:
    free(out.s);
    fail(err, errlen, "out of memory");
    return NULL;
}

size_t words_count(char *const *words)
{
    size_t n = 0;
    while (words && words[n])
        n++;
    return n;
}

void words_free(char **words)
{
    for (size_t i = 0; words && words[i]; i++)
        free(words[i]);
    free(words);
}

static int words_push(char ***words, size_t *n, char *word)
{
    char **grown = realloc(*words, (*n + 2) * sizeof(**words));
    if (!grown)
        return -1;
    grown[(*n)++] = word;
    grown[*n] = NULL;
    *words = grown;
    return 0;
}

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Reads one word at *pp into `w`; *pp is left after it. */
static int read_word(const char **pp, struct buf *w, const char *text, char *err, size_t errlen)
{
    const char *p = *pp;
    while (*p && !is_blank(*p)) {
        int rc = 0;
        if (*p == '\'') {
            const char *end = strchr(p + 1, '\'');
            if (!end) {
                fail(err, errlen, "unterminated ' in '%s'", text);
                return -1;
            }
            rc = buf_add(w, p + 1, (size_t)(end - p - 1));
            p = end + 1;
        } else if (*p == '"') {
            p++;
            if (buf_add(w, "", 0) < 0)
                return -1;
            while (*p && *p != '"') {
                if (*p == '\\' && p[1] && strchr("\"\\$`", p[1]))
                    p++;
                if (buf_char(w, *p++) < 0)
                    return -1;
            }
            if (!*p) {
                fail(err, errlen, "unterminated \" in '%s'", text);
                return -1;
            }
            p++;
        } else if (*p == '\\') {
            if (!p[1]) {
                fail(err, errlen, "a trailing \\ in '%s'", text);
                return -1;
            }
            rc = buf_char(w, p[1]);
            p += 2;
        } else {
            rc = buf_char(w, *p++);
        }
        if (rc < 0)
            return -1;
    }
    *pp = p;
    return 0;
}

char **words_split(const char *text, const struct vars *vars, char *err, size_t errlen)
{
    char **words = NULL;
    size_t n = 0;
    const char *p = text;
    err[0] = '\0';
    if (words_push(&words, &n, NULL) < 0)
        goto oom;
    n = 0;
    for (;;) {
        while (is_blank(*p))
            p++;
        if (!*p)
            return words;
        struct buf w = {0};
        if (read_word(&p, &w, text, err, errlen) < 0) {
            free(w.s);
            if (!err[0])
                goto oom;
            goto fail;
        }
        char *raw = buf_take(&w);
        if (!raw)
            goto oom;
        char *word = vars_substitute(raw, vars, err, errlen);
        free(raw);
        if (!word)
            goto fail;
        if (words_push(&words, &n, word) < 0) {
            free(word);
            goto oom;
        }
    }
oom:
    fail(err, errlen, "out of memory");
fail:
    words_free(words);
    return NULL;
}
