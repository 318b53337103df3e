/* A domain's configuration as JSON, the shape of xl list -l's (libxl_domain_config). */
#include <stdlib.h>
#include "cfg_json.h"
#include "disk_spec.h"
#include "vif_spec.h"

/* The length of the well-formed UTF-8 sequence at @s (RFC 3629: no overlongs, surrogates or
 * code points past U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	unsigned int cp = s[0] & (0x3f >> (n - 1));

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

void json_string(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', out);
	while (*s) {
		size_t n;

		if (*s == '"' || *s == '\\') {
			fprintf(out, "\\%c", *s++);
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(out, "\\u%04x", *s++);
		} else if (*s < 0x80) {
			fputc(*s++, out);
		} else if ((n = utf8_len(s))) {
			fwrite(s, 1, n, out);
			s += n;
		} else {
			/* Not UTF-8 (names and paths are bytes): U+FFFD keeps the JSON valid. */
			fputs("\\ufffd", out);
			s++;
		}
	}
	fputc('"', out);
}

/* ,\n and the indentation of a member at @depth; @first: no comma. */
static void member(FILE *out, int depth, bool *first, const char *key)
{
	fprintf(out, "%s\n%*s", *first ? "" : ",", depth * 4, "");
	*first = false;
	json_string(out, key);
	fputs(": ", out);
}

static void string_member(FILE *out, int depth, bool *first, const char *key, const char *v)
{
	if (!v)
		return;
	member(out, depth, first, key);
	json_string(out, v);
}

static void number_member(FILE *out, int depth, bool *first, const char *key,
			  unsigned long long v)
{
	member(out, depth, first, key);
	fprintf(out, "%llu", v);
}

static void close_object(FILE *out, int depth)
{
	fprintf(out, "\n%*s}", depth * 4, "");
}

static void disks(FILE *out, const struct domain_config *cfg)
{
	for (unsigned int i = 0; i < cfg->nr_disks; i++) {
		struct disk_spec d;
		bool first = true;
		char *why;

		fprintf(out, "%s\n%*s{", i ? "," : "", 16, "");
		if (disk_spec_parse(cfg->disks[i], &d, &why)) {
			free(why);
			string_member(out, 5, &first, "spec", cfg->disks[i]);
		} else {
			string_member(out, 5, &first, "pdev_path", d.target);
			string_member(out, 5, &first, "vdev", d.vdev);
			string_member(out, 5, &first, "backend", disk_backend_name(d.backend));
			number_member(out, 5, &first, "readwrite", !d.readonly);
			number_member(out, 5, &first, "is_cdrom", d.cdrom);
			disk_spec_free(&d);
		}
		close_object(out, 4);
	}
}

static void nics(FILE *out, const struct domain_config *cfg)
{
	for (unsigned int i = 0; i < cfg->nr_vifs; i++) {
		struct vif_spec v;
		bool first = true;
		char mac[18], *why;

		fprintf(out, "%s\n%*s{", i ? "," : "", 16, "");
		if (vif_spec_parse(cfg->vifs[i], &v, &why)) {
			free(why);
			string_member(out, 5, &first, "spec", cfg->vifs[i]);
		} else {
			if (v.devid >= 0)
				number_member(out, 5, &first, "devid", (unsigned int)v.devid);
			if (v.mac_given) {
				mac_format(v.mac, mac);
				string_member(out, 5, &first, "mac", mac);
			}
			string_member(out, 5, &first, "bridge", v.bridge ? v.bridge : "xenbr0");
			string_member(out, 5, &first, "ip", v.ip);
			string_member(out, 5, &first, "ifname", v.vifname);
			string_member(out, 5, &first, "backend", vif_backend_name(v.backend));
			if (v.mtu)
				number_member(out, 5, &first, "mtu", v.mtu);
			vif_spec_free(&v);
		}
		close_object(out, 4);
	}
}

void cfg_json_domain(FILE *out, const struct keel_domctl_info *info,
		     const struct domain_config *cfg, const char *name, const char *uuid)
{
	bool first = true, c = true, b = true, s = true;

	fprintf(out, "    {");
	number_member(out, 2, &first, "domid", info->domid);
	member(out, 2, &first, "config");
	fputc('{', out);
	member(out, 3, &c, "c_info");
	fputc('{', out);
	c = true;
	string_member(out, 4, &c, "type", "pvh");
	string_member(out, 4, &c, "name", cfg ? cfg->name : name);
	string_member(out, 4, &c, "uuid", cfg ? cfg->uuid : uuid);
	close_object(out, 3);
	c = false;
	member(out, 3, &c, "b_info");
	fputc('{', out);
	number_member(out, 4, &b, "max_vcpus", cfg ? cfg->vcpus : info->nr_vcpus);
	number_member(out, 4, &b, "max_memkb", info->mem_kb);
	number_member(out, 4, &b, "target_memkb", info->mem_kb);
	member(out, 4, &b, "sched_params");
	fputc('{', out);
	number_member(out, 5, &s, "weight", info->weight);
	number_member(out, 5, &s, "cap", info->cap);
	close_object(out, 4);
	if (cfg) {
		char *cmdline = config_cmdline(cfg);

		string_member(out, 4, &b, "kernel", cfg->kernel);
		string_member(out, 4, &b, "ramdisk", cfg->ramdisk);
		string_member(out, 4, &b, "cmdline", cmdline);
		free(cmdline);
	}
	close_object(out, 3);
	if (cfg) {
		member(out, 3, &c, "disks");
		fputc('[', out);
		disks(out, cfg);
		fprintf(out, "%s]", cfg->nr_disks ? "\n            " : "");
		member(out, 3, &c, "nics");
		fputc('[', out);
		nics(out, cfg);
		fprintf(out, "%s]", cfg->nr_vifs ? "\n            " : "");
		string_member(out, 3, &c, "on_poweroff", action_name(cfg->on_poweroff));
		string_member(out, 3, &c, "on_reboot", action_name(cfg->on_reboot));
		string_member(out, 3, &c, "on_crash", action_name(cfg->on_crash));
	}
	close_object(out, 2);
	close_object(out, 1);
}
