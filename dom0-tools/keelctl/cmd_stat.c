/* keelctl stat: a domain's VM exits by reason and hypercalls by number (keel_domctl getstats). */
#include <errno.h>
#include <string.h>
#include "commands.h"
#include <getopt.h>
#include "domains.h"

/* VMX basic exit reasons (Intel SDM vol. 3, appendix C) keel's guests cause; others by number. */
static const char *const exit_names[KEEL_STATS_EXITS] = {
	[0] = "exception_nmi", [1] = "external_interrupt", [2] = "triple_fault",
	[3] = "init", [4] = "sipi", [7] = "interrupt_window", [8] = "nmi_window",
	[9] = "task_switch", [10] = "cpuid", [12] = "hlt", [14] = "invlpg", [15] = "rdpmc",
	[16] = "rdtsc", [18] = "vmcall", [28] = "cr_access", [29] = "dr_access",
	[30] = "io_instruction", [31] = "rdmsr", [32] = "wrmsr", [33] = "invalid_state",
	[36] = "mwait", [39] = "monitor", [40] = "pause", [43] = "tpr_below_threshold",
	[44] = "apic_access", [45] = "virtualized_eoi", [46] = "gdtr_idtr", [47] = "ldtr_tr",
	[48] = "ept_violation", [49] = "ept_misconfig", [51] = "rdtscp",
	[52] = "preemption_timer", [54] = "wbinvd", [55] = "xsetbv", [56] = "apic_write",
	[57] = "rdrand", [58] = "invpcid", [61] = "rdseed", [63] = "xsaves", [64] = "xrstors",
};

/* Xen's hypercall numbers (public/xen.h) and keel's own. */
static const char *const hcall_names[KEEL_STATS_HCALLS] = {
	[1] = "mmu_update", [2] = "set_gdt", [3] = "stack_switch", [4] = "set_callbacks",
	[5] = "fpu_taskswitch", [7] = "platform_op", [8] = "set_debugreg",
	[9] = "get_debugreg", [10] = "update_descriptor", [12] = "memory_op",
	[13] = "multicall", [14] = "update_va_mapping", [15] = "set_timer_op",
	[17] = "xen_version", [18] = "console_io", [20] = "grant_table_op", [21] = "vm_assist",
	[24] = "vcpu_op", [26] = "mmuext_op", [27] = "xsm_op", [28] = "nmi_op",
	[29] = "sched_op", [30] = "callback_op", [31] = "xenoprof_op",
	[32] = "event_channel_op", [33] = "physdev_op", [34] = "hvm_op", [35] = "sysctl",
	[36] = "domctl", [37] = "kexec_op", [38] = "tmem_op", [39] = "argo_op",
	[40] = "xenpmu_op", [41] = "dm_op", [42] = "hypfs_op", [48] = "keel_op",
	[KEEL_STATS_HCALLS - 1] = "other",
};

static void name_of(char *buf, size_t n, const char *const *names, const char *prefix,
		    unsigned int i)
{
	if (names[i])
		snprintf(buf, n, "%s", names[i]);
	else
		snprintf(buf, n, "%s%u", prefix, i);
}

/*
 * One line for scripts: "exits N hypercalls N cpu_us N x:NAME N ... h:NAME N" (non-zero
 * ones; cpu_us: the domain's run time so far, all vCPUs).
 */
static void print_line(FILE *out, const struct keel_domstats *s, uint64_t cpu_ns)
{
	char name[32];

	fprintf(out, "exits %llu hypercalls %llu cpu_us %llu", (unsigned long long)s->exits_total,
		(unsigned long long)s->hypercalls_total, (unsigned long long)(cpu_ns / 1000));
	for (unsigned int i = 0; i < KEEL_STATS_EXITS; i++) {
		if (!s->exits[i])
			continue;
		name_of(name, sizeof(name), exit_names, "exit", i);
		fprintf(out, " x:%s %llu", name, (unsigned long long)s->exits[i]);
	}
	for (unsigned int i = 0; i < KEEL_STATS_HCALLS; i++) {
		if (!s->hypercalls[i])
			continue;
		name_of(name, sizeof(name), hcall_names, "hypercall", i);
		fprintf(out, " h:%s %llu", name, (unsigned long long)s->hypercalls[i]);
	}
	fputc('\n', out);
}

static void print_table(FILE *out, const char *arg, uint16_t domid,
			const struct keel_domstats *s)
{
	char name[32];

	fprintf(out, "%s (d%u): %u vCPU(s), %llu VM exits, %llu hypercalls\n", arg, domid,
		s->nr_vcpus, (unsigned long long)s->exits_total,
		(unsigned long long)s->hypercalls_total);
	for (unsigned int i = 0; i < KEEL_STATS_EXITS; i++) {
		if (!s->exits[i])
			continue;
		name_of(name, sizeof(name), exit_names, "exit", i);
		fprintf(out, "  exit       %-22s %12llu\n", name, (unsigned long long)s->exits[i]);
	}
	for (unsigned int i = 0; i < KEEL_STATS_HCALLS; i++) {
		if (!s->hypercalls[i])
			continue;
		name_of(name, sizeof(name), hcall_names, "hypercall", i);
		fprintf(out, "  hypercall  %-22s %12llu\n", name,
			(unsigned long long)s->hypercalls[i]);
	}
}

int cmd_stat(struct kc *kc, int argc, char **argv)
{
	struct keel_domstats s;
	bool one_line = false;
	int opt, rc, status = EXIT_OK;

	reset_getopt();
	while ((opt = getopt(argc, argv, "+1")) != -1) {
		if (opt != '1')
			return usage_error("stat", "unknown option -%c", optopt);
		one_line = true;
	}
	if (optind >= argc)
		return usage_error("stat", "no domain given");
	for (int i = optind; i < argc; i++) {
		uint16_t domid;

		if (domain_find(kc, argv[i], &domid)) {
			status = EXIT_FAIL;
			continue;
		}
		rc = hv_getstats(kc->hv, domid, &s);
		if (rc) {
			kc_err("%s (d%u): keel refused getstats: %s (%s)", argv[i], domid,
			       strerror(-rc), errno_name(-rc));
			status = EXIT_FAIL;
			continue;
		}
		if (one_line) {
			struct keel_domctl_info info = { 0 };

			hv_getinfo(kc->hv, domid, &info);	/* cpu_us 0 if it failed */
			fprintf(kc->out, "%s ", argv[i]);
			print_line(kc->out, &s, info.cpu_time_ns);
		} else {
			print_table(kc->out, argv[i], domid, &s);
		}
	}
	fflush(kc->out);
	return status;
}
