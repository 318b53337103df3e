/* Memory sizes as xl reads them, and the limit keel is given for a target. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "mem_size.h"

bool parse_mem_kb(const char *s, uint64_t *kb)
{
	unsigned int shift;
	uint64_t n = 0;

	if (!isdigit((unsigned char)*s))
		return false;
	for (; isdigit((unsigned char)*s); s++) {
		if (n > (UINT64_MAX - 9) / 10)
			return false;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	switch (tolower((unsigned char)*s)) {
	case 'b':
		*kb = n >> 10;
		return !s[1];
	case 'k': shift = 0; break;
	case '\0':
	case 'm': shift = 10; break;
	case 'g': shift = 20; break;
	case 't': shift = 30; break;
	default:
		return false;
	}
	if (*s && s[1])
		return false;
	if (n > UINT64_MAX >> shift)
		return false;
	*kb = n << shift;
	return true;
}

uint64_t mem_limit_kb(uint64_t kb)
{
	return (kb & ~3ULL) + MEM_SLACK_KB;
}
