/* clock.c — see clock.h. */
#include "util/clock.h"

#include <time.h>

void utc_stamp(char *buf, size_t n, int iso)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, iso ? "%Y-%m-%dT%H:%M:%SZ" : "%Y%m%dT%H%M%SZ", &tm);
}
