/*
 * command-line: helpers every Plexus program's main() uses.
 *
 * Options are declared once, as a struct option array for getopt_long();
 * plx_cmdl_long_options_to_short_options() derives getopt's short-option
 * string from the entries whose 'val' is a character, so the two never
 * disagree.  (Long-only options use enum values above UCHAR_MAX, as
 * VLOG_OPTION_ENUMS and DAEMON_OPTION_ENUMS expect:
 * "enum { OPT_FOO = UCHAR_MAX + 1, VLOG_OPTION_ENUMS, ... }".)
 *
 * Tools with subcommands ("plx-ofctl add-flow br0 FLOW") describe them in
 * a table of struct plx_cmdl_command ended by a null name;
 * plx_cmdl_run_command() finds the command, checks its argument count
 * and calls its handler with argv[0] the command name.  Unknown commands
 * and wrong argument counts are the user's errors: a clear message and
 * exit status 1, never an assertion.
 */
#ifndef PLX_COMMAND_LINE_H
#define PLX_COMMAND_LINE_H 1

#include <getopt.h>
#include <limits.h>
#include "util.h"

/* Returns a new string of short options for getopt_long(). */
char *plx_cmdl_long_options_to_short_options(const struct option *);

struct plx_cmdl_context {
    int argc;               /* Command name plus its arguments. */
    char **argv;            /* argv[0] is the command name. */
    void *pvt;              /* For the program's own use. */
};

struct plx_cmdl_command {
    const char *name;       /* NULL ends the table. */
    const char *usage;      /* Argument synopsis for --help, or NULL. */
    int min_args;           /* Not counting the command name. */
    int max_args;           /* INT_MAX: no limit. */
    void (*handler)(struct plx_cmdl_context *);
};

/* Finds the command that CTX names in COMMANDS and checks its argument
 * count.  Returns NULL and sets *COMMANDP on success, otherwise an error
 * message (caller frees), e.g. "'foo' command requires at least 2
 * arguments". */
char *plx_cmdl_find_command(const struct plx_cmdl_context *ctx,
                            const struct plx_cmdl_command commands[],
                            const struct plx_cmdl_command **commandp)
    PLX_WARN_UNUSED_RESULT;

/* Runs the command that CTX names, or exits with status 1 and the message
 * from plx_cmdl_find_command() on stderr. */
void plx_cmdl_run_command(struct plx_cmdl_context *ctx,
                          const struct plx_cmdl_command commands[]);

/* Prints "The available commands are:" and each command with its usage,
 * to stdout (for --help). */
void plx_cmdl_print_commands(const struct plx_cmdl_command commands[]);

/* Prints "PROGRAM (Plexus) VERSION" to stdout (for --version). */
void plx_print_version(void);

#endif /* command-line.h */
