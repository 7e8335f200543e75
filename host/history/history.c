/* history.c — see history.h. */
#include "history/history.h"
