/* keelctl shutdown and reboot: ask through xenstore's control/shutdown (or keel with -F), maybe wait. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <xen/sched.h>
#include "commands.h"
#include "dom_state.h"
#include "domains.h"

#define WAIT_POLL_MS		200
#define WAIT_TOKEN		"keelctl-wait"

struct target {
	uint16_t domid;
	char *name;
	bool done;
	char *uuid;		/* NULL: not known */
	int on_reboot;		/* KEEL_ACTION_* from keelctl's record; -1: none */
	bool old_gone;		/* reboot: the old domain is gone */
};

struct request {
	const char *cmd;		/* "shutdown" or "reboot" */
	const char *word;		/* what control/shutdown gets: "poweroff" or "reboot" */
	uint32_t reason;		/* SHUTDOWN_* for -F */
	bool reboot;
	bool wait, force, all;
	uint64_t timeout_ms;		/* 0: wait for ever */
};

/* Did the guest's PV drivers say they act on this request (control/feature-*)? */
static bool has_feature(struct xs *xs, uint16_t domid, const char *word)
{
	char *path = xasprintf("/local/domain/%u/control/feature-%s", domid, word), *v = NULL;
	bool yes = !xs_read(xs, 0, path, &v) && !strcmp(v, "1");

	free(v);
	free(path);
	return yes;
}

static int ask(struct kc *kc, const struct request *rq, const struct target *t)
{
	char *path;
	int rc;

	if (has_feature(kc->xs, t->domid, rq->word)) {
		path = xasprintf("/local/domain/%u/control/shutdown", t->domid);
		rc = xs_write(kc->xs, 0, path, rq->word);
		free(path);
		if (rc)
			kc_err("%s (d%u): cannot write control/shutdown: %s", t->name, t->domid,
			       strerror(-rc));
		return rc;
	}
	if (!rq->force) {
		kc_err("%s (d%u) has not announced PV %s support (control/feature-%s): it may still be booting; -F has keel shut it down instead",
		       t->name, t->domid, rq->cmd, rq->word);
		return -EOPNOTSUPP;
	}
	rc = hv_shutdown(kc->hv, t->domid, rq->reason);
	if (rc)
		kc_err("%s (d%u): keel refused shutdown: %s (%s)", t->name, t->domid, strerror(-rc),
		       errno_name(-rc));
	return rc;
}

/*
 * A reboot to restart (on_reboot = "restart" in keelctl's record of the domain): its monitor
 * destroys the old domain and builds a new one of the name. Done once the new one runs, or
 * once no monitor is left to build it (an error, in *@failed).
 */
static bool rebuilt(struct kc *kc, struct target *t, bool old_there, bool *failed)
{
	struct keel_domctl_info info;
	uint16_t again;

	if (!old_there && !domain_by_name(kc, t->name, &again) && again != t->domid &&
	    !hv_getinfo(kc->hv, again, &info) && !(info.flags & KEEL_DOMINF_paused) &&
	    info.nr_online_vcpus) {
		fprintf(kc->out, "Domain %s (id=%u) rebooted as id %u\n", t->name, t->domid, again);
		return true;
	}
	if (dom_state_monitor_alive(t->uuid))
		return false;
	kc_err("%s (d%u) %s, and no monitor is left to restart it (its log: /var/log/keel/keelctl-%s.log)",
	       t->name, t->domid, old_there ? "has shut down" : "is gone", t->name);
	*failed = true;
	return true;
}

/*
 * What waiting waits for: the domain gone or dying, or, for shutdown, shut down and kept
 * (on_poweroff preserve). A reboot waits for the rebuilt domain when keelctl's record says
 * its monitor restarts it, else for the old one gone, or kept (on_reboot preserve).
 */
static bool finished(struct kc *kc, const struct request *rq, struct target *t, bool *failed)
{
	struct keel_domctl_info info;
	int rc = hv_getinfo(kc->hv, t->domid, &info);
	bool old_there = !(rc == -ESRCH || (!rc && (info.flags & KEEL_DOMINF_dying)));
	bool down = old_there && !rc && (info.flags & KEEL_DOMINF_shutdown);
	uint16_t again;
	char buf[20];

	if (rq->reboot && t->on_reboot == KEEL_ACTION_restart && (!old_there || down))
		return rebuilt(kc, t, old_there, failed);
	if (!old_there) {
		if (rq->reboot && !domain_by_name(kc, t->name, &again) && again != t->domid)
			fprintf(kc->out, "Domain %s (id=%u) rebooted as id %u\n", t->name, t->domid,
				again);
		else
			fprintf(kc->out, "Domain %s (id=%u) is gone\n", t->name, t->domid);
		return true;
	}
	if (down && (!rq->reboot || t->on_reboot == KEEL_ACTION_preserve)) {
		fprintf(kc->out, "Domain %s (id=%u) has shut down (%s)%s\n", t->name, t->domid,
			shutdown_reason_name(info.shutdown_reason, buf),
			rq->reboot ? ": preserved" : "");
		return true;
	}
	return false;
}

