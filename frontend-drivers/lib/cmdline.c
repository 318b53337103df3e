/* Command-line helpers: keep a copy of the PVH command line and look up key=value words. */
#include <keel/string.h>
#include "cmdline.h"

static char saved[CMDLINE_MAX];

void cmdline_save(const char *src)
{
	if (src)
		strlcpy(saved, src, sizeof(saved));
	else
		saved[0] = '\0';
}

const char *cmdline_get(void)
{
	return saved;
}

bool cmdline_param(const char *cmdline, const char *key, char *val,
		   size_t size)
{
	size_t klen = strlen(key);
	const char *p = cmdline;

	while (*p) {
		const char *end;

		while (*p == ' ')
			p++;
		end = p;
		while (*end && *end != ' ')
			end++;
		if (!strncmp(p, key, klen) &&
		    (p + klen == end || p[klen] == '=')) {
			const char *v = p + klen + (p + klen < end);
			size_t n = MIN((size_t)(end - v), size - 1);

			if (size) {
				memcpy(val, v, n);
				val[n] = '\0';
			}
			return true;
		}
		p = end;
	}
	return false;
}

bool cmdline_uint(const char *cmdline, const char *key, u32 *val)
{
	char word[16];
	u64 n = 0;

	if (!cmdline_param(cmdline, key, word, sizeof(word)) || !word[0])
		return false;
	for (const char *c = word; *c; c++) {
		if (*c < '0' || *c > '9')
			return false;
		n = n * 10 + (*c - '0');
		if (n > 0xffffffffULL)
			return false;
	}
	*val = n;
	return true;
}
