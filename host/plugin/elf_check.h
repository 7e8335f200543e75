/*
 * elf_check.h — is a file a whole shared object for this machine, before
 * dlopen() maps it? And which build is it?
 *
 * dlopen() maps a library's segments as its program headers describe them;
 * a file cut short (a failed copy, a full disk) then faults with SIGBUS the
 * moment the loader touches a page past its end. This reads the ELF header
 * and program headers, checks the file is for this machine and that every
 * loadable segment lies inside it, and reads the GNU build-id note, which
 * names the exact build a run measured.
 */
#ifndef BHOST_ELF_CHECK_H
#define BHOST_ELF_CHECK_H

#include <stddef.h>

#define ELF_BUILD_ID_MAX 64 /* bytes of build-id kept; GNU ld writes 20 */

/* What elf_check() learned of a file. */
struct elf_info {
    char build_id[2 * ELF_BUILD_ID_MAX + 1]; /* lower-case hex; "" if it has no build-id */
};

/* 0 if `path` is a complete ELF shared object for this machine; else -1 and why. */
int elf_check(const char *path, struct elf_info *info, char *why, size_t n);

#endif
