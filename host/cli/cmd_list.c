/* cmd_list.c — see cmd_list.h and docs/cli.md. */
#include "cli/cmd_list.h"
#include "cli/options.h"
#include "plugin/param.h"
#include "spec/spec.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static json_t *param_list_json(const struct plugin *p)
{
    json_t *a = json_array();
    for (size_t i = 0; i < p->nparams; i++) {
        const struct pdef *d = &p->params[i];
        json_t *o = json_pack("{s:s, s:s, s:b}", "name", d->name, "type", type_name(d->type),
                              "required", d->required);
        json_object_set_new(o, "default", d->required ? json_null() : pvalue_json(&d->def));
        json_object_set_new(o, "min", d->has_min ? pvalue_json(&d->min) : json_null());
        json_object_set_new(o, "max", d->has_max ? pvalue_json(&d->max) : json_null());
        json_t *choices = json_array();
        for (size_t c = 0; c < d->nchoices; c++)
            json_array_append_new(choices, json_string(d->choices[c]));
        json_object_set_new(o, "choices", choices);
        json_object_set_new(o, "unit", d->unit ? json_string(d->unit) : json_null());
        json_object_set_new(o, "doc", d->doc ? json_string(d->doc) : json_null());
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

int list_json(const struct registry *r)
{
    json_t *plugins = json_array(), *dirs = json_array(), *refused = json_array();
    for (size_t i = 0; i < r->nplugins; i++) {
        const struct plugin *p = r->plugins[i];
        char abi[16];
        snprintf(abi, sizeof abi, "%u.%u", p->desc.abi_major, p->desc.abi_minor);
        json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:s, s:s, s:o}", "name", p->desc.name,
                              "kind", kind_name(p->desc.kind), "version",
                              str_or_null(p->desc.version), "summary",
                              str_or_null(p->desc.summary), "doc", str_or_null(p->desc.doc),
                              "path", p->path, "abi", abi, "params", param_list_json(p));
        json_array_append_new(plugins, o);
    }
    for (size_t i = 0; i < r->ndirs; i++)
        json_array_append_new(dirs, json_string(r->dirs[i]));
    for (size_t i = 0; i < r->nproblems; i++)
        json_array_append_new(refused, json_string(r->problems[i]));
    char host_abi[16];
    snprintf(host_abi, sizeof host_abi, "%d.%d", BHOST_ABI_MAJOR, BHOST_ABI_MINOR);
    json_t *doc = json_pack("{s:s, s:s, s:o, s:o, s:o}", "bhost", BHOST_VERSION, "abi", host_abi,
                            "search_path", dirs, "plugins", plugins, "refused", refused);
    char *text = json_dumps(doc, JSON_INDENT(2));
    puts(text);
    free(text);
    json_decref(doc);
    return EXIT_OK;
}

static void print_param(const struct pdef *d)
{
    char range[256] = "";
    if (d->type == BHOST_ENUM) {
        for (size_t c = 0, used = 0; c < d->nchoices && used < sizeof range; c++)
            used += (size_t)snprintf(range + used, sizeof range - used, "%s%s", c ? "|" : "",
                                     d->choices[c]);
    } else if (d->has_min || d->has_max) {
        snprintf(range, sizeof range, "%s..%s", d->has_min ? d->min_text : "",
                 d->has_max ? d->max_text : "");
    }
    printf("    %-16s %-6s %-14s %-24s %-6s %s\n", d->name, type_name(d->type),
           d->required ? "(required)" : d->def_text, range, d->unit ? d->unit : "",
           d->doc ? d->doc : "");
}

/* Prints text indented, wrapped at word boundaries to fit `width` columns. */
static void print_wrapped(const char *text, int indent, int width)
{
    int col = indent;
    printf("%*s", indent, "");
    while (*text) {
        int word = (int)strcspn(text, " ");
        if (col > indent && col + 1 + word > width) {
            printf("\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            putchar(' ');
            col++;
        }
        printf("%.*s", word, text);
        col += word;
        text += word;
        text += strspn(text, " ");
    }
    putchar('\n');
}

int list_text(const struct registry *r)
{
    printf("bhost %s, plugin ABI %d.%d. Plugin search path, first match wins:\n", BHOST_VERSION,
           BHOST_ABI_MAJOR, BHOST_ABI_MINOR);
    for (size_t i = 0; i < r->ndirs; i++) {
        struct stat st;
        int there = stat(r->dirs[i], &st) == 0 && S_ISDIR(st.st_mode);
        printf("  %s%s\n", r->dirs[i], there ? "" : "  (not there)");
    }
    for (unsigned kind = BHOST_EXPERIMENT; kind <= BHOST_INSTRUMENT; kind++) {
        printf("\n%ss:\n", kind_name(kind));
        for (size_t i = 0; i < r->nplugins; i++) {
            const struct plugin *p = r->plugins[i];
            if (p->desc.kind != kind)
                continue;
            printf("\n  %s %s (ABI %u.%u) - %s\n    %s\n", p->desc.name,
                   p->desc.version ? p->desc.version : "", p->desc.abi_major, p->desc.abi_minor,
                   p->desc.summary ? p->desc.summary : "", p->path);
            if (p->desc.doc)
                print_wrapped(p->desc.doc, 4, 100);
            if (p->nparams == 0) {
                printf("    (no parameters)\n");
                continue;
            }
            printf("    %-16s %-6s %-14s %-24s %-6s %s\n", "parameter", "type", "default",
                   "range/choices", "unit", "doc");
            for (size_t k = 0; k < p->nparams; k++)
                print_param(&p->params[k]);
        }
    }
    for (size_t i = 0; i < r->nproblems; i++)
        fprintf(stderr, "bhost: warning: %s\n", r->problems[i]);
    return EXIT_OK;
}
