/* 8250/16550 UART console (output, polled input): COM1 by default, configured by `com1=baud[,8n1]` or `com2=...`. */
#include <asm/io.h>
#include <keel/cmdline.h>
#include <keel/console.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/uart.h>

#define REG_DATA 0
#define REG_IER	 1
#define REG_FCR	 2
#define REG_LCR	 3
#define REG_MCR	 4
#define REG_LSR	 5
#define REG_DLL	 0
#define REG_DLM	 1
#define LCR_DLAB 0x80
#define LCR_STB	 0x04 /* 2 stop bits */
#define LCR_PEN	 0x08 /* parity on */
#define LSR_THRE 0x20
#define LSR_DR	 0x01 /* a received byte is waiting */

struct uart_config {
	u16 port;
	u32 baud;
	u8 lcr; /* data bits, parity, stop bits */
};

static struct uart_config uart_cfg = {0x3f8, 115200, 0x03};

static int parse_com(const char *value, u16 port)
{
	u32 baud;
	u8 lcr;
	int rc = uart_parse_options(value, &baud, &lcr);

	if (rc)
		return rc;
	uart_cfg.port = port;
	uart_cfg.baud = baud;
	uart_cfg.lcr = lcr;
	return 0;
}

static int parse_com1(const char *value)
{
	return parse_com(value, 0x3f8);
}

static int parse_com2(const char *value)
{
	return parse_com(value, 0x2f8);
}

KEEL_PARAM_CUSTOM(com1, parse_com1, "COM1 console: baud[,8n1] (default 115200,8n1)");
KEEL_PARAM_CUSTOM(com2, parse_com2, "use COM2 as the console instead: baud[,8n1]");

static void uart_putc(u16 port, char c)
{
	for (int i = 0; i < 100000 && !(inb(port + REG_LSR) & LSR_THRE); i++)
		__asm__ __volatile__("pause");
	outb(port + REG_DATA, (u8)c);
}

static void uart_write(struct console *con, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n')
			uart_putc(uart_cfg.port, '\r');
		uart_putc(uart_cfg.port, buf[i]);
	}
}

int uart_read_byte(void)
{
	u8 lsr = inb(uart_cfg.port + REG_LSR);

	/* All ones: no UART there (an unpopulated port reads 0xff). */
	if (lsr == 0xff || !(lsr & LSR_DR))
		return -1;
	return inb(uart_cfg.port + REG_DATA);
}

static struct console uart_console = {.name = "uart", .write = uart_write};

/* Bytes per second at @baud: each frame has a start bit, 5-8 data bits, parity, 1-2 stop bits. */
static u32 uart_bytes_per_sec(u32 baud, u8 lcr)
{
	u32 bits = 1 + 5 + (lcr & 3) + ((lcr & LCR_PEN) ? 1 : 0) + ((lcr & LCR_STB) ? 2 : 1);

	return baud / bits;
}

void uart_init(void)
{
	u16 p = uart_cfg.port;

	outb(p + REG_IER, 0);
	if (uart_cfg.baud) {
		u32 div = UART_CLOCK_HZ / 16 / uart_cfg.baud;

		outb(p + REG_LCR, LCR_DLAB);
		outb(p + REG_DLL, div & 0xff);
		outb(p + REG_DLM, (div >> 8) & 0xff);
	}
	outb(p + REG_LCR, uart_cfg.lcr);
	outb(p + REG_FCR, 0x07); /* enable and clear FIFOs */
	outb(p + REG_MCR, 0x03); /* DTR, RTS */
	uart_console.bytes_per_sec = uart_bytes_per_sec(uart_cfg.baud, uart_cfg.lcr); /* 0: auto */
	console_register(&uart_console);
}

u16 uart_io_base(void)
{
	return uart_cfg.port;
}
