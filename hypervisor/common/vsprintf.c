/* vsnprintf: the subset of printf formatting the hypervisor uses. */
#include <keel/printk.h>
#include <keel/string.h>

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_number(struct out *o, u64 val, unsigned int base, bool neg,
		       int width, bool zero, bool left, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = digits[val % base];
		val /= base;
	} while (val);
	if (neg)
		width--;
	if (neg && zero)
		out_char(o, '-');
	if (!left)
		for (; width > n; width--)
			out_char(o, zero ? '0' : ' ');
	if (neg && !zero)
		out_char(o, '-');
	while (n)
		out_char(o, tmp[--n]), width--;
	for (; left && width > 0; width--)
		out_char(o, ' ');
}

static void out_string(struct out *o, const char *s, int width, int prec,
		       bool left)
{
	size_t len;

	if (!s)
		s = "(null)";
	len = prec >= 0 ? strnlen(s, prec) : strlen(s);
	if (!left)
		for (; width > (int)len; width--)
			out_char(o, ' ');
	for (size_t i = 0; i < len; i++)
		out_char(o, s[i]);
	for (; left && width > (int)len; width--)
		out_char(o, ' ');
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		bool zero = false, left = false, alt = false;
		int width = 0, prec = -1, lng = 0;
		u64 val;

		if (*fmt != '%') {
			out_char(&o, *fmt);
			continue;
		}
		for (fmt++;; fmt++) {
			if (*fmt == '0')
				zero = true;
			else if (*fmt == '-')
				left = true;
			else if (*fmt == '#')
				alt = true;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			}
			while (*fmt >= '0' && *fmt <= '9')
				prec = prec * 10 + (*fmt++ - '0');
		}
		while (*fmt == 'l' || *fmt == 'z') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			s64 v = lng ? va_arg(ap, s64) : va_arg(ap, int);

			out_number(&o, v < 0 ? -(u64)v : (u64)v, 10, v < 0,
				   width, zero, left, false);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
			val = lng ? va_arg(ap, u64) : va_arg(ap, unsigned int);
			if (alt && *fmt != 'u')
				out_string(&o, "0x", 0, -1, false);
			out_number(&o, val, *fmt == 'u' ? 10 : 16, false,
				   width, zero, left, *fmt == 'X');
			break;
		case 'p':
			out_string(&o, "0x", 0, -1, false);
			out_number(&o, (uptr)va_arg(ap, void *), 16, false,
				   16, true, false, false);
			break;
		case 's':
			out_string(&o, va_arg(ap, const char *), width, prec,
				   left);
			break;
		case 'c':
			out_char(&o, (char)va_arg(ap, int));
			break;
		case '%':
			out_char(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			out_char(&o, '%');
			out_char(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
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
