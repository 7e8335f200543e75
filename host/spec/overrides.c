/*
 * overrides.c — --set KEY=VALUE (see overrides.h): each value a YAML
 * document of its own, taking precedence over the file at every level.
 */
#include "spec/overrides.h"
#include "spec/spec.h"
#include "util/mem.h"
#include "util/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Command-line text for a message: control bytes and invalid UTF-8 as \xNN. */
static char *escape_text(const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text);
    char *out = xcalloc(4 * n + 1, 1), *o = out;
    for (size_t i = 0; i < n;) {
        size_t w = utf8_char_len(s + i);
        if (w && s[i] >= 0x20 && s[i] != 0x7F) {
            memcpy(o, s + i, w);
            o += w, i += w;
        } else {
            o += snprintf(o, 5, "\\x%02X", s[i++]);
        }
    }
    *o = '\0';
    return out;
}

/* Cuts a long --set text for messages, which name it before the position. */
static void shorten(char *s, size_t max)
{
    if (strlen(s) <= max)
        return;
    size_t i = max - 3;
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    memcpy(s + i, "...", 4);
}

int overrides_load(struct reader *r, const char *const *texts, size_t n)
{
    r->ov = xcalloc(n, sizeof *r->ov);
    r->nov = n;
    for (size_t i = 0; i < n; i++) {
        struct override *o = &r->ov[i];
        o->text = xstrdup(texts[i]);
        o->shown = escape_text(texts[i]);
        shorten(o->shown, 80);
        char *eq = strchr(o->text, '=');
        if (!eq || eq == o->text) {
            snprintf(r->err, r->errlen, "--set %s: expected key=value", o->shown);
            return -1;
        }
        char *key = xstrdup(o->text);
        key[eq - o->text] = '\0';
        char *dot = strchr(key, '.');
        if (dot) {
            *dot = '\0';
            o->scope = xstrdup(key);
            o->key = xstrdup(dot + 1);
        } else {
            o->key = xstrdup(key);
        }
        free(key);
        o->label = xasprintf("--set %s", o->shown);
        const char *value = eq + 1;
        int rc = reader_load(&o->src, value, strlen(value), o->label, r->err, r->errlen);
        o->loaded = rc == 0;
        if (rc != 0)
            return -1;
        o->value = yaml_document_get_root_node(&o->src.doc);
        if (!o->value) {
            snprintf(r->err, r->errlen, "--set %s: no value after '='", o->shown);
            return -1;
        }
    }
    return 0;
}

/*
 * The node that decides `key` for experiment `exp` (NULL for the spec's top
 * level): an override scoped to it, then an unscoped one, then `fallback`.
 */
struct ref overrides_decide(struct reader *r, const char *exp, const char *key, struct ref fallback)
{
    for (int scoped = 1; scoped >= 0; scoped--) {
        for (size_t i = r->nov; i-- > 0;) {
            struct override *o = &r->ov[i];
            if (strcmp(o->key, key) != 0)
                continue;
            if (scoped ? (exp && o->scope && strcmp(o->scope, exp) == 0) : !o->scope) {
                o->used = 1;
                return (struct ref){&o->src, o->value};
            }
        }
    }
    return fallback;
}

struct ref overrides_decide_scoped(struct reader *r, const char *scope, const char *key,
                                   struct ref fallback)
{
    for (size_t i = r->nov; i-- > 0;) {
        struct override *o = &r->ov[i];
        if (o->scope && strcmp(o->scope, scope) == 0 && strcmp(o->key, key) == 0) {
            o->used = 1;
            return (struct ref){&o->src, o->value};
        }
    }
    return fallback;
}

/* Whether an instrument named `name` is attached to an experiment of s. */
static int attached(const struct spec *s, const char *name)
{
    for (size_t e = 0; e < s->nexperiments; e++)
        for (size_t k = 0; k < s->experiments[e].ninstruments; k++)
            if (strcmp(s->experiments[e].instruments[k].plugin->desc.name, name) == 0)
                return 1;
    return 0;
}

