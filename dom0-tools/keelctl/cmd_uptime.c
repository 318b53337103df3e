/* keelctl uptime: how long each domain has existed, as xl uptime prints it. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "commands.h"
#include "domains.h"

char *uptime_string(uint64_t secs, bool short_mode)
{
	unsigned int day = (unsigned int)(secs / 86400), hour = secs / 3600 % 24;
	unsigned int min = secs / 60 % 60, sec = secs % 60;
	const char *days = day > 1 ? "days" : "day";

	if (short_mode)
		return day ? xasprintf("%u %s, %2u:%02u", day, days, hour, min) :
			     xasprintf("%2u:%02u", hour, min);
	return day ? xasprintf("%u %s, %2u:%02u:%02u", day, days, hour, min, sec) :
		     xasprintf("%2u:%02u:%02u", hour, min, sec);
}

static void print_uptime(struct kc *kc, const struct keel_domctl_info *d, bool short_mode)
{
	char *name = domain_name(kc->xs, d->domid), *up = uptime_string(d->uptime_ns / 1000000000,
									 short_mode);
	char now[16];
	time_t t = time(NULL);

	if (!name)
		name = d->domid ? xasprintf("d%u", d->domid) : xstrdup(DOM0_NAME);
	if (short_mode) {
		strftime(now, sizeof(now), "%H:%M:%S", localtime(&t));
		fprintf(kc->out, " %s up %s, %s (%u)\n", now, up, name, d->domid);
	} else {
		fprintf(kc->out, "%-33s %4u %s\n", name, d->domid, up);
	}
	free(up);
	free(name);
}

int cmd_uptime(struct kc *kc, int argc, char **argv)
{
	struct keel_domctl_info infos[HV_MAX_DOMAINS];
	bool short_mode = false;
	unsigned int nr = 0;
	int opt, rc, status = EXIT_OK;

	reset_getopt();
	while ((opt = getopt(argc, argv, "sh")) != -1) {
		switch (opt) {
		case 's': short_mode = true; break;
		case 'h':
			command_usage(command_find("uptime"), kc->out);
			return EXIT_OK;
		default:
			return usage_error("uptime", "unknown option -%c", optopt);
		}
	}
	if (!kc_hv(kc))
		return EXIT_FAIL;
	kc_xs(kc);
	if (optind == argc) {
		rc = hv_list(kc->hv, infos, HV_MAX_DOMAINS, &nr);
		if (rc) {
			kc_err("keel refused list: %s (%s)", strerror(-rc), errno_name(-rc));
			return EXIT_FAIL;
		}
	}
	for (int i = optind; i < argc && nr < HV_MAX_DOMAINS; i++) {
		uint16_t domid;

		if (domain_find(kc, argv[i], &domid) || hv_getinfo(kc->hv, domid, &infos[nr]))
			status = EXIT_FAIL;
		else
			nr++;
	}
	if (!short_mode)
		fprintf(kc->out, "%-33s %4s %s\n", "Name", "ID", "Uptime");
	for (unsigned int i = 0; i < nr; i++)
		print_uptime(kc, &infos[i], short_mode);
	return status;
}
