/* gate.c — see gate.h. */
#include "gate/gate.h"
