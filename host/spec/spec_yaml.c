/* spec_yaml.c — see spec_yaml.h. */
#include "spec/spec_yaml.h"
#include "util/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* Reader errors (bad UTF-8) leave problem_mark unset: the byte offset is in
 * problem_offset, so count lines and characters up to it. */
static int yaml_error(yaml_parser_t *parser, const char *text, size_t len, const char *file,
                      char *err, size_t errlen)
{
    unsigned long line = parser->problem_mark.line, column = parser->problem_mark.column;
    char value[32] = "";
    if (parser->error == YAML_READER_ERROR) {
        line = column = 0;
        for (size_t i = 0; i < parser->problem_offset && i < len; i++) {
            if (text[i] == '\n')
                line++, column = 0;
            else if (((unsigned char)text[i] & 0xC0) != 0x80)
                column++;
        }
        if (parser->problem_value >= 0)
            snprintf(value, sizeof value, " (0x%X)", (unsigned)parser->problem_value);
    }
    snprintf(err, errlen, "%s:%lu:%lu: invalid YAML: %s%s%s%s", file, line + 1, column + 1,
             parser->problem ? parser->problem : "syntax error", value,
             parser->context ? " " : "", parser->context ? parser->context : "");
    yaml_parser_delete(parser);
    return -1;
}

struct anchor {
    char *name;
    uint64_t start;   /* where it starts, in expanded text */
    uint64_t size;    /* its expanded length, once closed */
    int closed;
};

struct scan {
    struct anchor *anchors;
    size_t nanchors, naliases;
    size_t open[SPEC_MAX_DEPTH]; /* per open collection: its anchor, or SIZE_MAX */
    int depth;
    uint64_t extra;              /* text added by the aliases so far */
};

/* Checks one event; a message in `why` if it breaks a limit. */
static void check_event(struct scan *p, const yaml_event_t *ev, char *why, size_t whylen)
{
    const yaml_char_t *anchor = NULL;
    int opens = 0;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        if (strlen((const char *)ev->data.scalar.value) != ev->data.scalar.length) {
            snprintf(why, whylen, "the value contains a NUL byte");
            return;
        }
        anchor = ev->data.scalar.anchor;
        break;
    case YAML_SEQUENCE_START_EVENT:
        anchor = ev->data.sequence_start.anchor;
        opens = 1;
        break;
    case YAML_MAPPING_START_EVENT:
        anchor = ev->data.mapping_start.anchor;
        opens = 1;
        break;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: {
        size_t a = p->open[--p->depth];
        if (a != SIZE_MAX) {
            p->anchors[a].size = ev->end_mark.index + p->extra - p->anchors[a].start;
            p->anchors[a].closed = 1;
        }
        return;
    }
    case YAML_ALIAS_EVENT: {
        const char *name = (const char *)ev->data.alias.anchor;
        if (++p->naliases > SPEC_MAX_ALIASES) {
            snprintf(why, whylen, "more than %d aliases; a spec may use at most %d",
                     SPEC_MAX_ALIASES, SPEC_MAX_ALIASES);
            return;
        }
        /* The latest anchor of that name; an unknown one is the loader's to report. */
        size_t i = p->nanchors;
        while (i > 0 && strcmp(p->anchors[i - 1].name, name) != 0)
            i--;
        if (i == 0)
            return;
        if (!p->anchors[i - 1].closed) {
            snprintf(why, whylen, "alias *%s is inside the node it refers to", name);
            return;
        }
        p->extra += p->anchors[i - 1].size;
        if (p->extra > SPEC_MAX_ALIAS_BYTES)
            snprintf(why, whylen, "the aliases stand for more than %u bytes of text; "
                     "a spec's aliases may expand to at most %u", SPEC_MAX_ALIAS_BYTES,
                     SPEC_MAX_ALIAS_BYTES);
        return;
    }
    default:
        return;
    }
    if (opens && p->depth == SPEC_MAX_DEPTH) {
        snprintf(why, whylen, "nested deeper than %d levels", SPEC_MAX_DEPTH);
        return;
    }
    size_t a = SIZE_MAX;
    if (anchor) {
        if (p->nanchors == SPEC_MAX_ANCHORS) {
            snprintf(why, whylen, "more than %d anchors; a spec may define at most %d",
                     SPEC_MAX_ANCHORS, SPEC_MAX_ANCHORS);
            return;
        }
        a = p->nanchors++;
        p->anchors[a] = (struct anchor){xstrdup((const char *)anchor),
                                        ev->start_mark.index + p->extra,
                                        ev->end_mark.index - ev->start_mark.index, !opens};
    }
    if (opens)
        p->open[p->depth++] = a;
}

/*
 * libyaml's loader takes quadratic time on deep nesting and expands nothing
 * itself, but every alias we read is copied: so walk the events first, which
 * is linear, and refuse what would be slow or huge before loading.
 */
static int prepass(const char *text, size_t len, const char *file, char *err, size_t errlen)
{
    if (len > SPEC_MAX_TEXT_BYTES) {
        snprintf(err, errlen, "%s: the spec is %zu bytes; a spec may be at most %u bytes (4 MiB)",
                 file, len, SPEC_MAX_TEXT_BYTES);
        return -1;
    }
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    struct scan p = {.anchors = xcalloc(SPEC_MAX_ANCHORS, sizeof *p.anchors)};
    int rc = 0, done = 0, deleted = 0;
    while (!done && rc == 0) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = yaml_error(&parser, text, len, file, err, errlen);
            deleted = 1;
            break;
        }
        char why[200] = "";
        check_event(&p, &ev, why, sizeof why);
        if (*why) {
            snprintf(err, errlen, "%s:%lu:%lu: %s", file,
                     (unsigned long)ev.start_mark.line + 1,
                     (unsigned long)ev.start_mark.column + 1, why);
            rc = -1;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    for (size_t i = 0; i < p.nanchors; i++)
        free(p.anchors[i].name);
    free(p.anchors);
    if (!deleted)
        yaml_parser_delete(&parser);
    return rc;
}

int spec_yaml_load(yaml_document_t *doc, const char *text, size_t len, const char *file,
                   char *err, size_t errlen)
{
    yaml_parser_t parser;
    if (prepass(text, len, file, err, errlen) != 0)
        return -1;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, doc))
        return yaml_error(&parser, text, len, file, err, errlen);
    /* One document: a second one would be silently ignored, so refuse it. */
    yaml_document_t next;
    if (!yaml_parser_load(&parser, &next)) {
        yaml_document_delete(doc);
        return yaml_error(&parser, text, len, file, err, errlen);
    }
    yaml_node_t *extra = yaml_document_get_root_node(&next);
    if (extra)
        snprintf(err, errlen, "%s:%lu:%lu: a second YAML document; a spec is one document",
                 file, (unsigned long)extra->start_mark.line + 1,
                 (unsigned long)extra->start_mark.column + 1);
    yaml_document_delete(&next);
    yaml_parser_delete(&parser);
    if (extra)
        yaml_document_delete(doc);
    return extra ? -1 : 0;
}
