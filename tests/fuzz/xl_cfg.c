/* Fuzz harness: keelctl's xl.cfg parser and checks, and the round trip through config_print. */
/*
 * dom0 reads configuration files and "KEY=VALUE" overrides. Input: the file's text, then
 * optionally a line "--" and one override per line. A configuration it accepts must print
 * (create -n) as one that parses back to the same. Its disk and vif entries, and the input's
 * first line on its own, go through the disk and vif specification parsers (disk_spec.c,
 * vif_spec.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "disk_spec.h"
#include "fuzz_input.h"
#include "vif_spec.h"

#define MAX_OVERRIDES 4

static FILE *devnull;

static char *print_config(const struct domain_config *cfg, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	config_print(cfg, f);
	fclose(f);
	return text;
}

static void round_trip(const struct domain_config *cfg)
{
	struct domain_config again, copy;
	size_t len, len2;
	char *text = print_config(cfg, &len), *text2, *cmdline;

	if (config_parse_text("printed", text, len, NULL, 0, &again, devnull))
		__builtin_trap();
	text2 = print_config(&again, &len2);
	if (len != len2 || memcmp(text, text2, len))
		__builtin_trap();
	config_copy(&copy, &again);
	cmdline = config_cmdline(&copy);
	if (strlen(cmdline) > CONFIG_MAX_CMDLINE)
		__builtin_trap();
	free(cmdline);
	config_free(&copy);
	config_free(&again);
	free(text);
	free(text2);
}

/*
 * A disk specification that parses is whole: an absolute target, a vdev whose id is the one
 * vdev_devid() gives, a CD-ROM read-only; its copy is equal.
 */
static void check_disk(const char *text)
{
	struct disk_spec d, c;
	uint32_t devid;
	char *err;

	if (disk_spec_parse(text, &d, &err)) {
		if (!err || d.target || d.vdev)
			__builtin_trap();
		free(err);
		return;
	}
	if (err || !d.target || d.target[0] != '/' || !d.vdev || vdev_devid(d.vdev, &devid) ||
	    devid != d.devid || (d.cdrom && !d.readonly) || strlen(text) > DISK_SPEC_MAX)
		__builtin_trap();
	disk_spec_copy(&c, &d);
	if (strcmp(c.target, d.target) || strcmp(c.vdev, d.vdev))
		__builtin_trap();
	disk_spec_free(&c);
	disk_spec_free(&d);
}

/*
 * A vif specification that parses is in range, and its canonical form (what a reboot reuses)
 * parses to the same vif and prints the same again.
 */
static void check_vif(const char *text)
{
	struct vif_spec v, w;
	char *err, *f, *g;

	if (vif_spec_parse(text, &v, &err)) {
		if (!err || v.text || v.bridge)
			__builtin_trap();
		free(err);
		return;
	}
	if (err || !v.bridge || !ifname_valid(v.bridge) || v.devid > VIF_MAX_DEVID ||
	    (v.mtu && (v.mtu < VIF_MIN_MTU || v.mtu > VIF_MAX_MTU)) ||
	    (v.mac_given && (v.mac[0] & 1)) || strlen(text) > VIF_SPEC_MAX)
		__builtin_trap();
	f = vif_spec_format(&v);
	if (vif_spec_parse(f, &w, &err))
		__builtin_trap();
	g = vif_spec_format(&w);
	if (strcmp(f, g) || w.devid != v.devid || w.mtu != v.mtu || w.backend != v.backend ||
	    w.trusted != v.trusted || w.mac_given != v.mac_given || memcmp(w.mac, v.mac, 6))
		__builtin_trap();
	free(f);
	free(g);
	vif_spec_free(&w);
	vif_spec_free(&v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *overrides[MAX_OVERRIDES], *text = fuzz_dup(data, size), *marker, *p;
	size_t text_len = size;
	unsigned int nr = 0;
	struct domain_config cfg;

	if (!devnull)
		devnull = getenv("FUZZ_VERBOSE") ? stderr : fopen("/dev/null", "w");
	marker = memmem(text, size, "\n--\n", 4);
	if (marker) {
		/* Overrides are C strings: up to the next newline or NUL. */
		text_len = marker + 1 - text;
		for (p = marker + 4; p < text + size && nr < MAX_OVERRIDES;) {
			size_t n = strnlen(p, text + size - p);
			char *nl = memchr(p, '\n', n);

			if (nl)
				n = nl - p;
			overrides[nr++] = strndup(p, n);
			p += n + 1;
		}
	}
	if (!config_parse_text("fuzz.cfg", text, text_len, overrides, nr, &cfg, devnull)) {
		if (!cfg.name || !cfg.kernel || !cfg.vcpus || cfg.vcpus > CONFIG_MAX_VCPUS ||
		    cfg.memory_mb < CONFIG_MIN_MEMORY_MB || cfg.memory_mb > CONFIG_MAX_MEMORY_MB)
			__builtin_trap();
		round_trip(&cfg);
		for (unsigned int i = 0; i < cfg.nr_disks; i++)
			check_disk(cfg.disks[i]);
		for (unsigned int i = 0; i < cfg.nr_vifs; i++)
			check_vif(cfg.vifs[i]);
		config_free(&cfg);
	}
	/* The text up to its first NUL or newline as one disk and one vif specification too. */
	p = strndup(text, size);
	p[strcspn(p, "\n")] = '\0';
	check_disk(p);
	check_vif(p);
	free(p);
	for (unsigned int i = 0; i < nr; i++)
		free(overrides[i]);
	free(text);
	return 0;
}
