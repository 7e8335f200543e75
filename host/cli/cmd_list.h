/*
 * cmd_list.h — bhost list: an index of the plugins found, one line each,
 * with the files shadowed and refused; `bhost list NAME...` their parameters
 * and docs; --json everything, for machines. Reads what the scan learned:
 * no plugin is mapped in the host.
 */
#ifndef BHOST_CMD_LIST_H
#define BHOST_CMD_LIST_H

#include "cli/options.h"
#include "plugin/registry.h"

/* bhost list [NAME...] [--json] [-v]: 0, or 2 for a name not found. */
int list_command(struct cli_options *o, int argc, char **argv);

#endif
