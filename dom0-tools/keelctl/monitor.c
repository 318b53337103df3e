/* The per-domain monitor xl leaves behind: cleans up a domain that is gone, restarts one to restart. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <stdint.h>
#include <xen/sched.h>
#include "dom_state.h"
#include "domains.h"
#include "lifecycle.h"
#include "monitor.h"
#include "util.h"
#include "xs_disk.h"
#include "xs_domain.h"
#include "xs_vif.h"

#define DEFAULT_LOG_DIR	"/var/log/keel"

void monitor_init(struct monitor *m, struct kc *kc, const struct domain_config *cfg,
		  uint16_t domid)
{
	memset(m, 0, sizeof(*m));
	m->kc = kc;
	config_copy(&m->cfg, cfg);
	m->domid = domid;
	m->vm_path = xs_vm_path(cfg->uuid);
	m->log.fd = -1;
}

void monitor_fini(struct monitor *m)
{
	console_log_close(&m->log);
	config_free(&m->cfg);
	free(m->vm_path);
	m->vm_path = NULL;
}

/* "[time] NAME (dN): message" in the monitor's log. */
static void __printf(2, 3) note(struct monitor *m, const char *fmt, ...)
{
	FILE *f = kc_errf ? kc_errf : stderr;
	char stamp[32];
	time_t now = time(NULL);
	va_list ap;

	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", localtime(&now));
	fprintf(f, "[%s] %s (d%u): ", stamp, m->cfg.name, m->domid);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fflush(f);
}

static uint8_t action_for(const struct monitor *m, uint32_t reason, bool *known)
{
	*known = true;
	switch (reason) {
	case SHUTDOWN_poweroff:
		return m->cfg.on_poweroff;
	case SHUTDOWN_reboot:
		return m->cfg.on_reboot;
	case SHUTDOWN_crash:
	case SHUTDOWN_watchdog:
		return m->cfg.on_crash;
	default:
		*known = false;
		return KEEL_ACTION_preserve;
	}
}

/*
 * The devices the domain has now, hot-plugged ones included and detached ones not, are what
 * it gets again (as xl keeps block-attach, network-attach and their detaches in the domain's
 * configuration). vifs keep their MAC and id: their copies hold them.
 */
static void keep_devices(struct monitor *m, const struct xs_device_kind *k, char ***list,
			 unsigned int *nr)
{
	char **texts;
	unsigned int n;

	if (!m->kc->xs || xs_devices_specs(m->kc->xs, k, m->domid, m->vm_path, &texts, &n)) {
		if (m->kc->xs)
			xs_free_list(texts);
		return;
	}
	for (unsigned int i = 0; i < *nr; i++)
		free((*list)[i]);
	free(*list);
	*list = texts;
	*nr = n;
}

/* The config as keelctl recorded it last: a rename since the create is kept. */
static void reload_config(struct monitor *m)
{
	struct domain_config cfg;

	if (dom_state_load(m->cfg.uuid, &cfg))
		return;
	if (strcmp(cfg.name, m->cfg.name))
		note(m, "renamed %s", cfg.name);
	config_free(&m->cfg);
	m->cfg = cfg;
}

/* The domain's console output since the last look into its log; a failure is noted once. */
static void log_console(struct monitor *m)
{
	bool gone;
	int rc = console_log_poll(&m->log, m->kc->hv, &gone);

	if (rc < 0) {
		note(m, "console log %s: %s; no longer kept", m->log.path, strerror(-rc));
		console_log_close(&m->log);
	}
}

static enum monitor_result restart(struct monitor *m, const char *why)
{
	uint16_t old = m->domid, domid;
	int rc;

	note(m, "%s: restarting it", why);
	log_console(m);
	reload_config(m);
	keep_devices(m, &xs_vbd_kind, &m->cfg.disks, &m->cfg.nr_disks);
	keep_devices(m, &xs_vif_kind, &m->cfg.vifs, &m->cfg.nr_vifs);
	domain_teardown(m->kc, old, m->vm_path, true);
	log_console(m);		/* what it wrote while it was destroyed */
	rc = domain_start(m->kc, &m->cfg, false, &domid);
	if (rc) {
		note(m, "restart failed: %s", strerror(-rc));
		return MONITOR_DONE;
	}
	m->domid = domid;
	console_log_follow(&m->log, domid);
	m->restarts++;
	note(m, "restarted (was d%u)", old);
	return MONITOR_WAIT;
}

enum monitor_result monitor_check(struct monitor *m)
{
	struct keel_domctl_info info;
	char buf[20];
	const char *why;
	uint8_t action;
	bool known;
	int rc;

