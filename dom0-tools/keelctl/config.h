/* A domain's configuration from an xl.cfg-style file: the keys keelctl knows, checked. */
#ifndef KEELCTL_CONFIG_H
#define KEELCTL_CONFIG_H

#include <stdint.h>
#include <stdio.h>
#include "cpulist.h"

#define CONFIG_MAX_NAME		64
#define CONFIG_MAX_VCPUS	64	/* keel_domctl create */
#define CONFIG_MIN_MEMORY_MB	4	/* PVH_MIN_MEM */
#define CONFIG_MAX_MEMORY_MB	65536	/* set_memory: 64 GiB */
#define CONFIG_DEFAULT_MEMORY_MB 32	/* libxl's default */
#define CONFIG_MAX_CMDLINE	1023	/* set_boot: < 1024 bytes with the NUL */
#define CONFIG_MAX_CAP		1600	/* percent of one CPU; keel runs on up to 16 */

struct domain_config {
	char *source;			/* the file it came from, for messages */
	char *name;
	char *uuid;			/* NULL: keelctl makes one */
	uint64_t memory_mb;
	unsigned int vcpus;		/* online at boot */
	unsigned int max_vcpus;		/* maxvcpus: created with; 0 = vcpus */
	char *cpus;			/* cpus: every vCPU's hard affinity; NULL = all */
	struct cpuset affinity;		/* cpus parsed (cpulist.h), when set */
	char *kernel;
	char *ramdisk;			/* NULL: none */
	char *cmdline, *extra, *root;	/* NULL when unset */
	uint8_t on_poweroff, on_reboot, on_crash;	/* KEEL_ACTION_* */
	uint32_t weight, cap;		/* 0: keel's defaults */
	/* disk: checked xl disk specifications (disk_spec.h); vif: checked vif ones (vif_spec.h). */
	unsigned int nr_disks, nr_vifs;
	char **disks, **vifs;
};

/*
 * Reads the configuration file @path, then applies @nr_overrides "KEY=VALUE" strings (xl's
 * command-line overrides, replacing the file's setting). Every problem is printed to @err
 * as "FILE:LINE: ..." (warnings for keys keelctl ignores). Returns 0 or -1.
 */
int config_load(const char *path, char *const *overrides, unsigned int nr_overrides,
		struct domain_config *cfg, FILE *err);

/* The same from text in memory, named @name in messages. */
int config_parse_text(const char *name, const char *text, size_t len, char *const *overrides,
		      unsigned int nr_overrides, struct domain_config *cfg, FILE *err);

void config_free(struct domain_config *cfg);
/* A deep copy (the monitor keeps one to rebuild the domain). */
void config_copy(struct domain_config *dst, const struct domain_config *src);

/*
 * The kernel command line xl would pass: cmdline if set, else "root=ROOT EXTRA" from
 * what is set of root and extra, else "". A new string.
 */
char *config_cmdline(const struct domain_config *cfg);

/* Why @name cannot name a domain ("is a number, ..."), or NULL when it can. */
const char *config_name_problem(const char *name);

/* "destroy", "restart", "preserve". */
const char *action_name(uint8_t action);

/* Writes @cfg back in xl.cfg syntax (create -n). */
void config_print(const struct domain_config *cfg, FILE *out);

#endif
