/* gate.c — the states of gate.h; judging is in judge.c, printing in gate_print.c. */
#include "gate/gate.h"

const char *gate_state_name(enum gate_state s)
{
    switch (s) {
    case GATE_MET: return "met";
    case GATE_MISSED: return "missed";
    case GATE_INCONCLUSIVE: return "inconclusive";
    default: return "not judged";
    }
}