static int wait_all(struct kc *kc, const struct request *rq, struct target *t, unsigned int nr)
{
	uint64_t deadline = rq->timeout_ms ? now_ms() + rq->timeout_ms : 0;
	bool watching = !xs_watch(kc->xs, "@releaseDomain", WAIT_TOKEN);
	unsigned int left = nr;
	int status = EXIT_OK;

	for (;;) {
		for (unsigned int i = 0; i < nr; i++) {
			bool failed = false;

			if (!t[i].done && finished(kc, rq, &t[i], &failed)) {
				t[i].done = true;
				left--;
				if (failed)
					status = EXIT_FAIL;
			}
		}
		fflush(kc->out);
		if (!left)
			break;
		if (deadline && now_ms() >= deadline) {
			for (unsigned int i = 0; i < nr; i++)
				if (!t[i].done)
					kc_err("%s (d%u): still there after %llu s", t[i].name,
					       t[i].domid,
					       (unsigned long long)(rq->timeout_ms / 1000));
			status = EXIT_FAIL;
			break;
		}
		if (watching) {
			char *path, *token;

			if (!xs_read_watch(kc->xs, &path, &token, WAIT_POLL_MS)) {
				free(path);
				free(token);
			}
		} else {
			sleep_ms(WAIT_POLL_MS);
		}
	}
	if (watching)
		xs_unwatch(kc->xs, "@releaseDomain", WAIT_TOKEN);
	return status;
}

/* What keelctl recorded of @t when it built it: its UUID and on_reboot. */
static void recall(struct kc *kc, struct target *t)
{
	struct domain_config cfg;

	t->on_reboot = -1;
	t->uuid = dom_state_uuid(kc->xs, t->domid);
	if (t->uuid && !dom_state_load(t->uuid, &cfg)) {
		t->on_reboot = cfg.on_reboot;
		config_free(&cfg);
	}
}

/* Every domain but dom0, or the ones named. */
static int collect(struct kc *kc, const struct request *rq, int argc, char **argv,
		   struct target **out, unsigned int *nr)
{
	struct keel_domctl_info infos[HV_MAX_DOMAINS];
	struct target *t = xcalloc(HV_MAX_DOMAINS + (unsigned int)argc, sizeof(*t));
	unsigned int n = 0, count;
	int status = EXIT_OK, rc;

	if (rq->all) {
		rc = hv_list(kc->hv, infos, HV_MAX_DOMAINS, &count);
		if (rc) {
			kc_err("keel refused list: %s", strerror(-rc));
			free(t);
			return EXIT_FAIL;
		}
		for (unsigned int i = 0; i < count; i++) {
			if (!infos[i].domid)
				continue;
			t[n].domid = infos[i].domid;
			t[n].name = domain_name(kc->xs, infos[i].domid);
			if (!t[n].name)
				t[n].name = xasprintf("d%u", infos[i].domid);
			n++;
		}
	}
	for (int i = optind; i < argc; i++) {
		uint16_t domid;

		if (domain_find(kc, argv[i], &domid)) {
			status = EXIT_FAIL;
			continue;
		}
		if (domid == 0) {
			kc_err("%s: not dom0, which keelctl runs in (use poweroff or reboot there)",
			       rq->cmd);
			status = EXIT_FAIL;
			continue;
		}
		t[n].domid = domid;
		t[n].name = domain_name(kc->xs, domid);
		if (!t[n].name)
			t[n].name = xstrdup(argv[i]);
		n++;
	}
	for (unsigned int i = 0; i < n; i++)
		recall(kc, &t[i]);
	*out = t;
	*nr = n;
	return status;
}

static int shutdown_like(struct kc *kc, struct request *rq, int argc, char **argv)
{
	struct target *t = NULL;
	unsigned int nr = 0, asked = 0;
	uint64_t secs;
	int opt, status;

	reset_getopt();
	while ((opt = getopt(argc, argv, "wFat:h")) != -1) {
		switch (opt) {
		case 'w': rq->wait = true; break;
		case 'F': rq->force = true; break;
		case 'a': rq->all = true; break;
		case 't':
			if (!parse_u64(optarg, &secs) || !secs || secs > 86400)
				return usage_error(rq->cmd, "-t: '%s' is not a number of seconds (1-86400)",
						   optarg);
			rq->timeout_ms = secs * 1000;
			break;
		case 'h':
			command_usage(command_find(rq->cmd), kc->out);
			return EXIT_OK;
		default:
			return usage_error(rq->cmd, optopt == 't' ? "-t needs a number of seconds" :
					   "unknown option -%c", optopt);
		}
	}
	if (rq->all == (optind < argc))
		return usage_error(rq->cmd, rq->all ? "-a and domain names do not go together" :
				   "no domain given");
	if (rq->timeout_ms && !rq->wait)
		return usage_error(rq->cmd, "-t only goes with -w");
	if (!kc_hv(kc) || !kc_xs(kc))
		return EXIT_FAIL;
	status = collect(kc, rq, argc, argv, &t, &nr);
	for (unsigned int i = 0; i < nr; i++) {
		if (ask(kc, rq, &t[i])) {
			status = EXIT_FAIL;
			t[i].done = true;
		} else {
			asked++;
		}
	}
	if (rq->wait && asked) {
		struct target *w = xcalloc(asked, sizeof(*w));
		unsigned int n = 0;

		for (unsigned int i = 0; i < nr; i++)
			if (!t[i].done)
				w[n++] = t[i];
		if (wait_all(kc, rq, w, n))
			status = EXIT_FAIL;
		free(w);
	}
	for (unsigned int i = 0; i < nr; i++) {
		free(t[i].name);
		free(t[i].uuid);
	}
	free(t);
	return status;
}

int cmd_shutdown(struct kc *kc, int argc, char **argv)
{
	struct request rq = { .cmd = "shutdown", .word = "poweroff", .reason = SHUTDOWN_poweroff };

	return shutdown_like(kc, &rq, argc, argv);
}

int cmd_reboot(struct kc *kc, int argc, char **argv)
{
	struct request rq = {
		.cmd = "reboot", .word = "reboot", .reason = SHUTDOWN_reboot, .reboot = true,
	};

	return shutdown_like(kc, &rq, argc, argv);
}
