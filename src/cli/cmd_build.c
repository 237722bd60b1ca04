/* cmd_build.c — placeholder until its module lands (replaced by the owner of this command). */
#include "cli.h"
int cmd_build(int argc, char **argv) {
    (void)argc;
    (void)argv;
    return cli_usage("", "build: not built yet");
}
