/* line.c — observe_line(): the integer line from the centre to a cell (see observe.h). */
#include "observe.h"

#include <stdint.h>

int observe_line(int32_t dx, int32_t dy, int (*visit)(void *arg, int32_t x, int32_t y),
                 void *arg)
{
    /* On absolute values, in 64 bits (|INT32_MIN| does not fit an int32_t), so the line
     * to (-dx, dy) is the mirror of the line to (dx, dy), and so on for every reflection
     * of the square and the swap of the axes. */
    int64_t ax = dx < 0 ? -(int64_t)dx : dx, ay = dy < 0 ? -(int64_t)dy : dy;
    int64_t sx = dx < 0 ? -1 : 1, sy = dy < 0 ? -1 : 1;
    int steep = ay > ax;
    int64_t major = steep ? ay : ax, minor = steep ? ax : ay;
    for (int64_t i = 1; i < major; i++) {
        /* round(i * minor / major), a half rounded away from the major axis */
        int64_t m = (2 * i * minor + major) / (2 * major);
        int64_t x = steep ? m : i, y = steep ? i : m;
        int rc = visit(arg, (int32_t)(sx * x), (int32_t)(sy * y));
        if (rc != 0)
            return rc;
    }
    return 0;
}
