/* keelctl list: xl list's table of domains. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "domains.h"

static void print_row(struct kc *kc, const struct keel_domctl_info *d, struct xs *xs)
{
	char *name = domain_name(xs, d->domid), state[7];

	domain_state(d->flags, state);
	fprintf(kc->out, "%-40s %5u %5llu %5u     %s %9.1f\n", name ? name : "(null)", d->domid,
		(unsigned long long)(d->cur_kb >> 10), d->nr_online_vcpus, state,
		(double)d->cpu_time_ns / 1e9);
	free(name);
}

int cmd_list(struct kc *kc, int argc, char **argv)
{
	struct keel_domctl_info infos[HV_MAX_DOMAINS];
	struct xs *xs;
	unsigned int nr;
	int rc, status = EXIT_OK;

	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-')
			return usage_error("list", "unknown option %s", argv[i]);
	if (!kc_hv(kc))
		return EXIT_FAIL;
	xs = kc_xs(kc);
	if (!xs)
		kc_warn("names are unknown without xenstored");
	if (argc == 1) {
		rc = hv_list(kc->hv, infos, HV_MAX_DOMAINS, &nr);
		if (rc) {
			kc_err("keel refused list: %s (%s)", strerror(-rc), errno_name(-rc));
			return EXIT_FAIL;
		}
	} else {
		nr = 0;
		for (int i = 1; i < argc && nr < HV_MAX_DOMAINS; i++) {
			uint16_t domid;

			if (domain_find(kc, argv[i], &domid) ||
			    hv_getinfo(kc->hv, domid, &infos[nr])) {
				status = EXIT_FAIL;
				continue;
			}
			nr++;
		}
	}
	fprintf(kc->out, "%-40s %5s %5s %5s     %-6s %9s\n", "Name", "ID", "Mem", "VCPUs", "State",
		"Time(s)");
	for (unsigned int i = 0; i < nr; i++)
		print_row(kc, &infos[i], xs);
	return status;
}