	rc = hv_getinfo(m->kc->hv, m->domid, &info);
	if (rc && rc != -ESRCH) {
		note(m, "keel refused getinfo: %s", strerror(-rc));
		return MONITOR_WAIT;
	}
	if (rc == -ESRCH || (info.flags & KEEL_DOMINF_dying)) {
		log_console(m);		/* its last words: keel keeps them a while */
		note(m, "the domain is gone: removing its xenstore entries");
		domain_teardown(m->kc, m->domid, m->vm_path, false);
		log_console(m);
		return MONITOR_DONE;
	}
	if (!(info.flags & KEEL_DOMINF_shutdown))
		return MONITOR_WAIT;
	why = shutdown_reason_name(info.shutdown_reason, buf);
	action = action_for(m, info.shutdown_reason, &known);
	if (action == KEEL_ACTION_restart)
		return restart(m, why);
	if (action == KEEL_ACTION_destroy)
		return MONITOR_WAIT;	/* keel is destroying it: gone at the next look */
	note(m, "shut down (%s): preserved%s; 'keelctl destroy %s' removes it", why,
	     known ? " as configured" : "", m->cfg.name);
	return MONITOR_DONE;
}

int monitor_run(struct monitor *m)
{
	unsigned int wait_ms = m->log.fd >= 0 ? CONSOLE_LOG_POLL_MS : MONITOR_POLL_MS;
	uint64_t next_check = 0;
	bool watching = false;
	int rc;

	dom_state_set_monitor(m->cfg.uuid, getpid());
	for (;;) {
		if (!watching && m->kc->xs) {
			rc = xs_watch(m->kc->xs, "@releaseDomain", MONITOR_WATCH_TOKEN);
			if (rc)
				note(m, "cannot watch @releaseDomain: %s; polling", strerror(-rc));
			watching = !rc;
		}
		if (now_ms() >= next_check) {
			if (monitor_check(m) == MONITOR_DONE)
				break;
			next_check = now_ms() + MONITOR_POLL_MS;
		}
		log_console(m);
		if (watching) {
			char *path, *token;

			rc = xs_read_watch(m->kc->xs, &path, &token, wait_ms);
			if (!rc) {
				free(path);
				free(token);
				next_check = 0;		/* a domain changed: look now */
			} else if (rc != -ETIMEDOUT && rc != -ENOBUFS) {
				/* (-ENOBUFS: events were dropped; monitor_check() looks anyway.) */
				note(m, "lost xenstored: %s; polling", strerror(-rc));
				xs_close(m->kc->xs);
				m->kc->xs = NULL;
				watching = false;
			} else if (rc == -ENOBUFS) {
				next_check = 0;
			}
		} else {
			sleep_ms(wait_ms);
			/* Try to reconnect quietly; cleanup needs xenstore. */
			if (!m->kc->xs && now_ms() >= next_check) {
				FILE *saved = kc_errf;

				kc_errf = fopen("/dev/null", "w");
				kc_xs(m->kc);
				if (kc_errf)
					fclose(kc_errf);
				kc_errf = saved;
			}
		}
	}
	if (m->kc->xs && watching)
		xs_unwatch(m->kc->xs, "@releaseDomain", MONITOR_WATCH_TOKEN);
	dom_state_set_monitor(m->cfg.uuid, 0);
	return 0;
}

static const char *log_dir(void)
{
	const char *dir = getenv("KEELCTL_LOG_DIR");

	return dir && *dir ? dir : DEFAULT_LOG_DIR;
}

void open_console_log(struct monitor *m)
{
	int rc = console_log_open(&m->log, log_dir(), m->cfg.name, CONSOLE_LOG_MAX);

	if (rc)
		note(m, "no console log: %s", strerror(-rc));
	console_log_follow(&m->log, m->domid);
}

/* Standard output and error to the monitor's log file, input from /dev/null. */
static void redirect_output(const char *name)
{
	const char *dir = log_dir();
	char *path;
	int fd;

	mkdir_parents(dir);
	path = xasprintf("%s/keelctl-%s.log", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	free(path);
	if (fd < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
}

int monitor_spawn(struct kc *kc, const struct domain_config *cfg, uint16_t domid)
{
	struct monitor m;
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		/* The middle process exits at once: the monitor becomes init's child. */
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -ECHILD;
	}
	setsid();
	pid = fork();
	if (pid < 0)
		_exit(1);
	if (pid > 0)
		_exit(0);
	redirect_output(cfg->name);
	kc_errf = stderr;
	/* The parent's xenstore connection stays the parent's: this one is our own. */
	xs_close(kc->xs);
	kc->xs = NULL;
	kc->out = stdout;
	if (!kc_xs(kc))
		kc_warn("%s (d%u): monitor starts without xenstore", cfg->name, domid);
	monitor_init(&m, kc, cfg, domid);
	note(&m, "monitor %d watching", (int)getpid());
	open_console_log(&m);
	monitor_run(&m);
	monitor_fini(&m);
	kc_close(kc);
	_exit(0);
}
