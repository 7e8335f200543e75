/* options.c — see options.h. */
#include "cli/options.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int cli_vfail(const char *command, const char *hint, const char *fmt, va_list ap)
{
    fprintf(stderr, "bhost%s%s: ", command ? " " : "", command ? command : "");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    if (hint)
        fprintf(stderr, "%s\n", hint);
    return EXIT_USAGE;
}

int cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = cli_vfail(NULL, "Try 'bhost help'.", fmt, ap);
    va_end(ap);
    return rc;
}

const char *cli_option_value(int argc, char **argv, int *i, const char *name, int *missing)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = 1;
        return NULL;
    }
    return argv[++*i];
}

int cli_is_option(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

static int exit_rank(int code)
{
    static const int order[] = {EXIT_OK, EXIT_INCONCLUSIVE, EXIT_FAILED_POINTS,
                                EXIT_REGRESSION, EXIT_GATE_MISSED, EXIT_USAGE, EXIT_INTERNAL};
    for (int i = 0; i < (int)(sizeof order / sizeof *order); i++)
        if (order[i] == code)
            return i;
    return 100 + code; /* 128 + a signal */
}

int cli_worst_exit(int a, int b)
{
    return exit_rank(a) >= exit_rank(b) ? a : b;
}
