/* Functions the hypervisor has and this host's libc lacks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

/* keel's ASSERT() in host tests: report file:line and abort (the test fails). */
void assert_failed(const char *expr, const char *file, unsigned int line)
{
	fprintf(stderr, "Assertion '%s' failed at %s:%u\n", expr, file, line);
	abort();
}
