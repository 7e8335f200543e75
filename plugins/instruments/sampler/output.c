/*
 * output.c — the end of a writer: flush, then report any error the stream met.
 */
#include "output.h"

#include <errno.h>

int output_finish(FILE *out)
{
    if (fflush(out) == 0 && !ferror(out))
        return 0;
    if (errno == 0)
        errno = EIO;
    return -1;
}
