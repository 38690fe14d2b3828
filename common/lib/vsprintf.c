/* vsnprintf/snprintf: the freestanding formatter behind printk (C99 subset, see printk.h). */
#include <keel/printk.h>
#include <keel/string.h>

enum fmt_flags {
	FMT_LEFT = 1 << 0,  /* '-' */
	FMT_ZERO = 1 << 1,  /* '0' */
	FMT_PLUS = 1 << 2,  /* '+' */
	FMT_SPACE = 1 << 3, /* ' ' */
	FMT_ALT = 1 << 4,   /* '#' */
	FMT_UPPER = 1 << 5, /* %X */
};

/* Upper bound for widths/precisions: keeps the arithmetic far from overflow on hostile formats. */
#define FMT_MAX_FIELD 4096

struct fmt_out {
	char *buf;
	size_t size;
	size_t pos; /* bytes the full output would take so far */
};

struct fmt_spec {
	unsigned int flags;
	int width;     /* 0: none */
	int precision; /* -1: none */
};

static void out_char(struct fmt_out *o, char c)
{
	if (o->pos + 1 < o->size)
		o->buf[o->pos] = c;
	o->pos++;
}

static void out_repeat(struct fmt_out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

static void out_mem(struct fmt_out *o, const char *s, size_t n)
{
	while (n--)
		out_char(o, *s++);
}

static void format_string(struct fmt_out *o, const char *s, const struct fmt_spec *sp)
{
	size_t len;
	int pad;

	if (!s)
		s = "(null)";
	len = strnlen(s, sp->precision >= 0 ? (size_t)sp->precision : (size_t)-1);
	pad = sp->width > (int)MIN(len, (size_t)FMT_MAX_FIELD) ? sp->width - (int)len : 0;
	if (!(sp->flags & FMT_LEFT))
		out_repeat(o, ' ', pad);
	out_mem(o, s, len);
	if (sp->flags & FMT_LEFT)
		out_repeat(o, ' ', pad);
}

/* Print the magnitude @v in @base with an optional sign, following C99 printf rules. */
static void format_number(struct fmt_out *o, u64 v, bool negative, bool is_signed,
			  unsigned int base, const struct fmt_spec *sp)
{
	const char *digits = (sp->flags & FMT_UPPER) ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24]; /* 22 octal digits hold any u64 */
	int ndigits = 0, zeros, len, pad;
	char sign = 0;
	const char *prefix = "";
	unsigned int flags = sp->flags;

	while (v) {
		u64 q = v / base;

		tmp[ndigits++] = digits[v - q * base]; /* the remainder, from the one division */
		v = q;
	}
	/* With an explicit precision, zero is printed with at least that many digits (0 -> none). */
	if (ndigits == 0 && sp->precision != 0)
		tmp[ndigits++] = '0';

	if (is_signed) {
		if (negative)
			sign = '-';
		else if (flags & FMT_PLUS)
			sign = '+';
		else if (flags & FMT_SPACE)
			sign = ' ';
	}
	zeros = sp->precision > ndigits ? sp->precision - ndigits : 0;
	if (flags & FMT_ALT) {
		if (base == 16 && ndigits && tmp[ndigits - 1] != '0')
			prefix = (flags & FMT_UPPER) ? "0X" : "0x";
		else if (base == 8 && zeros == 0 && (ndigits == 0 || tmp[ndigits - 1] != '0'))
			zeros = 1;
	}
	len = (sign ? 1 : 0) + (int)strlen(prefix) + zeros + ndigits;
	pad = sp->width > len ? sp->width - len : 0;

	if (sp->precision >= 0 || (flags & FMT_LEFT))
		flags &= ~FMT_ZERO;
	if (!(flags & (FMT_LEFT | FMT_ZERO)))
		out_repeat(o, ' ', pad);
	if (sign)
		out_char(o, sign);
	out_mem(o, prefix, strlen(prefix));
	if (flags & FMT_ZERO)
		out_repeat(o, '0', pad);
	out_repeat(o, '0', zeros);
	while (ndigits)
		out_char(o, tmp[--ndigits]);
	if (flags & FMT_LEFT)
		out_repeat(o, ' ', pad);
}

/* Read a decimal field (width or precision) at *@fmt, saturating at FMT_MAX_FIELD. */
static int parse_field(const char **fmt)
{
	int n = 0;

	while (**fmt >= '0' && **fmt <= '9') {
		if (n < FMT_MAX_FIELD)
			n = n * 10 + (**fmt - '0');
		(*fmt)++;
	}
	return MIN(n, FMT_MAX_FIELD);
}

enum fmt_length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

