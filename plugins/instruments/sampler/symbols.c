/*
 * symbols.c — see symbols.h. elfutils' libdwfl reports the modules this
 * process has mapped (/proc/self/maps) and reads each one's symbol tables
 * (.symtab where the file keeps it, so static functions have their names;
 * .dynsym otherwise) and, where there is debug information, the scopes of
 * an address: the functions inlined there, with their source files.
 */
#define _GNU_SOURCE

#include "symbols.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Beyond this from a symbol of unknown size, an address is not taken to be in it. */
#define SIZELESS_REACH 4096

struct symbolizer {
    Dwfl *dwfl;
    char *kept_env;      /* DEBUGINFOD_URLS, put back when done */
};

static char *debuginfo_path;

static const Dwfl_Callbacks callbacks = {
    .find_elf = dwfl_linux_proc_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .debuginfo_path = &debuginfo_path,
};

struct symbolizer *symbolizer_new(char *why, size_t n)
{
    struct symbolizer *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(why, n, "out of memory");
        return NULL;
    }
    /* Local files only: a debuginfod server would make a point's end wait on the network. */
    const char *urls = getenv("DEBUGINFOD_URLS");
    if (urls) {
        s->kept_env = strdup(urls);
        unsetenv("DEBUGINFOD_URLS");
    }
    s->dwfl = dwfl_begin(&callbacks);
    if (!s->dwfl || dwfl_linux_proc_report(s->dwfl, getpid()) != 0 ||
        dwfl_report_end(s->dwfl, NULL, NULL) != 0) {
        snprintf(why, n, "libdwfl cannot read this process's modules: %s",
                 dwfl_errmsg(-1));
        symbolizer_free(s);
        return NULL;
    }
    return s;
}

void symbolizer_free(struct symbolizer *s)
{
    if (!s)
        return;
    if (s->dwfl)
        dwfl_end(s->dwfl);
    if (s->kept_env) {
        setenv("DEBUGINFOD_URLS", s->kept_env, 1);
        free(s->kept_env);
    }
    free(s);
}

static const char *base_name(const char *path)
{
    if (path && strncmp(path, "[vdso", 5) == 0)
        return "[vdso]"; /* libdwfl names it "[vdso: <pid>]" */
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash ? slash + 1 : path;
}

/* A DIE's name, its abstract origin's for an inlined instance. */
static const char *die_name(Dwarf_Die *die)
{
    Dwarf_Attribute a;
    const char *name = NULL;
    if (dwarf_attr_integrate(die, DW_AT_name, &a))
        name = dwarf_formstring(&a);
    return name;
}

/*
 * The functions inlined at `pc` (innermost first) into frames out[0..],
 * and the decl file and line of the function they are all in into *outer.
 * Returns how many inlined frames.
 */
static int inlined_frames(Dwfl_Module *mod, uint64_t pc, const char *module,
                          struct sym_frame *out, int max, struct sym_frame *outer)
{
    Dwarf_Addr bias;
    Dwarf_Die *cu = dwfl_module_addrdie(mod, pc, &bias);
    Dwarf_Die *scopes = NULL;
    int nscopes = cu ? dwarf_getscopes(cu, pc - bias, &scopes) : 0;
    int n = 0;
    for (int i = 0; i < nscopes; i++) {
        int tag = dwarf_tag(&scopes[i]);
        if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram)
            continue;
        int line = 0;
        struct sym_frame f = {.name = die_name(&scopes[i]), .module = module,
                              .file = dwarf_decl_file(&scopes[i])};
        if (dwarf_decl_line(&scopes[i], &line) == 0 && line > 0)
            f.line = (uint32_t)line;
        if (tag == DW_TAG_subprogram) {
            outer->file = f.file;
            outer->line = f.line;
            if (!outer->name)
                outer->name = f.name;
            break;
        }
        if (f.name && n < max - 1) {
            f.inlined = 1;
            out[n++] = f;
        }
    }
    free(scopes);
    return n;
}

int symbolizer_frames(struct symbolizer *s, uint64_t pc, struct sym_frame *out, int max)
{
    Dwfl_Module *mod = dwfl_addrmodule(s->dwfl, pc);
    if (!mod) {
        out[0] = (struct sym_frame){.name = "[unknown]"};
        return 1;
    }
    const char *path = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    const char *module = base_name(path);
    GElf_Off off = 0;
    GElf_Sym sym;
    const char *name = dwfl_module_addrinfo(mod, pc, &off, &sym, NULL, NULL, NULL);
    /* The closest symbol before pc is not the function pc is in if pc is past its end. */
    if (name && (sym.st_size ? off >= sym.st_size : off > SIZELESS_REACH))
        name = NULL;
    struct sym_frame outer = {.name = name, .module = module};
    int n = max > 1 ? inlined_frames(mod, pc, module, out, max, &outer) : 0;
    out[n++] = outer; /* its name NULL if neither symbols nor debug information cover pc */
    return n;
}

const char *symbolizer_name(void)
{
    static char name[64];
    if (!*name)
        snprintf(name, sizeof name, "elfutils libdw %s", dwfl_version(NULL));
    return name;
}
