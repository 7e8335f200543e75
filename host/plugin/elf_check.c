/* elf_check.c — see elf_check.h. */
#include "plugin/elf_check.h"

#include <elf.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#if UINTPTR_MAX == 0xffffffffffffffffu
typedef Elf64_Ehdr ehdr_t;
typedef Elf64_Phdr phdr_t;
#define ELF_CLASS ELFCLASS64
#else
typedef Elf32_Ehdr ehdr_t;
typedef Elf32_Phdr phdr_t;
#define ELF_CLASS ELFCLASS32
#endif

static int check(FILE *f, off_t size, char *why, size_t n)
{
    ehdr_t eh;
    if (fread(&eh, sizeof eh, 1, f) != 1 || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
        return snprintf(why, n, "not an ELF file"), -1;
    if (eh.e_ident[EI_CLASS] != ELF_CLASS || eh.e_type != ET_DYN)
        return snprintf(why, n, "not a shared object for this machine"), -1;
    /* In uint64_t, each side checked against the size first: no sum can wrap. */
    uint64_t fsize = (uint64_t)size, table = (uint64_t)eh.e_phnum * sizeof(phdr_t);
    if (eh.e_phentsize != sizeof(phdr_t) || eh.e_phoff > fsize || table > fsize - eh.e_phoff)
        return snprintf(why, n, "truncated: its program headers lie past the end of the "
                        "file (%lld bytes)", (long long)size), -1;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        phdr_t ph;
        if (fseeko(f, (off_t)eh.e_phoff + (off_t)i * (off_t)sizeof ph, SEEK_SET) != 0 ||
            fread(&ph, sizeof ph, 1, f) != 1)
            return snprintf(why, n, "cannot read its program headers"), -1;
        if (ph.p_type == PT_LOAD && (ph.p_offset > fsize || ph.p_filesz > fsize - ph.p_offset))
            return snprintf(why, n, "truncated: a segment needs %llu bytes, the file has %lld",
                            (unsigned long long)(ph.p_offset + ph.p_filesz),
                            (long long)size), -1;
    }
    return 0;
}

int elf_check(const char *path, char *why, size_t n)
{
    struct stat st;
    FILE *f = fopen(path, "rb");
    if (!f || fstat(fileno(f), &st) != 0) {
        snprintf(why, n, "cannot open it: %s", strerror(errno));
        if (f)
            fclose(f);
        return -1;
    }
    int rc = check(f, st.st_size, why, n);
    fclose(f);
    return rc;
}
