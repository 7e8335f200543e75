/*
 * run_files.h — the files of a run directory that the artifact set lists
 * and bundles, named by paths relative to it. Those paths come from a
 * results file, which may have been edited or come from elsewhere: a path
 * is followed only inside the run directory, through no symbolic link, to
 * a regular file.
 */
#ifndef BHOST_RUN_FILES_H
#define BHOST_RUN_FILES_H

/* Whether `rel` is a path the set may name: relative, without empty, "." or ".."
 * components. */
int run_file_path_ok(const char *rel);

/*
 * Opens run_dir/rel for reading, each folder on the way and the file itself opened without
 * following a symbolic link: the descriptor, or -1 with *why saying what is wrong ("not
 * there", "not a regular file", a path outside the run directory, or the system's reason).
 */
int run_file_open(const char *run_dir, const char *rel, const char **why);

#endif
