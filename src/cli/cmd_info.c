/* cmd_info.c — placeholder until its module lands (replaced by the owner of this command). */
#include "cli.h"
int cmd_info(int argc, char **argv) {
    (void)argc;
    (void)argv;
    return cli_usage("", "info: not built yet");
}
