/* cmd_list.c — see cmd_list.h and docs/cli.md. */
#include "cli/cmd_list.h"
#include "cli/options.h"
#include "plugin/param.h"
#include "plugin/plugin_json.h"
#include "util/mem.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
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

static json_t *strings_json(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *plugin_json(const struct plugin *p)
{
    char abi[16];
    snprintf(abi, sizeof abi, "%u.%u", p->desc.abi_major, p->desc.abi_minor);
    json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:s, s:s, s:o}", "name", p->desc.name,
                          "kind", kind_name(p->desc.kind), "version", str_or_null(p->desc.version),
                          "summary", str_or_null(p->desc.summary), "doc",
                          str_or_null(p->desc.doc), "path", p->path, "abi", abi, "params",
                          param_list_json(p));
    snprintf(abi, sizeof abi, "%u.%u", p->desc.abi_major, p->desc.min_host_minor);
    json_object_set_new(o, "oldest_host_abi", json_string(abi));
    json_object_set_new(o, "build_id", json_string(p->build_id ? p->build_id : ""));
    json_object_set_new(o, "shadowed", strings_json(p->shadowed, p->nshadowed));
    if (p->desc.kind == BHOST_EXPERIMENT) {
        json_object_set_new(o, "one_thread", json_boolean(p->desc.flags & BHOST_ONE_THREAD));
        json_object_set_new(o, "open_params", json_boolean(p->desc.flags & BHOST_OPEN_PARAMS));
    }
    return o;
}

