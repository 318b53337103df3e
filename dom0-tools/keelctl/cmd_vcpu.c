/* keelctl vcpu-list, vcpu-pin and vcpu-set: xl's commands for a domain's vCPUs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "cpulist.h"
#include "domains.h"

/* The host's CPU count, or 0 with a message. */
static unsigned int host_cpus(struct kc *kc)
{
	struct keel_domctl op;
	int rc = hv_physinfo(kc->hv, &op);

	if (rc) {
		kc_err("keel refused physinfo: %s (%s)", strerror(-rc), errno_name(-rc));
		return 0;
	}
	return op.u.physinfo.nr_cpus;
}

/*
 * xl's row: Name ID VCPU CPU State Time(s) Affinity (Hard / Soft). A vCPU that is down shows
 * no CPU and "--p"; keel has no soft affinity, which xl shows as "all".
 */
static void print_row(struct kc *kc, const char *name, uint16_t domid, uint32_t vcpu,
		      const struct keel_domctl *op, const struct cpuset *affinity,
		      unsigned int nr_cpus)
{
	char hard[1024];	/* every other CPU of 256: "0,2,4,...,254" */

	fprintf(kc->out, "%-32s %5u %5u", name, domid, vcpu);
	if (op->u.vcpu.state == KEEL_VCPU_down)
		fprintf(kc->out, "%5c %3c%cp ", '-', '-', '-');
	else
		fprintf(kc->out, "%5u %3c%c- ", op->u.vcpu.cpu, op->u.vcpu.running ? 'r' : '-',
			op->u.vcpu.state == KEEL_VCPU_blocked ? 'b' : '-');
	cpulist_format(affinity, nr_cpus, hard, sizeof(hard));
	fprintf(kc->out, "%9.1f  %s / all\n", (double)op->u.vcpu.cpu_time_ns / 1e9, hard);
}

/* Every vCPU of @info's domain, one row each. */
static int list_domain(struct kc *kc, const struct keel_domctl_info *info, unsigned int nr_cpus)
{
	char *name = domain_name(kc->xs, info->domid);
	int status = EXIT_OK;

	for (uint32_t i = 0; i < info->nr_vcpus; i++) {
		struct keel_domctl op;
		struct cpuset affinity;
		int rc = hv_getvcpuinfo(kc->hv, info->domid, i, &op, &affinity);

		if (rc) {
			kc_err("d%u vCPU %u: keel refused getvcpuinfo: %s", info->domid, i,
			       strerror(-rc));
			status = EXIT_FAIL;
			continue;
		}
		print_row(kc, name ? name : "(null)", info->domid, i, &op, &affinity, nr_cpus);
	}
	free(name);
	return status;
}

int cmd_vcpu_list(struct kc *kc, int argc, char **argv)
{
	struct keel_domctl_info infos[HV_MAX_DOMAINS];
	unsigned int nr = 0, nr_cpus;
	int status = EXIT_OK;

	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-')
			return usage_error("vcpu-list", "unknown option %s", argv[i]);
	if (!kc_hv(kc) || !(nr_cpus = host_cpus(kc)))
		return EXIT_FAIL;
	if (!kc_xs(kc))
		kc_warn("names are unknown without xenstored");
	if (argc == 1) {
		int rc = hv_list(kc->hv, infos, HV_MAX_DOMAINS, &nr);

		if (rc) {
			kc_err("keel refused list: %s (%s)", strerror(-rc), errno_name(-rc));
			return EXIT_FAIL;
		}
	}
	for (int i = 1; i < argc && nr < HV_MAX_DOMAINS; i++) {
		uint16_t domid;

		if (domain_find(kc, argv[i], &domid) || hv_getinfo(kc->hv, domid, &infos[nr])) {
			status = EXIT_FAIL;
			continue;
		}
		nr++;
	}
	fprintf(kc->out, "%-32s %5s %5s %5s %5s %9s %s\n", "Name", "ID", "VCPU", "CPU", "State",
		"Time(s)", "Affinity (Hard / Soft)");
	for (unsigned int i = 0; i < nr; i++)
		if (list_domain(kc, &infos[i], nr_cpus))
			status = EXIT_FAIL;
	return status;
}

