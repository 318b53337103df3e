/* Parsers for dom0_mem=, dom0_max_vcpus= and dom0=, in Xen's syntax. */
#include <keel/dom0_options.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/param.h>
#include <keel/string.h>

#define DOM0_MAX_VCPUS_LIMIT DOMAIN_MAX_VCPUS

struct dom0_options dom0_options;

/* dom0_mem=[min:<size>,][max:<size>,][<size>] */
static int parse_dom0_mem(const char *value)
{
	struct dom0_options o = dom0_options;

	if (!value || !*value)
		return -EINVAL;
	for (;;) {
		u64 *field = &o.mem;
		u64 size;

		if (!strncmp(value, "min:", 4)) {
			field = &o.mem_min;
			value += 4;
		} else if (!strncmp(value, "max:", 4)) {
			field = &o.mem_max;
			value += 4;
		}
		if (parse_size(value, &value, &size) || !size)
			return -EINVAL;
		*field = size;
		if (!*value)
			break;
		if (*value++ != ',' || !*value)
			return -EINVAL;
	}
	if (o.mem_min && o.mem_max && o.mem_min > o.mem_max)
		return -EINVAL;
	dom0_options = o;
	return 0;
}
custom_param("dom0_mem", parse_dom0_mem);

/* dom0_max_vcpus=<max> or <min>-<max> */
static int parse_dom0_max_vcpus(const char *value)
{
	u64 lo, hi;

	if (!value || parse_uint(value, &value, &lo))
		return -EINVAL;
	hi = lo;
	if (*value == '-' && parse_uint(value + 1, &value, &hi))
		return -EINVAL;
	if (*value || !lo || lo > hi || hi > DOM0_MAX_VCPUS_LIMIT)
		return -EINVAL;
	dom0_options.vcpus_min = lo;
	dom0_options.vcpus_max = hi;
	return 0;
}
custom_param("dom0_max_vcpus", parse_dom0_max_vcpus);

/*
 * dom0=pvh (the default: a PVH dom0 that owns the machine, Xen's name) or
 * dom0=virtual (keel's own all-virtual platform, no devices).
 */
static int parse_dom0(const char *value)
{
	if (value && !strcmp(value, "pvh"))
		dom0_options.virt = false;
	else if (value && !strcmp(value, "virtual"))
		dom0_options.virt = true;
	else
		return -EINVAL;
	return 0;
}
custom_param("dom0", parse_dom0);
