/* keelctl's own record of the domains it built, by UUID: their configs and their monitors. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dom_state.h"
#include "util.h"

/* <dir>/<uuid><ext>, or NULL for a UUID that is not one (it names a file). */
static char *state_path(const char *uuid, const char *ext)
{
	const char *dir = getenv("KEELCTL_STATE_DIR");

	if (!uuid || !uuid_valid(uuid))
		return NULL;
	if (!dir || !*dir)
		dir = DOM_STATE_DIR;
	return xasprintf("%s/%s%s", dir, uuid, ext);
}

/* Writes @path through a temporary file and a rename: readers see the old or the new. */
static int write_file(const char *path, void (*fill)(FILE *f, const void *arg), const void *arg)
{
	char *tmp = xasprintf("%s.new", path), *dir = xstrdup(path);
	FILE *f;
	int rc = 0;

	*strrchr(dir, '/') = '\0';
	mkdir_parents(dir);
	free(dir);
	f = fopen(tmp, "w");
	if (!f) {
		rc = -errno;
		goto out;
	}
	fill(f, arg);
	if (fclose(f) || rename(tmp, path))
		rc = -errno;
	if (rc)
		unlink(tmp);
out:
	free(tmp);
	return rc;
}

static void fill_config(FILE *f, const void *cfg)
{
	config_print(cfg, f);
}

int dom_state_save(const struct domain_config *cfg)
{
	char *path = state_path(cfg->uuid, ".cfg");
	int rc;

	if (!path)
		return -EINVAL;
	rc = write_file(path, fill_config, cfg);
	free(path);
	return rc;
}

int dom_state_load(const char *uuid, struct domain_config *cfg)
{
	char *path = state_path(uuid, ".cfg");
	FILE *quiet;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	if (!path)
		return -EINVAL;
	if (access(path, R_OK)) {
		rc = -errno;
		free(path);
		return rc;
	}
	quiet = fopen("/dev/null", "w");
	rc = config_load(path, NULL, 0, cfg, quiet ? quiet : stderr) ? -EINVAL : 0;
	if (quiet)
		fclose(quiet);
	free(path);
	return rc;
}

void dom_state_remove(const char *uuid)
{
	char *path = state_path(uuid, ".cfg");

	if (path)
		unlink(path);
	free(path);
}

static void fill_pid(FILE *f, const void *pid)
{
	fprintf(f, "%d\n", *(const pid_t *)pid);
}

void dom_state_set_monitor(const char *uuid, pid_t pid)
{
	char *path = state_path(uuid, ".monitor");

	if (!path)
		return;
	if (pid)
		write_file(path, fill_pid, &pid);
	else
		unlink(path);
	free(path);
}

bool dom_state_monitor_alive(const char *uuid)
{
	char *path = state_path(uuid, ".monitor");
	uint8_t *text = NULL;
	size_t len;
	uint64_t pid;
	bool alive = false;

	if (path && !read_whole_file(path, 64, &text, &len)) {
		char *nl = strchr((char *)text, '\n');

		if (nl)
			*nl = '\0';
		alive = parse_u64((char *)text, &pid) && pid && pid < INT32_MAX &&
			(!kill((pid_t)pid, 0) || errno == EPERM);
	}
	free(text);
	free(path);
	return alive;
}

char *dom_state_uuid(struct xs *xs, uint16_t domid)
{
	char *path = xasprintf("/local/domain/%u/vm", domid), *vm = NULL, *uuid = NULL;

	if (xs && !xs_read(xs, 0, path, &vm) && !strncmp(vm, "/vm/", 4) && uuid_valid(vm + 4))
		uuid = xstrdup(vm + 4);
	free(vm);
	free(path);
	return uuid;
}
