/* artifacts.c — placeholder until the artifacts stage lands. */
#include "artifacts/artifacts.h"
