/* env_fields.c — see env_fields.h. */
#include "results/env_fields.h"

#include <string.h>

const struct env_field env_fields[] = {
    {"bhost.version", "bhost/version"},
    {"hostname", "environment/hostname"},
    {"os.kernel", "environment/os/kernel"},
    {"cpu.model", "environment/cpu/model"},
    {"cpu.logical_count", "environment/cpu/logical_count"},
    {"cpu.governor", "environment/cpu/governor"},
    {"build.build_type", "environment/build/build_type"},
    {"build.compiler", "environment/build/compiler"},
    {"build.sanitized", "environment/build/sanitized"},
    {"build.allocator", "environment/build/allocator"},
    {"timer.source", "environment/timer/source"},
};
const size_t env_field_count = sizeof env_fields / sizeof env_fields[0];

json_t *env_field_at(const json_t *doc, const char *path)
{
    char key[64];
    const json_t *v = doc;
    json_t *found = NULL;
    while (v && *path) {
        size_t len = strcspn(path, "/");
        if (len >= sizeof key)
            return NULL;
        memcpy(key, path, len);
        key[len] = '\0';
        v = found = json_object_get(v, key);
        path += len + (path[len] == '/');
    }
    return found;
}
