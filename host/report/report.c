/* report.c — placeholder until the report stage lands. */
#include "report/report.h"
