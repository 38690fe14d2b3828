/* Guest ABI: the console_io hypercall (early/debug console owned by the hypervisor). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PUBLIC_CONSOLE_IO_H
#define KEEL_PUBLIC_CONSOLE_IO_H

/*
 * console_io(cmd, count, buffer): buffer is a guest virtual address.
 *   CONSOLEIO_write: write count bytes from buffer; returns >= 0 on success.
 *   CONSOLEIO_read:  read up to count bytes into buffer; returns the number read.
 * A hypervisor without this call returns -ENOSYS; guests then fall back to I/O port 0xE9.
 */
#define CONSOLEIO_write 0
#define CONSOLEIO_read	1

#define CONSOLEIO_DEBUG_PORT 0xE9 /* the conventional debug output port */

#endif
