/* 8250/16550 UART console: COM1 by default, configured by `com1=baud[,8n1]` or `com2=...`. */
#include <asm/io.h>
#include <keel/cmdline.h>
#include <keel/console.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/uart.h>

#define UART_CLOCK_HZ 1843200
#define REG_DATA      0
#define REG_IER	      1
#define REG_FCR	      2
#define REG_LCR	      3
#define REG_MCR	      4
#define REG_LSR	      5
#define REG_DLL	      0
#define REG_DLM	      1
#define LCR_DLAB      0x80
#define LSR_THRE      0x20

struct uart_config {
	u16 port;
	u32 baud;
	u8 lcr; /* data bits, parity, stop bits */
};

static struct uart_config uart_cfg = {0x3f8, 115200, 0x03};

/* Parse "baud[,DPS]" e.g. "115200,8n1"; baud may be "auto" (keep the loader's setting). */
int uart_parse_options(const char *s, u32 *baud, u8 *lcr)
{
	u32 b = 0;
	u8 l = 0x03;

	if (!strncmp(s, "auto", 4)) {
		s += 4;
	} else {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		while (*s >= '0' && *s <= '9') {
			b = b * 10 + (u32)(*s++ - '0');
			if (b > 4000000)
				return -ERANGE;
		}
		if (b < 50 || UART_CLOCK_HZ / 16 / b == 0)
			return -ERANGE;
	}
	if (*s == ',') {
		s++;
		if (s[0] < '5' || s[0] > '8')
			return -EINVAL;
		l = (u8)(s[0] - '5');
		switch (s[1]) {
		case 'n':
			break;
		case 'o':
			l |= 0x08;
			break;
		case 'e':
			l |= 0x18;
			break;
		default:
			return -EINVAL;
		}
		if (s[2] == '2')
			l |= 0x04;
		else if (s[2] != '1')
			return -EINVAL;
		s += 3;
	}
	if (*s)
		return -EINVAL;
	*baud = b;
	*lcr = l;
	return 0;
}

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

static struct console uart_console = {.name = "uart", .write = uart_write};

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
	console_register(&uart_console);
}
