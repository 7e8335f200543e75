/* verdict.c — the verdict rule of compare.h, in one place for compare and gates. */
#include "compare/compare.h"

#include <math.h>

const char *verdict_name(enum verdict v)
{
    switch (v) {
    case VERDICT_SAME: return "same";
    case VERDICT_FASTER: return "faster";
    case VERDICT_SLOWER: return "slower";
    default: return "inconclusive";
    }
}

enum verdict compare_judge(double ratio, double lo, double hi, double threshold)
{
    if (isnan(ratio) || isnan(lo) || isnan(hi))
        return VERDICT_INCONCLUSIVE;
    if (lo > 1 && ratio >= 1 + threshold)
        return VERDICT_SLOWER;
    if (hi < 1 && ratio <= 1 / (1 + threshold))
        return VERDICT_FASTER;
    if (lo >= 1 / (1 + threshold) && hi <= 1 + threshold)
        return VERDICT_SAME;
    return VERDICT_INCONCLUSIVE;
}
