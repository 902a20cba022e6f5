/* command-line: option and subcommand helpers.  See command-line.h. */
#include <config.h>
#include "command-line.h"

#include <stdio.h>
#include <string.h>
#include "dynamic-string.h"
#include "util.h"

char *
plx_cmdl_long_options_to_short_options(const struct option options[])
{
    struct ds s = DS_EMPTY_INITIALIZER;

    for (; options->name; options++) {
        const struct option *o = options;
        if (!o->flag && o->val > 0 && o->val <= UCHAR_MAX) {
            ds_put_char(&s, o->val);
            if (o->has_arg == required_argument) {
                ds_put_char(&s, ':');
            } else if (o->has_arg == optional_argument) {
                ds_put_cstr(&s, "::");
            }
        }
    }
    return ds_steal_cstr(&s);
}

static const char *
plural(int n)
{
    return n == 1 ? "" : "s";
}

char *
plx_cmdl_find_command(const struct plx_cmdl_context *ctx,
                      const struct plx_cmdl_command commands[],
                      const struct plx_cmdl_command **commandp)
{
    *commandp = NULL;
    if (ctx->argc < 1 || !ctx->argv[0]) {
        return xstrdup("missing command name; use --help for help");
    }

    const char *name = ctx->argv[0];
    for (const struct plx_cmdl_command *c = commands; c->name; c++) {
        if (!strcmp(c->name, name)) {
            int n_args = ctx->argc - 1;
            if (n_args < c->min_args) {
                return xasprintf("'%s' command requires at least %d "
                                 "argument%s", name, c->min_args,
                                 plural(c->min_args));
            } else if (n_args > c->max_args) {
                return (c->max_args
                        ? xasprintf("'%s' command takes at most %d "
                                    "argument%s", name, c->max_args,
                                    plural(c->max_args))
                        : xasprintf("'%s' command takes no arguments",
                                    name));
            }
            *commandp = c;
            return NULL;
        }
    }
    return xasprintf("unknown command '%s'; use --help for help", name);
}

void
plx_cmdl_run_command(struct plx_cmdl_context *ctx,
                     const struct plx_cmdl_command commands[])
{
    const struct plx_cmdl_command *command;
    char *error = plx_cmdl_find_command(ctx, commands, &command);

    if (error) {
        plx_fatal(0, "%s", error);
    }
    command->handler(ctx);
}

void
plx_cmdl_print_commands(const struct plx_cmdl_command commands[])
{
    printf("The available commands are:\n");
    for (const struct plx_cmdl_command *c = commands; c->name; c++) {
        printf("  %s%s%s\n", c->name, c->usage ? " " : "",
               c->usage ? c->usage : "");
    }
}

void
plx_print_version(void)
{
    printf("%s (Plexus) %s\n", program_name, PACKAGE_VERSION);
}
