/* keelctl version (--version): keelctl's build, and the running keel's as dom0's kernel shows it. */
#include <stdlib.h>
#include <string.h>
#include <keel/build_info.h>
#include <keel/main.h>
#include "commands.h"

#define SYS_HYPERVISOR	"/sys/hypervisor"	/* or $KEELCTL_SYS_HYPERVISOR (tests) */

/* The first line of <sys>/@rel (Linux's sys-hypervisor), or NULL. */
static char *sys_line(const char *rel)
{
	const char *root = getenv("KEELCTL_SYS_HYPERVISOR");
	char *path = xasprintf("%s/%s", root && *root ? root : SYS_HYPERVISOR, rel);
	uint8_t *text = NULL;
	size_t len;

	if (read_whole_file(path, 4096, &text, &len))
		text = NULL;
	else
		((char *)text)[strcspn((char *)text, "\n")] = '\0';
	free(path);
	return (char *)text;
}

int cmd_version(struct kc *kc, int argc, char **argv)
{
	char *major = sys_line("version/major"), *minor = sys_line("version/minor");
	char *extra = sys_line("version/extra"), *cs = sys_line("properties/changeset");
	char *id = sys_line("properties/buildid");
	int status = EXIT_OK;

	if (argc > 1)
		return usage_error("version", "no arguments");
	fprintf(kc->out, "keelctl %s, built from %s\n", KEEL_VERSION, keel_changeset);
	if (major && minor && extra && cs) {
		fprintf(kc->out, "keel: Xen %s.%s%s interface, built from %s\n", major, minor,
			extra, cs);
		if (id)
			fprintf(kc->out, "keel build id: %s\n", id);
	} else {
		kc_err("keel's version is unknown: no %s/version (not dom0 on keel?)",
		       SYS_HYPERVISOR);
		status = EXIT_FAIL;
	}
	free(major);
	free(minor);
	free(extra);
	free(cs);
	free(id);
	return status;
}
