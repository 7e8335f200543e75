/* stats.c — see stats.h. */
#include "stats/stats.h"
