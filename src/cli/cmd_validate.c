/* cmd_validate.c — placeholder until its module lands (replaced by the owner of this command). */
#include "cli.h"
int cmd_validate(int argc, char **argv) {
    (void)argc;
    (void)argv;
    return cli_usage("", "validate: not built yet");
}
