/* A domain's console output state, a part of struct domain of its own. */
#ifndef KEEL_DOMAIN_CONSOLE_H
#define KEEL_DOMAIN_CONSOLE_H

#include <keel/types.h>

/* Text bytes of one line; a longer line is cut there and goes on in the next one. */
#define DOMAIN_CONSOLE_LINE_MAX 160

struct domain_console {
	char line[DOMAIN_CONSOLE_LINE_MAX]; /* the line being written */
	unsigned int line_len;
};

#endif
