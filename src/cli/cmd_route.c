/* cmd_route.c — placeholder until its module lands (replaced by the owner of this command). */
#include "cli.h"
int cmd_route(int argc, char **argv) {
    (void)argc;
    (void)argv;
    return cli_usage("", "route: not built yet");
}
