/* The UART console driver's interface. */
#ifndef KEEL_UART_H
#define KEEL_UART_H

#include <keel/types.h>

/* The 8250/16550 input clock: the divisor is UART_CLOCK_HZ / 16 / baud. */
#define UART_CLOCK_HZ 1843200

/* Program the configured UART (after the command line is parsed) and register it as a console. */
void uart_init(void);
/* The first of the 8 I/O ports of the console UART (Keel's: never passed to dom0). */
u16 uart_io_base(void);
/* A byte received on the console UART, or -1 if none is waiting (polled: IRQs are not used). */
int uart_read_byte(void);
/* Parse "baud[,DPS]" (e.g. "115200,8n1"); 0 or -errno. Baud "auto" leaves the divisor (*baud = 0). */
int uart_parse_options(const char *s, u32 *baud, u8 *lcr);

#endif
