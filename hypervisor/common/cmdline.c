/* Command-line parsing: splits the loader's command line and feeds registered options. */
#include <keel/errno.h>
#include <keel/param.h>
#include <keel/printk.h>
#include <keel/string.h>

#define OPTION_MAX 256

int parse_uint(const char *s, const char **end, u64 *out)
{
	unsigned int base = 10;
	u64 val = 0;
	const char *p = s;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	s = p;
	for (;; p++) {
		unsigned int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		if (val > (~0ULL - d) / base)
			return -EINVAL;
		val = val * base + d;
	}
	if (p == s)
		return -EINVAL;
	*out = val;
	*end = p;
	return 0;
}

int parse_size(const char *s, const char **end, u64 *out)
{
	unsigned int shift = 10;
	u64 val;

	if (parse_uint(s, &s, &val))
		return -EINVAL;
	switch (*s) {
	case 'T': case 't': shift = 40; s++; break;
	case 'G': case 'g': shift = 30; s++; break;
	case 'M': case 'm': shift = 20; s++; break;
	case 'K': case 'k': shift = 10; s++; break;
	case 'B': case 'b': shift = 0; s++; break;
	default: break;
	}
	if (shift && val > (~0ULL >> shift))
		return -EINVAL;
	*out = val << shift;
	*end = s;
	return 0;
}

static const struct kernel_param *find_param(const char *name, size_t len)
{
	const struct kernel_param *p;

	for (p = __start_keel_params; p < __stop_keel_params; p++)
		if (strlen(p->name) == len && !strncmp(p->name, name, len))
			return p;
	return NULL;
}

static int apply_option(const char *opt)
{
	const char *eq = strchr(opt, '=');
	size_t name_len = eq ? (size_t)(eq - opt) : strlen(opt);
	const struct kernel_param *p = find_param(opt, name_len);
	int rc;

	if (!p) {
		pr_warn("cmdline: unknown option '%s', ignored\n", opt);
		return -ENOENT;
	}
	rc = p->parse(eq ? eq + 1 : NULL);
	if (rc)
		pr_err("cmdline: invalid option '%s', ignored\n", opt);
	return rc;
}

int cmdline_parse(const char *cmdline)
{
	char opt[OPTION_MAX];
	int rejected = 0;

	while (*cmdline) {
		size_t len = 0;

		while (*cmdline == ' ' || *cmdline == '\t')
			cmdline++;
		while (cmdline[len] && cmdline[len] != ' ' &&
		       cmdline[len] != '\t')
			len++;
		if (!len)
			break;
		if (len >= sizeof(opt)) {
			pr_err("cmdline: option '%.32s...' longer than %d characters, ignored\n",
			       cmdline, OPTION_MAX - 1);
			rejected++;
		} else {
			memcpy(opt, cmdline, len);
			opt[len] = '\0';
			if (apply_option(opt))
				rejected++;
		}
		cmdline += len;
	}
	return rejected;
}
