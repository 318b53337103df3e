/* keelctl sched-credit: xl's view and setting of the credit scheduler's weights and caps. */
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include "commands.h"
#include "domains.h"

static void print_row(struct kc *kc, const struct keel_domctl_info *info)
{
	char *name = domain_name(kc->xs, info->domid);

	fprintf(kc->out, "%-33s %4u %6u %4u\n", name ? name : "(null)", info->domid,
		info->weight, info->cap);
	free(name);
}

static void print_header(struct kc *kc)
{
	fprintf(kc->out, "%-33s %4s %6s %4s\n", "Name", "ID", "Weight", "Cap");
}

/* Every domain, under xl's pool line (keel's one pool; its longest slice, no rate limit). */
static int list_all(struct kc *kc)
{
	struct keel_domctl_info infos[HV_MAX_DOMAINS];
	unsigned int nr;
	int rc = hv_list(kc->hv, infos, HV_MAX_DOMAINS, &nr);

	if (rc) {
		kc_err("keel refused list: %s (%s)", strerror(-rc), errno_name(-rc));
		return EXIT_FAIL;
	}
	fprintf(kc->out, "Cpupool Pool-0: tslice=10ms ratelimit=0us migration-delay=0us\n");
	print_header(kc);
	for (unsigned int i = 0; i < nr; i++)
		print_row(kc, &infos[i]);
	return EXIT_OK;
}

/* A -w or -c value: a number from @min to @max. */
static int number_arg(const char *opt, const char *arg, uint64_t min, uint64_t max,
		      uint32_t *out)
{
	uint64_t v;

	if (!parse_u64(arg, &v) || v < min || v > max)
		return usage_error("sched-credit", "%s takes a number from %llu to %llu, not '%s'",
				   opt, (unsigned long long)min, (unsigned long long)max, arg);
	*out = (uint32_t)v;
	return EXIT_OK;
}

int cmd_sched_credit(struct kc *kc, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "domain", required_argument, NULL, 'd' },
		{ "weight", required_argument, NULL, 'w' },
		{ "cap", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dom = NULL;
	bool set_w = false, set_c = false;
	struct keel_domctl_info info;
	uint32_t weight = 0, cap = 0;
	uint16_t domid;
	int opt, rc;

	reset_getopt();
	while ((opt = getopt_long(argc, argv, "+d:w:c:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dom = optarg;
			break;
		case 'w':
			set_w = true;
			if (number_arg("-w", optarg, 1, 65535, &weight))
				return EXIT_USAGE;
			break;
		case 'c':
			set_c = true;
			if (number_arg("-c", optarg, 0, 6400, &cap))
				return EXIT_USAGE;
			break;
		default:
			return usage_error("sched-credit", "unknown option %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("sched-credit", "unexpected argument '%s'", argv[optind]);
	if ((set_w || set_c) && !dom)
		return usage_error("sched-credit", "-w and -c need -d NAME");
	if (!kc_hv(kc))
		return EXIT_FAIL;
	if (!kc_xs(kc))
		kc_warn("names are unknown without xenstored");
	if (!dom)
		return list_all(kc);
	if (domain_find(kc, dom, &domid))
		return EXIT_FAIL;
	rc = hv_getinfo(kc->hv, domid, &info);
	if (rc) {
		kc_err("sched-credit: %s is gone", dom);
		return EXIT_FAIL;
	}
	if (!set_w && !set_c) {
		print_header(kc);
		print_row(kc, &info);
		return EXIT_OK;
	}
	/* As xl: what is not given stays. */
	rc = hv_set_sched(kc->hv, domid, set_w ? weight : info.weight, set_c ? cap : info.cap);
	if (rc) {
		kc_err("sched-credit: %s (d%u): keel refused set_sched: %s (%s)", dom, domid,
		       strerror(-rc), errno_name(-rc));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
