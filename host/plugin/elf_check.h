/*
 * elf_check.h — is a file a whole shared object, before dlopen() maps it?
 *
 * dlopen() maps a library's segments as its program headers describe them;
 * a file cut short (a failed copy, a full disk) then faults with SIGBUS the
 * moment the loader touches a page past its end, killing the host. This
 * reads the ELF header and program headers and checks that every loadable
 * segment lies inside the file.
 */
#ifndef BHOST_ELF_CHECK_H
#define BHOST_ELF_CHECK_H

#include <stddef.h>

/* 0 if `path` is a complete ELF shared object for this machine; else -1 and why. */
int elf_check(const char *path, char *why, size_t n);

#endif
