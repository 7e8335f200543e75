/* doc_fields.c — see doc_fields.h. */
#include "artifacts/doc_fields.h"

#include <string.h>

json_t *doc_at(const json_t *v, const char *path)
{
    for (const char *p = path; v;) {
        const char *slash = strchr(p, '/');
        json_t *found = json_object_getn(v, p, slash ? (size_t)(slash - p) : strlen(p));
        if (!slash)
            return found;
        v = found;
        p = slash + 1;
    }
    return NULL;
}

json_t *doc_copy(const json_t *v, const char *path)
{
    json_t *found = doc_at(v, path);
    return found ? json_deep_copy(found) : json_null();
}

const char *doc_text(const json_t *v, const char *path)
{
    return json_string_value(doc_at(v, path));
}

json_t *doc_head(const char *schema, const json_t *results)
{
    return json_pack("{s:s, s:{s:o, s:o}}", "schema", schema, "run", "dir",
                     doc_copy(results, "run/dir"), "started_utc",
                     doc_copy(results, "run/started_utc"));
}
