/*
 * symbols.h — code addresses of this process as function names, after the
 * samples were taken and outside the sampled threads: names of static
 * functions too (ELF symbol tables), the functions inlined at an address
 * when debug information says, and where each function is in the source.
 * Only local files are read (never a debuginfod server).
 */
#ifndef BHOST_SAMPLER_SYMBOLS_H
#define BHOST_SAMPLER_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

/* Strings belong to the symbolizer and live until symbolizer_free(). */
struct sym_frame {
    const char *name;      /* NULL: no symbol covers the address */
    const char *module;    /* the file's base name ("libsqlite3.so.0"), NULL if unknown */
    const char *file;      /* where the function is declared, NULL if unknown */
    uint32_t line;
    int inlined;           /* inlined into the next frame out */
};

struct symbolizer;

/* The modules this process has mapped now, or NULL with why. */
struct symbolizer *symbolizer_new(char *why, size_t n);
void symbolizer_free(struct symbolizer *s);

/*
 * The frames at `pc` (for a return address, pass the address minus one, the
 * call), innermost first: the functions inlined there, then the function
 * itself. Writes at most `max` (>= 1); returns how many.
 */
int symbolizer_frames(struct symbolizer *s, uint64_t pc, struct sym_frame *out, int max);

/* "elfutils libdw 0.188", for the results' notes. */
const char *symbolizer_name(void);

#endif
