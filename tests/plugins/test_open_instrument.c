/*
 * test_open_instrument — an instrument that sets BHOST_OPEN_PARAMS, which
 * only experiments may: the host must refuse it.
 */
#include <bhost/bhost.h>

BHOST_PLUGIN = {
    BHOST_PLUGIN_HEADER(BHOST_INSTRUMENT),
    .name = "test_open_instrument",
    .version = "1.0",
    .summary = "test plugin: an instrument with open parameters, must be refused",
    .flags = BHOST_OPEN_PARAMS,
};