static enum fmt_length parse_length(const char **fmt)
{
	switch (**fmt) {
	case 'h':
		(*fmt)++;
		if (**fmt == 'h') {
			(*fmt)++;
			return LEN_HH;
		}
		return LEN_H;
	case 'l':
		(*fmt)++;
		if (**fmt == 'l') {
			(*fmt)++;
			return LEN_LL;
		}
		return LEN_L;
	case 'z':
		(*fmt)++;
		return LEN_Z;
	case 't':
		(*fmt)++;
		return LEN_T;
	case 'j':
		(*fmt)++;
		return LEN_J;
	default:
		return LEN_NONE;
	}
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = {buf, buf ? size : 0, 0};

	while (*fmt) {
		const char *start = fmt;
		struct fmt_spec sp = {0, 0, -1};
		enum fmt_length length;
		unsigned int base = 10;
		bool is_signed = false;
		u64 uval;
		s64 sval;

		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				sp.flags |= FMT_LEFT;
			else if (*fmt == '0')
				sp.flags |= FMT_ZERO;
			else if (*fmt == '+')
				sp.flags |= FMT_PLUS;
			else if (*fmt == ' ')
				sp.flags |= FMT_SPACE;
			else if (*fmt == '#')
				sp.flags |= FMT_ALT;
			else
				break;
		}
		if (*fmt == '*') {
			int w = va_arg(ap, int);

			fmt++;
			if (w < 0) {
				sp.flags |= FMT_LEFT;
				w = w < -FMT_MAX_FIELD ? FMT_MAX_FIELD : -w;
			}
			sp.width = MIN(w, FMT_MAX_FIELD);
		} else {
			sp.width = parse_field(&fmt);
		}
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				int p = va_arg(ap, int);

				fmt++;
				sp.precision = p < 0 ? -1 : MIN(p, FMT_MAX_FIELD);
			} else {
				sp.precision = parse_field(&fmt);
			}
		}
		length = parse_length(&fmt);

		switch (*fmt) {
		case 'd':
		case 'i':
			switch (length) {
			case LEN_HH:
				/* NOLINTNEXTLINE(bugprone-signed-char-misuse): %hhd wants the sign */
				sval = (signed char)va_arg(ap, int);
				break;
			case LEN_H:
				sval = (short)va_arg(ap, int);
				break;
			case LEN_L:
			case LEN_Z:
			case LEN_T:
				sval = va_arg(ap, long);
				break;
			case LEN_LL:
			case LEN_J:
				sval = va_arg(ap, long long);
				break;
			default:
				sval = va_arg(ap, int);
				break;
			}
			/* Negate in unsigned arithmetic so that INT64_MIN works. */
			uval = sval < 0 ? -(u64)sval : (u64)sval;
			format_number(&o, uval, sval < 0, true, 10, &sp);
			fmt++;
			continue;
		case 'X':
			sp.flags |= FMT_UPPER;
			/* fall through */
		case 'x':
			base = 16;
			break;
		case 'o':
			base = 8;
			break;
		case 'u':
			break;
		case 'p':
			uval = (unsigned long)va_arg(ap, void *);
			if (!uval) {
				format_string(&o, "(nil)",
					      &(struct fmt_spec){sp.flags, sp.width, -1});
			} else {
				sp.flags |= FMT_ALT;
				format_number(&o, uval, false, false, 16, &sp);
			}
			fmt++;
			continue;
		case 's':
			format_string(&o, va_arg(ap, const char *), &sp);
			fmt++;
			continue;
		case 'c': {
			char c = (char)va_arg(ap, int);

			sp.precision = -1;
			if (!(sp.flags & FMT_LEFT))
				out_repeat(&o, ' ', sp.width - 1);
			out_char(&o, c);
			if (sp.flags & FMT_LEFT)
				out_repeat(&o, ' ', sp.width - 1);
			fmt++;
			continue;
		}
		case '%':
			out_char(&o, '%');
			fmt++;
			continue;
		default:
			/* Unknown conversion (or the format ended): print it as written. */
			if (*fmt)
				fmt++;
			out_mem(&o, start, (size_t)(fmt - start));
			continue;
		}

		/* Unsigned conversions: x X o u. */
		switch (length) {
		case LEN_HH:
			uval = (unsigned char)va_arg(ap, unsigned int);
			break;
		case LEN_H:
			uval = (unsigned short)va_arg(ap, unsigned int);
			break;
		case LEN_L:
		case LEN_Z:
		case LEN_T:
			uval = va_arg(ap, unsigned long);
			break;
		case LEN_LL:
		case LEN_J:
			uval = va_arg(ap, unsigned long long);
			break;
		default:
			uval = va_arg(ap, unsigned int);
			break;
		}
		format_number(&o, uval, false, is_signed, base, &sp);
		fmt++;
	}

	if (o.size)
		o.buf[MIN(o.pos, o.size - 1)] = '\0';
	return o.pos > 0x7fffffff ? 0x7fffffff : (int)o.pos;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