/* Pins vCPU @vcpu of @domid to @set; EXIT_OK or EXIT_FAIL with a message. */
static int pin_one(struct kc *kc, const char *name, uint16_t domid, uint32_t vcpu,
		   const struct cpuset *set)
{
	int rc = hv_setvcpuaffinity(kc->hv, domid, vcpu, set);

	if (rc) {
		kc_err("vcpu-pin: %s (d%u) vCPU %u: keel refused setvcpuaffinity: %s (%s)", name,
		       domid, vcpu, strerror(-rc), errno_name(-rc));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int cmd_vcpu_pin(struct kc *kc, int argc, char **argv)
{
	struct keel_domctl_info info;
	unsigned int nr_cpus, cpu;
	struct cpuset set;
	uint64_t vcpu;
	const char *why;
	uint16_t domid;
	bool all;
	int status = EXIT_OK;

	if (argc < 4 || argc > 5)
		return usage_error("vcpu-pin", argc < 4 ? "too few arguments" : "too many arguments");
	if (argv[1][0] == '-')
		return usage_error("vcpu-pin", "unknown option %s", argv[1]);
	all = !strcmp(argv[2], "all");
	if (!all && (!parse_u64(argv[2], &vcpu) || vcpu > UINT32_MAX))
		return usage_error("vcpu-pin", "VCPU is a vCPU number or 'all', not '%s'", argv[2]);
	if (cpulist_parse(argv[3], &set, &why))
		return usage_error("vcpu-pin", "CPUS '%s': %s", argv[3], why);
	if (argc == 5 && strcmp(argv[4], "-") && strcmp(argv[4], "all"))
		return usage_error("vcpu-pin", "keel has no soft affinity: SOFT must be 'all' or '-'");
	if (!kc_hv(kc) || !(nr_cpus = host_cpus(kc)))
		return EXIT_FAIL;
	/* As Xen: CPUs keel lacks are ignored (vcpu-list shows what is in force), none is refused. */
	for (cpu = 0; cpu < nr_cpus && !cpuset_has(&set, cpu); cpu++)
		;
	if (cpu == nr_cpus) {
		kc_err("vcpu-pin: CPUS '%s' names none of keel's CPUs (keel has %s%u)", argv[3],
		       nr_cpus == 1 ? "only CPU " : "CPUs 0-", nr_cpus - 1);
		return EXIT_FAIL;
	}
	kc_xs(kc);	/* names; ids work without */
	if (domain_find(kc, argv[1], &domid))
		return EXIT_FAIL;
	if (hv_getinfo(kc->hv, domid, &info)) {
		kc_err("vcpu-pin: %s is gone", argv[1]);
		return EXIT_FAIL;
	}
	if (!all && vcpu >= info.nr_vcpus) {
		kc_err("vcpu-pin: %s has vCPUs 0-%u, not %llu", argv[1], info.nr_vcpus - 1,
		       (unsigned long long)vcpu);
		return EXIT_FAIL;
	}
	for (uint32_t i = all ? 0 : (uint32_t)vcpu; i < (all ? info.nr_vcpus : vcpu + 1); i++)
		if (pin_one(kc, argv[1], domid, i, &set))
			status = EXIT_FAIL;
	return status;
}

int cmd_vcpu_set(struct kc *kc, int argc, char **argv)
{
	struct keel_domctl_info info;
	uint64_t n;
	uint16_t domid;
	uint32_t tx;
	int rc;

	if (argc != 3)
		return usage_error("vcpu-set", argc < 3 ? "too few arguments" : "too many arguments");
	if (argv[1][0] == '-')
		return usage_error("vcpu-set", "unknown option %s", argv[1]);
	if (!parse_u64(argv[2], &n) || !n)
		return usage_error("vcpu-set", "N is a number of vCPUs (1 or more), not '%s'",
				   argv[2]);
	if (!kc_hv(kc) || !kc_xs(kc) || domain_find(kc, argv[1], &domid))
		return EXIT_FAIL;
	rc = hv_getinfo(kc->hv, domid, &info);
	if (rc) {
		kc_err("vcpu-set: %s is gone", argv[1]);
		return EXIT_FAIL;
	}
	if (n > info.nr_vcpus) {
		kc_err("vcpu-set: %s was created with %u vCPU%s (maxvcpus); it cannot have %llu",
		       argv[1], info.nr_vcpus, info.nr_vcpus == 1 ? "" : "s",
		       (unsigned long long)n);
		return EXIT_FAIL;
	}
	/* As libxl: the guest's cpu/N/availability, which its Linux watches. */
	do {
		rc = xs_transaction_start(kc->xs, &tx);
		for (uint32_t i = 0; !rc && i < info.nr_vcpus; i++) {
			char *path = xasprintf("/local/domain/%u/cpu/%u/availability", domid, i);

			rc = xs_write(kc->xs, tx, path, i < n ? "online" : "offline");
			free(path);
		}
		if (rc) {
			xs_transaction_end(kc->xs, tx, false);
			break;
		}
		rc = xs_transaction_end(kc->xs, tx, true);
	} while (rc == -EAGAIN);
	if (rc) {
		kc_err("vcpu-set: %s (d%u): cannot write cpu/N/availability: %s", argv[1], domid,
		       strerror(-rc));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
