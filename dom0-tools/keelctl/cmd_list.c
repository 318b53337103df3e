/* keelctl list: xl list's table of domains, -v with UUIDs, -l as JSON configs. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cfg_json.h"
#include "commands.h"
#include "dom_state.h"
#include "domains.h"
#include "xs_disk.h"
#include "xs_vif.h"

static void print_row(struct kc *kc, const struct keel_domctl_info *d, struct xs *xs,
		      bool verbose)
{
	char *name = domain_name(xs, d->domid), state[7], *uuid;

	domain_state(d->flags, state);
	fprintf(kc->out, "%-40s %5u %5llu %5u     %s %9.1f", name ? name : "(null)", d->domid,
		(unsigned long long)(d->cur_kb >> 10), d->nr_online_vcpus, state,
		(double)d->cpu_time_ns / 1e9);
	if (verbose) {
		uuid = dom_state_uuid(xs, d->domid);
		fprintf(kc->out, " %-36s", uuid ? uuid : "00000000-0000-0000-0000-000000000000");
		if (d->flags & (KEEL_DOMINF_shutdown | KEEL_DOMINF_crashed))
			fprintf(kc->out, " %11u", d->shutdown_reason);
		else
			fprintf(kc->out, " %11s", "-");
		free(uuid);
	}
	fputc('\n', kc->out);
	free(name);
}

/* The devices @domid has now (hot-plugged ones too, with their ids and MACs), as xl shows them. */
static void live_devices(struct xs *xs, const struct xs_device_kind *k, uint16_t domid,
			 const char *uuid, char ***list, unsigned int *nr)
{
	char *vm = xasprintf("/vm/%s", uuid), **texts;
	unsigned int n;

	if (!xs_devices_specs(xs, k, domid, vm, &texts, &n)) {
		for (unsigned int i = 0; i < *nr; i++)
			free((*list)[i]);
		free(*list);
		*list = texts;
		*nr = n;
	} else {
		xs_free_list(texts);
	}
	free(vm);
}

/* xl list -l: a JSON array of each domain's config (what keelctl recorded at create). */
static void print_json(struct kc *kc, const struct keel_domctl_info *infos, unsigned int nr,
		       struct xs *xs)
{
	fputs("[\n", kc->out);
	for (unsigned int i = 0; i < nr; i++) {
		char *uuid = dom_state_uuid(xs, infos[i].domid);
		char *name = domain_name(xs, infos[i].domid);
		struct domain_config cfg;
		bool have = uuid && !dom_state_load(uuid, &cfg);

		if (have) {
			live_devices(xs, &xs_vbd_kind, infos[i].domid, uuid, &cfg.disks, &cfg.nr_disks);
			live_devices(xs, &xs_vif_kind, infos[i].domid, uuid, &cfg.vifs, &cfg.nr_vifs);
		}

		cfg_json_domain(kc->out, &infos[i], have ? &cfg : NULL,
				name ? name : (infos[i].domid ? NULL : DOM0_NAME), uuid);
		fputs(i + 1 < nr ? ",\n" : "\n", kc->out);
		if (have)
			config_free(&cfg);
		free(name);
		free(uuid);
	}
	fputs("]\n", kc->out);
}

int cmd_list(struct kc *kc, int argc, char **argv)
{
	struct keel_domctl_info infos[HV_MAX_DOMAINS];
	bool verbose = kc->verbose, json = false;
	struct xs *xs;
	unsigned int nr;
	int opt, rc, status = EXIT_OK;

	reset_getopt();
	while ((opt = getopt(argc, argv, "lvh")) != -1) {
		switch (opt) {
		case 'l': json = true; break;
		case 'v': verbose = true; break;
		case 'h':
			command_usage(command_find("list"), kc->out);
			return EXIT_OK;
		default:
			return usage_error("list", "unknown option -%c", optopt);
		}
	}
	if (!kc_hv(kc))
		return EXIT_FAIL;
	xs = kc_xs(kc);
	if (!xs)
		kc_warn("names are unknown without xenstored");
	if (optind == argc) {
		rc = hv_list(kc->hv, infos, HV_MAX_DOMAINS, &nr);
		if (rc) {
			kc_err("keel refused list: %s (%s)", strerror(-rc), errno_name(-rc));
			return EXIT_FAIL;
		}
	} else {
		nr = 0;
		for (int i = optind; i < argc && nr < HV_MAX_DOMAINS; i++) {
			uint16_t domid;

			if (domain_find(kc, argv[i], &domid) ||
			    hv_getinfo(kc->hv, domid, &infos[nr])) {
				status = EXIT_FAIL;
				continue;
			}
			nr++;
		}
	}
	if (json) {
		print_json(kc, infos, nr, xs);
		return status;
	}
	fprintf(kc->out, "%-40s %5s %5s %5s     %-6s %9s", "Name", "ID", "Mem", "VCPUs", "State",
		"Time(s)");
	if (verbose)
		fprintf(kc->out, " %-36s %11s", "UUID", "Reason-Code");
	fputc('\n', kc->out);
	for (unsigned int i = 0; i < nr; i++)
		print_row(kc, &infos[i], xs, verbose);
	return status;
}
