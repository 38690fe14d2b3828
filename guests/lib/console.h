/* Guest library: console output through console_io, or debug port 0xE9 without a hypervisor. */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include <stddef.h>

/* Write raw bytes (one console_io call, or port 0xE9). Serialised across vCPUs. */
void console_write(const char *s, size_t n);
int con_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Use port 0xE9 from now on (no hypervisor, or console_io returned -ENOSYS). */
void console_use_port(void);
/* Fatal paths: drop the console lock, whoever holds it. */
void console_break_lock(void);

#endif
