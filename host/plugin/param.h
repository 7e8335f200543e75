/*
 * param.h — parameter definitions and typed values.
 *
 * A plugin declares parameters as text (struct bhost_param); the loader turns
 * each into a `pdef` with parsed bounds and a parsed default, and specs give
 * values that param_parse() checks against it. One parser serves plugin
 * defaults, spec values and --set, so all three accept the same syntax.
 */
#ifndef BHOST_PARAM_H
#define BHOST_PARAM_H

#include <bhost/bhost.h>
#include <stddef.h>
#include <stdint.h>

struct pvalue {
    uint32_t type;     /* enum bhost_type */
    int64_t i;         /* INT, BOOL (0/1), ENUM (choice index) */
    double f;          /* FLOAT */
    char *s;           /* STRING and ENUM text; owned */
};

/* More choices than any enum needs: a list that long is missing its NULL. */
#define PARAM_MAX_CHOICES 4096

struct pdef {
    const char *name;  /* these strings are the pdef's own copies (pdef_free) */
    uint32_t type;
    const char *def_text, *min_text, *max_text, *unit, *doc;
    const char *const *choices;
    size_t nchoices;
    int has_min, has_max, required;
    int open;          /* an open parameter a spec gave (BHOST_OPEN_PARAMS): a STRING */
    struct pvalue min, max, def;
};

const char *type_name(uint32_t type);

/*
 * Parses `text` as a value for `d`, checking type, bounds and choices.
 * 0 on success; -1 and a message (without location) in err otherwise.
 */
int param_parse(const struct pdef *d, const char *text, struct pvalue *out,
                char *err, size_t errlen);

/* Checks a value already typed against d's bounds and choices. */
int param_check(const struct pdef *d, const struct pvalue *v, char *err, size_t errlen);

/* Canonical text of a value ("42", "0.5", "true", "wal"); malloc'd. */
char *pvalue_text(const struct pvalue *v);

void pvalue_copy(struct pvalue *dst, const struct pvalue *src);
void pvalue_free(struct pvalue *v);

/* Index of `name` in defs, or -1. */
int pdef_find(const struct pdef *defs, size_t n, const char *name);

/* Fills d from a plugin's declaration; -1 and a message if it is malformed. */
int pdef_from_plugin(struct pdef *d, const struct bhost_param *p, char *err, size_t errlen);
void pdef_free(struct pdef *d);
/* Whether `name` may name a parameter: [a-z][a-z0-9_]*. */
int param_name_ok(const char *name);
/* Fills d as the open parameter `name` (a STRING the spec gives; BHOST_OPEN_PARAMS). */
void pdef_open(struct pdef *d, const char *name);

#endif
