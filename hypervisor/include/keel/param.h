/*
 * Hypervisor command-line options, registered next to their users (as Xen's
 * custom_param) and parsed once at boot from the loader's command line.
 */
#ifndef KEEL_PARAM_H
#define KEEL_PARAM_H

#include <keel/types.h>

struct kernel_param {
	const char *name;
	/* @value is the text after '=', or NULL for a bare option. */
	int (*parse)(const char *value);
};

#define custom_param(_name, _fn)					\
	static const struct kernel_param __param_##_fn			\
	__used __section("keel_params") __aligned(8) = { _name, _fn }

extern const struct kernel_param __start_keel_params[];
extern const struct kernel_param __stop_keel_params[];

/*
 * Apply every option in @cmdline. Unknown options and bad values are
 * reported and skipped; the rest still apply. Returns the number of
 * options that were rejected.
 */
int cmdline_parse(const char *cmdline);

/*
 * Parse a size with an optional unit suffix (K, M, G, T; B for bytes; none
 * means KiB as in Xen). On success stores the value in *@out, points
 * *@end past the size and returns 0; returns -EINVAL on junk or overflow.
 */
int parse_size(const char *s, const char **end, u64 *out);

/* Parse a decimal or 0x-prefixed unsigned integer; same contract as above. */
int parse_uint(const char *s, const char **end, u64 *out);

#endif
