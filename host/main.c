/* main.c — the bhost program; everything lives in cli.c and below. */
#include "cli/cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
