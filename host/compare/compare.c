/* compare.c — see compare.h. */
#include "compare/compare.h"
