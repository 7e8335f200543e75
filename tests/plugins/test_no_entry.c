/*
 * test_no_entry — a shared object that exports a function but no descriptor
 * (no bhost_plugin_v1, nor any other major's). It exists so the tests can
 * check the loader refuses it in one line and loads everything else.
 */
#include <bhost/bhost.h>

BHOST_EXPORT int test_no_entry_answer(void);

BHOST_EXPORT int test_no_entry_answer(void)
{
    return 42;
}
