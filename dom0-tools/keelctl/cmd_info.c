/* keelctl info (the host, from physinfo) and dmesg [-c] (keel's log ring, through readlog). */
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>
#include "commands.h"

#define PAGES_TO_MIB(p)	((unsigned long long)(p) >> 8)

int cmd_info(struct kc *kc, int argc, char **argv)
{
	struct keel_domctl op;
	struct utsname u;
	int rc;

	if (argc > 1)
		return usage_error("info", "no arguments expected");
	if (!kc_hv(kc))
		return EXIT_FAIL;
	rc = hv_physinfo(kc->hv, &op);
	if (rc) {
		kc_err("keel refused physinfo: %s (%s)", strerror(-rc), errno_name(-rc));
		return EXIT_FAIL;
	}
	if (uname(&u))
		memset(&u, 0, sizeof(u));
	fprintf(kc->out,
		"host                   : %s\n"
		"release                : %s\n"
		"hypervisor             : keel (domctl version %u)\n"
		"nr_cpus                : %u\n"
		"nr_domains             : %u\n"
		"total_pages            : %llu\n"
		"free_pages             : %llu\n"
		"total_memory           : %llu\n"
		"free_memory            : %llu\n",
		u.nodename, u.release, KEEL_DOMCTL_VERSION, op.u.physinfo.nr_cpus,
		op.u.physinfo.nr_domains, (unsigned long long)op.u.physinfo.total_pages,
		(unsigned long long)op.u.physinfo.free_pages,
		PAGES_TO_MIB(op.u.physinfo.total_pages), PAGES_TO_MIB(op.u.physinfo.free_pages));
	return EXIT_OK;
}

int cmd_dmesg(struct kc *kc, int argc, char **argv)
{
	uint8_t buf[HV_TEXT_MAX];
	uint64_t pos = 0, head;
	bool lost_noted = false, clear = false;
	uint32_t nr;
	int rc;

	clear = argc > 1 && !strcmp(argv[1], "-c");
	if (argc > 1 + clear && argv[1 + clear][0] == '-')
		return usage_error("dmesg", "unknown option %s", argv[1 + clear]);
	if (argc > 1 + clear)
		return usage_error("dmesg", "no arguments expected");
	if (!kc_hv(kc))
		return EXIT_FAIL;
	for (;;) {
		uint64_t want = pos;

		/* -c: keel forgets each window as it hands it out (and nothing newer). */
		rc = hv_read_text(kc->hv, KEEL_DOMCTL_readlog, 0, buf, sizeof(buf), &pos, &nr,
				  &head, clear ? KEEL_TEXT_clear : 0);
		if (rc) {
			kc_err("keel refused readlog: %s (%s)", strerror(-rc), errno_name(-rc));
			return EXIT_FAIL;
		}
		/* The ring moved on while we read: say so once, then go on from what is kept. */
		if (pos > want && want && !lost_noted) {
			fprintf(kc->out, "[keelctl: %llu bytes of the log were overwritten meanwhile]\n",
				(unsigned long long)(pos - want));
			lost_noted = true;
		}
		fwrite(buf, 1, nr, kc->out);
		pos += nr;
		if (!nr || pos >= head)
			break;
	}
	fflush(kc->out);
	return EXIT_OK;
}
