/* cmd_street.c — placeholder until its module lands (replaced by the owner of this command). */
#include "cli.h"
int cmd_street(int argc, char **argv) {
    (void)argc;
    (void)argv;
    return cli_usage("", "street: not built yet");
}
