/*
 * cmd_list.h — bhost list: every plugin found, its parameters and docs, and the
 * files refused (as text, or as JSON with --json). Reads descriptors only.
 */
#ifndef BHOST_CMD_LIST_H
#define BHOST_CMD_LIST_H

#include "plugin/registry.h"

int list_text(const struct registry *r);
int list_json(const struct registry *r);

#endif
