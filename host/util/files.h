/*
 * files.h — the file operations the host needs, each complete: directories
 * made and removed as trees, files written whole and atomically, read whole.
 */
#ifndef BHOST_FILES_H
#define BHOST_FILES_H

#include <stddef.h>

/* mkdir -p. 0 or -1 with errno. */
int mkdir_p(const char *path, unsigned mode);
/* A new directory BASE/NAME-STAMP (BASE made if need be), made unique with -2, -3... if one
 * was made the same second; malloc'd, or NULL with errno. */
char *mkdir_fresh(const char *base, const char *name, const char *stamp);
/* rm -rf of a directory tree. 0 or -1 with errno. */
int remove_tree(const char *path);
/* Writes `len` bytes to `path` via a temporary file and rename(2). */
int write_file_atomic(const char *path, const void *data, size_t len);
/* The whole file, NUL-terminated, malloc'd; NULL with errno. */
char *read_file(const char *path, size_t *len);

#endif
