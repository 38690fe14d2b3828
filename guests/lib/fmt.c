/* Guest library: the vsnprintf used by the guest console (no libc, no floating point). */
#include "fmt.h"

#include <stdint.h>

struct fmt_out {
	char *buf;
	size_t size;
	size_t len; /* characters produced so far, even past size */
};

struct fmt_spec {
	int left, zero, alt, space, plus;
	int width;
	int precision; /* -1 = none */
};

static void out_char(struct fmt_out *o, char c)
{
	if (o->size && o->len < o->size - 1)
		o->buf[o->len] = c;
	o->len++;
}

static void out_pad(struct fmt_out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

static size_t str_len_max(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

static void out_string(struct fmt_out *o, const struct fmt_spec *sp, const char *s)
{
	size_t n;

	if (!s)
		s = "(null)";
	n = str_len_max(s, sp->precision >= 0 ? (size_t)sp->precision : SIZE_MAX);
	if (!sp->left)
		out_pad(o, ' ', sp->width - (int)n);
	for (size_t i = 0; i < n; i++)
		out_char(o, s[i]);
	if (sp->left)
		out_pad(o, ' ', sp->width - (int)n);
}

static void out_number(struct fmt_out *o, const struct fmt_spec *sp, uint64_t val, int negative,
		       unsigned int base, int upper, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, prefix_len = 0, zeros, total;
	char sign = 0;

	if (negative)
		sign = '-';
	else if (sp->plus)
		sign = '+';
	else if (sp->space)
		sign = ' ';
	while (val) {
		tmp[n++] = digits[val % base];
		val /= base;
	}
	if (n == 0 && sp->precision != 0)
		tmp[n++] = '0';
	if (prefix)
		prefix_len = (int)str_len_max(prefix, 2);
	zeros = sp->precision > n ? sp->precision - n : 0;
	total = n + zeros + prefix_len + (sign ? 1 : 0);
	if (sp->zero && !sp->left && sp->precision < 0 && sp->width > total) {
		zeros += sp->width - total;
		total = sp->width;
	}
	if (!sp->left)
		out_pad(o, ' ', sp->width - total);
	if (sign)
		out_char(o, sign);
	for (int i = 0; i < prefix_len; i++)
		out_char(o, prefix[i]);
	out_pad(o, '0', zeros);
	while (n)
		out_char(o, tmp[--n]);
	if (sp->left)
		out_pad(o, ' ', sp->width - total);
}

static int parse_int(const char **p)
{
	int v = 0;

	while (**p >= '0' && **p <= '9') {
		if (v < 100000)
			v = v * 10 + (**p - '0');
		(*p)++;
	}
	return v;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = {buf, size, 0};

	for (const char *p = fmt; *p; p++) {
		struct fmt_spec sp = {0, 0, 0, 0, 0, 0, -1};
		const char *start = p;
		int lng = 0; /* -2 hh, -1 h, 0 int, 1 long, 2 long long / size_t */
		uint64_t u;
		int64_t s;

		if (*p != '%') {
			out_char(&o, *p);
			continue;
		}
		for (p++;; p++) {
			if (*p == '-')
				sp.left = 1;
			else if (*p == '0')
				sp.zero = 1;
			else if (*p == '#')
				sp.alt = 1;
			else if (*p == ' ')
				sp.space = 1;
			else if (*p == '+')
				sp.plus = 1;
			else
				break;
		}
		if (*p == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.left = 1;
				sp.width = sp.width == INT32_MIN ? 0 : -sp.width;
			}
			p++;
		} else {
			sp.width = parse_int(&p);
		}
		if (*p == '.') {
			p++;
			if (*p == '*') {
				sp.precision = va_arg(ap, int);
				if (sp.precision < 0)
					sp.precision = -1;
				p++;
			} else {
				sp.precision = parse_int(&p);
			}
		}
		if (*p == 'h') {
			lng = -1;
			if (*++p == 'h') {
				lng = -2;
				p++;
			}
		} else if (*p == 'l') {
			lng = 1;
			if (*++p == 'l') {
				lng = 2;
				p++;
			}
		} else if (*p == 'z') {
			lng = 2;
			p++;
		}
		switch (*p) {
		case 'd':
		case 'i':
			if (lng == 2)
				s = va_arg(ap, long long);
			else if (lng == 1)
				s = va_arg(ap, long);
			else
				s = va_arg(ap, int);
			if (lng == -1)
				s = (short)s;
			else if (lng == -2)
				s = (signed char)s;
			u = s < 0 ? 0 - (uint64_t)s : (uint64_t)s;
			out_number(&o, &sp, u, s < 0, 10, 0, NULL);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			if (lng == 2)
				u = va_arg(ap, unsigned long long);
			else if (lng == 1)
				u = va_arg(ap, unsigned long);
			else
				u = va_arg(ap, unsigned int);
			if (lng == -1)
				u = (unsigned short)u;
			else if (lng == -2)
				u = (unsigned char)u;
			if (*p == 'u')
				out_number(&o, &sp, u, 0, 10, 0, NULL);
			else if (*p == 'o')
				out_number(&o, &sp, u, 0, 8, 0, sp.alt && u ? "0" : NULL);
			else
				out_number(&o, &sp, u, 0, 16, *p == 'X',
					   sp.alt && u ? (*p == 'X' ? "0X" : "0x") : NULL);
			break;
		case 'p':
			u = (uint64_t)(uintptr_t)va_arg(ap, void *);
			out_number(&o, &sp, u, 0, 16, 0, "0x");
			break;
		case 's':
			out_string(&o, &sp, va_arg(ap, const char *));
			break;
		case 'c': {
			char c[2] = {(char)va_arg(ap, int), 0};
			int w = sp.width;

			if (!sp.left)
				out_pad(&o, ' ', w - 1);
			out_char(&o, c[0]);
			if (sp.left)
				out_pad(&o, ' ', w - 1);
			break;
		}
		case '%':
			out_char(&o, '%');
			break;
		default:
			/* Unknown or truncated conversion: print it as written. */
			for (const char *q = start; q <= p && *q; q++)
				out_char(&o, *q);
			if (!*p)
				p--;
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > INT32_MAX ? INT32_MAX : (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
