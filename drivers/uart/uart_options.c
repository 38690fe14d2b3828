/* Parsing of the UART options "baud[,DPS]" (pure; shared by the driver and the host tests). */
#include <keel/errno.h>
#include <keel/string.h>
#include <keel/uart.h>

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
