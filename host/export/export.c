/* export.c — placeholder until the export stage lands. */
#include "export/export.h"