/* What --set may set besides parameters. */
static const char *const settings[] = {"iterations", "warmup", "measured", "min_time",
                                       "repetitions", "timeout", "rate", "arrival", "seed",
                                       "instruments", "threads", "name", "output_dir",
                                       "max_points", "fresh_process", "interleave"};

int overrides_is_setting(const char *key)
{
    for (size_t i = 0; i < ARRAY_LEN(settings); i++)
        if (strcmp(settings[i], key) == 0)
            return 1;
    return 0;
}

/* The parameter or setting an unused override most likely meant, or NULL. */
static const char *closest_key(const struct spec *s, const struct override *o)
{
    size_t n = sizeof settings / sizeof *settings;
    for (size_t e = 0; e < s->nexperiments; e++)
        n += s->experiments[e].ndefs;
    const char **names = xcalloc(n, sizeof *names);
    size_t k = 0;
    for (size_t i = 0; i < sizeof settings / sizeof *settings; i++)
        names[k++] = settings[i];
    for (size_t e = 0; e < s->nexperiments; e++) {
        const struct spec_experiment *x = &s->experiments[e];
        if (o->scope && strcmp(o->scope, x->name) != 0)
            continue;
        for (size_t i = 0; i < x->ndefs; i++)
            names[k++] = x->defs[i].name;
    }
    const char *near = closest_name(o->key, names, k);
    free(names);
    return near;
}

/* An override nothing used is a typo: say so rather than run without it. */
int overrides_check_used(struct reader *r, const struct spec *s)
{
    for (size_t i = 0; i < r->nov; i++) {
        struct override *o = &r->ov[i];
        if (o->used)
            continue;
        if (o->scope) {
            size_t j = 0;
            while (j < s->nexperiments && strcmp(s->experiments[j].name, o->scope) != 0)
                j++;
            if (j == s->nexperiments && attached(s, o->scope)) {
                char *scope = escape_text(o->scope), *key = escape_text(o->key);
                snprintf(r->err, r->errlen, "--set %s: instrument '%s' has no parameter '%s'; "
                         "`bhost list %s` shows its parameters", o->shown, scope, key, scope);
                free(scope);
                free(key);
                return -1;
            }
            if (j == s->nexperiments) {
                char *scope = escape_text(o->scope);
                snprintf(r->err, r->errlen, "--set %s: the spec has no experiment named '%s', "
                         "and no experiment has an instrument of that name attached",
                         o->shown, scope);
                free(scope);
                return -1;
            }
        }
        char *key = escape_text(o->key);
        const char *near = closest_key(s, o);
        const struct spec_experiment *open = NULL;
        for (size_t e = 0; e < s->nexperiments && !open && !o->scope; e++)
            if (s->experiments[e].plugin->desc.flags & BHOST_OPEN_PARAMS)
                open = &s->experiments[e];
        char *open_name = open ? escape_text(open->name) : NULL;
        int used = snprintf(r->err, r->errlen, "--set %s: no %s has a parameter or setting "
                            "'%s'%s%s%s", o->shown, o->scope ? "such experiment" : "experiment",
                            key, near ? " (did you mean '" : "", near ? near : "",
                            near ? "'?)" : "");
        if (open_name && used >= 0 && (size_t)used < r->errlen)
            snprintf(r->err + used, r->errlen - (size_t)used, "; an open parameter is added "
                     "with the experiment's name: --set %s.%s=...", open_name, key);
        free(open_name);
        free(key);
        return -1;
    }
    return 0;
}

void overrides_free(struct reader *r)
{
    for (size_t i = 0; i < r->nov; i++) {
        struct override *o = &r->ov[i];
        if (o->loaded)
            yaml_document_delete(&o->src.doc);
        free(o->text);
        free(o->shown);
        free(o->label);
        free(o->scope);
        free(o->key);
    }
    free(r->ov);
}
