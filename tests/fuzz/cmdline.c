/* Fuzz harness: keel's command line, every option the host build links, its number parsers. */
/*
 * Options: loglvl, console, dom0_mem, dom0_max_vcpus, selftest; parse_uint() is checked
 * against strtoull().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <keel/arch.h>
#include <keel/dom0_options.h>
#include <keel/domain.h>
#include <keel/param.h>
#include <keel/printk.h>
#include "fuzz_input.h"

u32 arch_console_probe(void)
{
	return CONSOLE_COM1;
}

void arch_console_write(u32 sinks, const char *s, size_t len)
{
	volatile char sink = 0;

	for (size_t i = 0; i < len; i++)
		sink ^= s[i];
	(void)sink;
}

/* selftest=vtd reaches the IOMMU's self-test, which the host build has not. */
void arch_iommu_selftest(void)
{
}

/* parse_uint() against strtoull() on the digits it consumed. */
static void check_uint(const char *s)
{
	const char *end;
	u64 v;
	int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	char *digits, *e;
	size_t n;
	unsigned long long ref;

	if (parse_uint(s, &end, &v))
		return;
	if (end <= s + (hex ? 2 : 0))
		__builtin_trap();
	/* Only the digits it took: strtoull() would take a sign, spaces or another 0x. */
	n = end - s - (hex ? 2 : 0);
	digits = strndup(s + (hex ? 2 : 0), n);
	errno = 0;
	ref = strtoull(digits, &e, hex ? 16 : 10);
	if (errno || *e || ref != v)
		__builtin_trap();
	free(digits);
}

static void check_size(const char *s)
{
	const char *end;
	u64 v;

	if (!parse_size(s, &end, &v) && end <= s)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static u64 pos;
	char *s = malloc(size + 1), buf[256];
	u64 head;
	long n;

	memcpy(s, data, size);
	s[size] = '\0';
	memset(&dom0_options, 0, sizeof(dom0_options));
	cmdline_parse(s);
	if (dom0_options.mem_min && dom0_options.mem_max &&
	    dom0_options.mem_min > dom0_options.mem_max)
		__builtin_trap();
	if (dom0_options.vcpus_max > DOMAIN_MAX_VCPUS ||
	    dom0_options.vcpus_min > dom0_options.vcpus_max)
		__builtin_trap();
	check_uint(s);
	check_size(s);
	/* What it logged since the last input reads back through the log ring (keelctl dmesg). */
	while ((n = log_read(&pos, buf, sizeof(buf), &head)) > 0)
		pos += n;
	if (n < 0)
		__builtin_trap();
	console_set_loglevel(LOG_INFO);
	console_select(~0u);
	free(s);
	return 0;
}