static int list_json(const struct registry *r, const struct plugin *const *only, size_t nonly)
{
    json_t *plugins = json_array();
    for (size_t i = 0; i < (nonly ? nonly : r->nplugins); i++)
        json_array_append_new(plugins, plugin_json(nonly ? only[i] : r->plugins[i]));
    char host_abi[16];
    snprintf(host_abi, sizeof host_abi, "%d.%d", BHOST_ABI_MAJOR, BHOST_ABI_MINOR);
    json_t *doc = json_pack("{s:s, s:s, s:o, s:o, s:o}", "bhost", BHOST_VERSION, "abi", host_abi,
                            "search_path", strings_json(r->dirs, r->ndirs), "plugins", plugins,
                            "refused", strings_json(r->problems, r->nproblems));
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
    printf("  %-16s %-6s %-14s %-24s %-6s %s\n", d->name, type_name(d->type),
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

/* A plugin's parameters and docs, as `bhost list NAME` shows them. */
static void print_plugin(const struct plugin *p, int verbose)
{
    char oldest[64] = "";
    if (p->desc.min_host_minor < p->desc.abi_minor)
        snprintf(oldest, sizeof oldest, ", runs on hosts of ABI %u.%u and later",
                 p->desc.abi_major, p->desc.min_host_minor);
    printf("%s %s %s (ABI %u.%u%s) - %s\n  %s\n", kind_name(p->desc.kind), p->desc.name,
           p->desc.version ? p->desc.version : "", p->desc.abi_major, p->desc.abi_minor, oldest,
           p->desc.summary ? p->desc.summary : "", p->path);
    if (verbose)
        printf("  build-id %s\n", *p->build_id ? p->build_id : "(none)");
    for (size_t i = 0; i < p->nshadowed; i++)
        printf("  (shadows %s, later on the search path)\n", p->shadowed[i]);
    if (p->desc.doc)
        print_wrapped(p->desc.doc, 2, 100);
    if (p->desc.flags & BHOST_ONE_THREAD)
        printf("  Runs on one thread only: a spec's `threads:` above 1 is refused.\n");
    if (p->nparams == 0) {
        printf("  (no parameters)\n");
        return;
    }
    printf("  %-16s %-6s %-14s %-24s %-6s %s\n", "parameter", "type", "default",
           "range/choices", "unit", "doc");
    for (size_t k = 0; k < p->nparams; k++)
        print_param(&p->params[k]);
    if (p->desc.flags & BHOST_OPEN_PARAMS)
        printf("  %-16s %-6s %-14s %-24s %-6s %s\n", "(any other)", "string", "", "", "",
               "open parameters: any other name the spec gives, passed on as a string");
}

/* One line per plugin: an index that stays short as plugins multiply. */
static void print_index(const struct registry *r, int verbose)
{
    printf("bhost %s, plugin ABI %d.%d. Search path, first match wins:", BHOST_VERSION,
           BHOST_ABI_MAJOR, BHOST_ABI_MINOR);
    for (size_t i = 0, shown = 0; i < r->ndirs; i++) {
        struct stat st;
        int there = stat(r->dirs[i], &st) == 0 && S_ISDIR(st.st_mode);
        if (there || verbose)
            printf("%s %s%s", shown++ ? "," : "", r->dirs[i], there ? "" : " (not there)");
    }
    /* Columns as wide as their longest entry, within reason. */
    int w = 16, vw = 7;
    for (size_t i = 0; i < r->nplugins; i++) {
        const struct bhost_plugin *d = &r->plugins[i]->desc;
        w = (int)strlen(d->name) > w ? (int)strlen(d->name) : w;
        vw = d->version && (int)strlen(d->version) > vw ? (int)strlen(d->version) : vw;
    }
    w = w > 32 ? 32 : w;
    vw = vw > 16 ? 16 : vw;
    printf("\n\n%-*s %-10s %-*s %-4s %s\n", w, "name", "kind", vw, "version", "abi", "summary");
    for (unsigned kind = BHOST_EXPERIMENT; kind <= BHOST_INSTRUMENT; kind++)
        for (size_t i = 0; i < r->nplugins; i++) {
            const struct plugin *p = r->plugins[i];
            if (p->desc.kind != kind)
                continue;
            char abi[16];
            snprintf(abi, sizeof abi, "%u.%u", p->desc.abi_major, p->desc.abi_minor);
            const char *summary = p->desc.summary ? p->desc.summary : "";
            int room = 100 - (w + vw + 18);
            room = room < 20 ? 20 : room;
            const char *version = p->desc.version ? p->desc.version : "";
            if (verbose || (int)strlen(summary) <= room)
                printf("%-*s %-10s %-*.*s %-4s %s\n", w, p->desc.name, kind_name(kind), vw, vw,
                       version, abi, summary);
            else
                printf("%-*s %-10s %-*.*s %-4s %.*s...\n", w, p->desc.name, kind_name(kind), vw,
                       vw, version, abi, room - 3, summary);
            if (verbose)
                printf("%-*s %s (build-id %s)\n", w, "", p->path,
                       *p->build_id ? p->build_id : "none");
        }
    for (size_t i = 0; i < r->nplugins; i++)
        for (size_t k = 0; k < r->plugins[i]->nshadowed; k++)
            printf("%s %s: %s is used; %s, later on the path, is shadowed\n",
                   i + k ? "" : "\nshadowed:\n ", r->plugins[i]->desc.name, r->plugins[i]->path,
                   r->plugins[i]->shadowed[k]);
    if (r->nproblems)
        printf("\nrefused (%zu file%s):\n", r->nproblems, r->nproblems == 1 ? "" : "s");
    for (size_t i = 0; i < r->nproblems; i++)
        printf("  %s\n", r->problems[i]);
    if (verbose)
        printf("\n%zu file%s on the path: %zu read now, %zu known from the scan cache\n",
               r->files_read + r->files_cached, r->files_read + r->files_cached == 1 ? "" : "s",
               r->files_read, r->files_cached);
    printf("\n`bhost list NAME` shows a plugin's parameters and docs; -v the files.\n");
}

/* The plugins named, or an error naming the one not found (with did-you-mean). */
static int find_named(const struct cli_options *o, const struct registry *r,
                      const struct plugin **out)
{
    int rc = EXIT_OK;
    for (size_t i = 0; i < o->nargs; i++) {
        const char *name = o->args[i];
        if ((out[i] = registry_find(r, name)))
            continue;
        const char *refused = registry_refusal_of(r, name);
        const char *near = registry_suggest(r, name, BHOST_EXPERIMENT);
        if (!near)
            near = registry_suggest(r, name, BHOST_INSTRUMENT);
        if (refused)
            fprintf(stderr, "bhost: plugin '%s' cannot be used: %s\n", name, refused);
        else if (near)
            fprintf(stderr, "bhost: no plugin '%s' (did you mean '%s'?)\n", name, near);
        else
            fprintf(stderr, "bhost: no plugin '%s'; `bhost list` shows what is installed\n",
                    name);
        rc = EXIT_USAGE; /* and the other names are checked too */
    }
    return rc;
}

int list_command(struct cli_options *o, int argc, char **argv)
{
    (void)argc, (void)argv;
    struct registry reg, *r = &reg;
    registry_init(r, o->paths, o->npaths);
    registry_scan(r);
    const struct plugin **named = xcalloc(o->nargs + 1, sizeof *named);
    int rc = find_named(o, r, named);
    if (rc == EXIT_OK && o->json)
        rc = list_json(r, named, o->nargs);
    else if (rc == EXIT_OK && o->nargs == 0)
        print_index(r, o->verbose);
    for (size_t i = 0; rc == EXIT_OK && !o->json && i < o->nargs; i++) {
        if (i)
            putchar('\n');
        print_plugin(named[i], o->verbose);
    }
    free(named);
    registry_free(r);
    return rc;
}
