/* keel: the toolstack's command line: finds the command, runs it, says how to use it. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <xenstore.h>

#include "cli.h"

extern const struct cli_command cli_list_commands[], cli_domain_commands[], cli_vcpu_commands[],
    cli_create_commands[], cli_stats_commands[];
static const struct cli_command *const groups[] = {cli_create_commands, cli_list_commands,
						   cli_stats_commands, cli_domain_commands,
						   cli_vcpu_commands};

const struct cli_command *cli_command(const char *name)
{
	for (unsigned int g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (const struct cli_command *cmd = groups[g]; cmd->name; cmd++)
			if (!strcmp(cmd->name, name))
				return cmd;
	return NULL;
}

static void overview(FILE *f)
{
	fprintf(f, "usage: keel COMMAND [ARGS]   (keel help COMMAND for one)\n\n");
	for (unsigned int g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (const struct cli_command *cmd = groups[g]; cmd->name; cmd++)
			fprintf(f, "  %-10s %s\n", cmd->name, cmd->synopsis);
}

static int help(const char *name)
{
	const struct cli_command *cmd = name ? cli_command(name) : NULL;

	if (!name) {
		overview(stdout);
		return 0;
	}
	if (!cmd)
		return cli_error("help: no command %s (keel help lists them)", name);
	printf("usage: keel %s %s\n\n%s\n", cmd->name, cmd->synopsis, cmd->help);
	return 0;
}

int main(int argc, char **argv)
{
	const struct cli_command *cmd;
	struct cli c = {0};
	int rc;

	if (argc < 2) {
		overview(stderr);
		return CLI_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return argc > 3 ? CLI_USAGE : help(argc == 3 ? argv[2] : NULL);
	cmd = cli_command(argv[1]);
	if (!cmd)
		return cli_error("no command %s (keel help lists them)", argv[1]) ? CLI_USAGE : 0;
	if (argc == 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h")))
		return help(argv[1]);
	optind = 1;
	rc = cmd->run(&c, argc - 1, argv + 1);
	if (c.xs)
		xs_close(c.xs);
	if (c.keel)
		keel_close(c.keel);
	return rc;
}
