/*
 * command.h — turning the exec experiment's text parameters into what
 * posix_spawn() takes: shell-like word lists and `{name}` substitution.
 */
#ifndef EXEC_COMMAND_H
#define EXEC_COMMAND_H

#include <stddef.h>

/* The values `{name}` stands for: parallel arrays of names and values, and a mark set for each
 * name substituted (`used` may be NULL). */
struct vars {
    const char *const *names;
    const char *const *values;
    unsigned char *used;
    size_t count;
};

/*
 * Splits `text` into words as a POSIX shell would, without expanding
 * anything: blanks separate words, '...' is literal, "..." keeps blanks and
 * takes \" \\ \$ \` as escapes, a backslash outside quotes escapes the next
 * character. Then substitutes `{name}` in every word (a value with blanks
 * stays one word). Returns a NULL-terminated array (free with words_free),
 * or NULL with the reason in `err`.
 */
char **words_split(const char *text, const struct vars *vars, char *err, size_t errlen);

/*
 * Replaces each `{name}` of `text` ([a-z][a-z0-9_]*) with its value: `{{`
 * and `}}` stand for a brace, `${...}` is left to the shell, and a brace
 * not around a name is kept as it is. An unknown name is an error. Returns
 * a new string, or NULL with the reason in `err`.
 */
char *vars_substitute(const char *text, const struct vars *vars, char *err, size_t errlen);

size_t words_count(char *const *words);
void words_free(char **words);

#endif
