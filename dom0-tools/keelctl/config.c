/* A domain's configuration from an xl.cfg-style file: the keys keelctl knows, checked. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "cfg_parse.h"
#include "cfg_suggest.h"
#include "config.h"
#include "cpulist.h"
#include "disk_spec.h"
#include "vif_spec.h"
#include <public/keel_domctl.h>
#include "util.h"

/* Config files are small; this only stops a wrong path (a disk image) from being slurped. */
#define CONFIG_MAX_FILE (1u << 20)

struct apply {
	const char *file;		/* of the setting being applied */
	unsigned int source;		/* 0: the file, 1: the command line */
	struct diag diag;
	struct domain_config *cfg;
};

static void __printf(3, 4) bad(struct apply *a, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_add(&a->diag, a->source, a->file, line, false, fmt, ap);
	va_end(ap);
}

static void __printf(3, 4) warn(struct apply *a, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_add(&a->diag, a->source, a->file, line, true, fmt, ap);
	va_end(ap);
}

/* ---- value checks ---- */

static const char *string_of(struct apply *a, const struct cfg_setting *s)
{
	if (s->is_list) {
		bad(a, s->line, "%s must be a single value, not a list", s->key);
		return NULL;
	}
	if (s->atoms[0].word) {
		bad(a, s->line, "%s: '%s' must be quoted: \"%s\"", s->key, s->atoms[0].text,
		    s->atoms[0].text);
		return NULL;
	}
	return s->atoms[0].text;
}

static char *nonempty_string(struct apply *a, const struct cfg_setting *s)
{
	const char *v = string_of(a, s);

	if (!v)
		return NULL;
	if (!*v) {
		bad(a, s->line, "%s must not be empty", s->key);
		return NULL;
	}
	return xstrdup(v);
}

/* A number (a bare word or a string is not one: the message says a number is expected). */
static bool number_of(struct apply *a, const struct cfg_setting *s, uint64_t *v)
{
	const char *text;

	if (s->is_list) {
		bad(a, s->line, "%s must be a single value, not a list", s->key);
		return false;
	}
	text = s->atoms[0].text;
	if (!parse_u64(text, v)) {
		bad(a, s->line, "%s: a number is expected, not %s%s%s", s->key,
		    s->atoms[0].quoted ? "\"" : "'", text, s->atoms[0].quoted ? "\"" : "'");
		return false;
	}
	return true;
}

static bool number_in(struct apply *a, const struct cfg_setting *s, uint64_t min, uint64_t max,
		      uint64_t *v)
{
	const char *text;

	if (!number_of(a, s, v))
		return false;
	text = s->atoms[0].text;
	if (*v < min || *v > max) {
		bad(a, s->line, "%s: %s is out of range (%llu-%llu)", s->key, text,
		    (unsigned long long)min, (unsigned long long)max);
		return false;
	}
	return true;
}

/* ---- the keys ---- */

static void set_string(char **field, char *v)
{
	if (v) {
		free(*field);
		*field = v;
	}
}

const char *config_name_problem(const char *v)
{
	static char why[96];
	uint16_t domid;

	if (!*v)
		return "must not be empty";
	if (strlen(v) > CONFIG_MAX_NAME) {
		snprintf(why, sizeof(why), "is longer than %d characters", CONFIG_MAX_NAME);
		return why;
	}
	for (const char *p = v; *p; p++)
		if (!isgraph((unsigned char)*p))
			return "has a space or a control character";
	if (parse_domid(v, &domid))
		return "is a number, which names a domain id";
	if (!strcmp(v, "Domain-0"))
		return "is dom0's name";
	return NULL;
}

static void key_name(struct apply *a, const struct cfg_setting *s)
{
	char *v = nonempty_string(a, s);
	const char *why;

	if (!v)
		return;
	why = config_name_problem(v);
	if (why) {
		bad(a, s->line, "name: '%.*s' %s", CONFIG_MAX_NAME, v, why);
		free(v);
		return;
	}
	set_string(&a->cfg->name, v);
}

static void key_uuid(struct apply *a, const struct cfg_setting *s)
{
	char *v = nonempty_string(a, s);

	if (v && !uuid_valid(v)) {
		bad(a, s->line, "uuid: '%s' is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
		    v);
		free(v);
		return;
	}
	if (v) {
		for (char *p = v; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	set_string(&a->cfg->uuid, v);
}

static void key_type(struct apply *a, const struct cfg_setting *s)
{
	const char *v = string_of(a, s);

	if (v && strcmp(v, "pvh"))
		bad(a, s->line, "type: '%s' is not supported: keel runs PVH guests (type = \"pvh\")",
		    v);
}

/* Values that cannot boot a domain are refused with the reason, before any range. */
static void key_memory(struct apply *a, const struct cfg_setting *s)
{
	uint64_t v;

	if (!number_of(a, s, &v))
		return;
	if (v < CONFIG_MIN_MEMORY_MB)
		bad(a, s->line, "memory: %llu MiB cannot boot a domain: keel needs at least %d MiB",
		    (unsigned long long)v, CONFIG_MIN_MEMORY_MB);
	else if (number_in(a, s, CONFIG_MIN_MEMORY_MB, CONFIG_MAX_MEMORY_MB, &v))
		a->cfg->memory_mb = v;
}

static void key_vcpus(struct apply *a, const struct cfg_setting *s)
{
	uint64_t v;

	if (!number_of(a, s, &v))
		return;
	if (!v)
		bad(a, s->line, "vcpus: 0 cannot boot a domain: it needs at least one vCPU (1-%d)",
		    CONFIG_MAX_VCPUS);
	else if (number_in(a, s, 1, CONFIG_MAX_VCPUS, &v))
		a->cfg->vcpus = (unsigned int)v;
}

static void key_maxvcpus(struct apply *a, const struct cfg_setting *s)
{
	uint64_t v;

	if (number_in(a, s, 1, CONFIG_MAX_VCPUS, &v))
		a->cfg->max_vcpus = (unsigned int)v;
}

/* xl's string form: one CPU list for every vCPU ("0-3,^1", "all"). */
static void key_cpus(struct apply *a, const struct cfg_setting *s)
{
	const char *v = string_of(a, s), *why;
	struct cpuset set;

	if (!v)
		return;
	if (cpulist_parse(v, &set, &why)) {
		bad(a, s->line, "cpus: '%s': %s", v, why);
		return;
	}
	set_string(&a->cfg->cpus, xstrdup(v));
	a->cfg->affinity = set;
}

static void key_weight(struct apply *a, const struct cfg_setting *s)
{
	uint64_t v;

	if (number_in(a, s, 1, 65535, &v))
		a->cfg->weight = (uint32_t)v;
}

static void key_cap(struct apply *a, const struct cfg_setting *s)
{
	uint64_t v;

	if (number_in(a, s, 0, CONFIG_MAX_CAP, &v))
		a->cfg->cap = (uint32_t)v;
}

static void key_kernel(struct apply *a, const struct cfg_setting *s)
{
	set_string(&a->cfg->kernel, nonempty_string(a, s));
}

static void key_ramdisk(struct apply *a, const struct cfg_setting *s)
{
	set_string(&a->cfg->ramdisk, nonempty_string(a, s));
}

/* cmdline, extra, root: any string, empty included. */
static void cmdline_part(struct apply *a, const struct cfg_setting *s, char **field)
{
	const char *v = string_of(a, s);

	if (v)
		set_string(field, xstrdup(v));
}

static void key_cmdline(struct apply *a, const struct cfg_setting *s)
{
	cmdline_part(a, s, &a->cfg->cmdline);
}

static void key_extra(struct apply *a, const struct cfg_setting *s)
{
	cmdline_part(a, s, &a->cfg->extra);
}

static void key_root(struct apply *a, const struct cfg_setting *s)
{
	cmdline_part(a, s, &a->cfg->root);
}

static const char *const action_names[] = {
	[KEEL_ACTION_destroy] = "destroy",
	[KEEL_ACTION_restart] = "restart",
	[KEEL_ACTION_preserve] = "preserve",
};

const char *action_name(uint8_t action)
{
	return action < ARRAY_SIZE(action_names) ? action_names[action] : "?";
}

static void action(struct apply *a, const struct cfg_setting *s, uint8_t *field)
{
	static const char *const xl_only[] = {
		"rename-restart", "coredump-destroy", "coredump-restart", "soft-reset",
	};
	const char *v = string_of(a, s);

	if (!v)
		return;
	for (uint8_t i = 0; i < ARRAY_SIZE(action_names); i++) {
		if (!strcmp(v, action_names[i])) {
			*field = i;
			return;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(xl_only); i++) {
		if (!strcmp(v, xl_only[i])) {
			bad(a, s->line, "%s: '%s' is not supported by keel (destroy, restart, preserve)",
			    s->key, v);
			return;
		}
	}
	bad(a, s->line, "%s: '%s' is not an action (destroy, restart, preserve)", s->key, v);
}

static void key_on_poweroff(struct apply *a, const struct cfg_setting *s)
{
	action(a, s, &a->cfg->on_poweroff);
}

static void key_on_reboot(struct apply *a, const struct cfg_setting *s)
{
	action(a, s, &a->cfg->on_reboot);
}

static void key_on_crash(struct apply *a, const struct cfg_setting *s)
{
	action(a, s, &a->cfg->on_crash);
}

/* A list of strings; an empty one only with @empty_ok (vif = [ '' ]: every default). */
static void string_list(struct apply *a, const struct cfg_setting *s, char ***list,
			unsigned int *nr, bool empty_ok)
{
	char **v;

	if (!s->is_list) {
		bad(a, s->line, "%s must be a list: %s = [ \"...\", ... ]", s->key, s->key);
		return;
	}
	for (unsigned int i = 0; i < s->nr_atoms; i++) {
		if (!s->atoms[i].quoted || (!empty_ok && !s->atoms[i].text[0])) {
			bad(a, s->atoms[i].line, "%s: entry %u must be a %sstring", s->key, i + 1,
			    empty_ok ? "" : "non-empty ");
			return;
		}
	}
	v = xcalloc(s->nr_atoms + 1, sizeof(*v));
	for (unsigned int i = 0; i < s->nr_atoms; i++)
		v[i] = xstrdup(s->atoms[i].text);
	for (unsigned int i = 0; i < *nr; i++)
		free((*list)[i]);
	free(*list);
	*list = v;
	*nr = s->nr_atoms;
}

/* Every entry a disk keel can serve, no two on the same device id. */
static bool disks_valid(struct apply *a, const struct cfg_setting *s)
{
	struct disk_spec *d = xcalloc(s->nr_atoms + 1, sizeof(*d));
	bool ok = true;
	char *why;

	for (unsigned int i = 0; i < s->nr_atoms; i++) {
		if (disk_spec_parse(s->atoms[i].text, &d[i], &why)) {
			bad(a, s->atoms[i].line, "disk: entry %u '%s': %s", i + 1, s->atoms[i].text,
			    why);
			free(why);
			ok = false;
			continue;
		}
		for (unsigned int j = 0; j < i; j++) {
			if (d[j].vdev && d[j].devid == d[i].devid) {
				bad(a, s->atoms[i].line,
				    "disk: entry %u '%s': vdev %s is device %u, as entry %u's %s",
				    i + 1, s->atoms[i].text, d[i].vdev, d[i].devid, j + 1, d[j].vdev);
				ok = false;
				break;
			}
		}
	}
	for (unsigned int i = 0; i < s->nr_atoms; i++)
		disk_spec_free(&d[i]);
	free(d);
	return ok;
}

static void key_disk(struct apply *a, const struct cfg_setting *s)
{
	unsigned int errors = a->diag.errors;

	string_list(a, s, &a->cfg->disks, &a->cfg->nr_disks, false);
	if (a->diag.errors == errors && !disks_valid(a, s)) {
		for (unsigned int i = 0; i < a->cfg->nr_disks; i++)
			free(a->cfg->disks[i]);
		free(a->cfg->disks);
		a->cfg->disks = NULL;
		a->cfg->nr_disks = 0;
	}
}

/* Every entry a vif keel can give, no two with one devid= or mac= (the rest: keelctl picks). */
static bool vifs_valid(struct apply *a, const struct cfg_setting *s)
{
	struct vif_spec *v = xcalloc(s->nr_atoms + 1, sizeof(*v));
	bool ok = true;
	char *why;

	for (unsigned int i = 0; i < s->nr_atoms; i++) {
		if (vif_spec_parse(s->atoms[i].text, &v[i], &why)) {
			bad(a, s->atoms[i].line, "vif: entry %u '%s': %s", i + 1, s->atoms[i].text,
			    why);
			free(why);
			ok = false;
			continue;
		}
		for (unsigned int j = 0; j < i; j++) {
			if (v[j].devid >= 0 && v[j].devid == v[i].devid) {
				bad(a, s->atoms[i].line, "vif: entry %u '%s': devid %d is entry %u's",
				    i + 1, s->atoms[i].text, v[i].devid, j + 1);
				ok = false;
				break;
			}
			if (v[j].mac_given && v[i].mac_given && !memcmp(v[j].mac, v[i].mac, 6)) {
				bad(a, s->atoms[i].line, "vif: entry %u '%s': its MAC is entry %u's",
				    i + 1, s->atoms[i].text, j + 1);
				ok = false;
				break;
			}
		}
	}
	for (unsigned int i = 0; i < s->nr_atoms; i++)
		vif_spec_free(&v[i]);
	free(v);
	return ok;
}

static void key_vif(struct apply *a, const struct cfg_setting *s)
{
	unsigned int errors = a->diag.errors;

	string_list(a, s, &a->cfg->vifs, &a->cfg->nr_vifs, true);
	if (a->diag.errors == errors && !vifs_valid(a, s)) {
		for (unsigned int i = 0; i < a->cfg->nr_vifs; i++)
			free(a->cfg->vifs[i]);
		free(a->cfg->vifs);
		a->cfg->vifs = NULL;
		a->cfg->nr_vifs = 0;
	}
}

static const struct {
	const char *name;
	void (*apply)(struct apply *a, const struct cfg_setting *s);
} keys[] = {
	{ "name", key_name }, { "uuid", key_uuid }, { "type", key_type },
	{ "memory", key_memory }, { "vcpus", key_vcpus },
	{ "maxvcpus", key_maxvcpus }, { "cpus", key_cpus },
	{ "cpu_weight", key_weight }, { "cap", key_cap },
	{ "kernel", key_kernel }, { "ramdisk", key_ramdisk },
	{ "cmdline", key_cmdline }, { "extra", key_extra }, { "root", key_root },
	{ "on_poweroff", key_on_poweroff }, { "on_reboot", key_on_reboot },
	{ "on_crash", key_on_crash },
	{ "disk", key_disk }, { "vif", key_vif },
};

/* xl keys keel has nothing for: named as such rather than as unknown. */
static const char *const xl_unsupported[] = {
	"maxmem", "cpus_soft", "pci", "bootloader", "bootloader_args",
	"builder", "vfb", "vkb", "vnc", "sdl", "serial", "usb", "usbctrl", "usbdev", "channel",
	"p9", "on_watchdog", "on_soft_reset", "acpi", "apic", "pae", "hap", "nestedhvm",
	"viridian", "device_model_version", "boot", "localtime", "rtc_timeoffset", "seclabel",
	"max_grant_frames", "max_maptrack_frames", "tsc_mode", "nomigrate", "driver_domain",
	"vtpm", "vdispl", "vsnd", "dtdev", "irqs", "iomem", "ioports", "videoram",
};

/* An unknown key is a warning, with the known key it is likely a typo of. */
static void unknown_key(struct apply *a, const struct cfg_setting *s)
{
	const char *names[ARRAY_SIZE(keys)], *like;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		names[i] = keys[i].name;
	like = closest_word(s->key, names, ARRAY_SIZE(keys));
	if (like)
		warn(a, s->line, "unknown key '%s' ignored: did you mean '%s'?", s->key, like);
	else
		warn(a, s->line, "unknown key '%s' ignored", s->key);
}

static void apply_setting(struct apply *a, const struct cfg_setting *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (!strcmp(s->key, keys[i].name)) {
			keys[i].apply(a, s);
			return;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(xl_unsupported); i++) {
		if (!strcmp(s->key, xl_unsupported[i])) {
			warn(a, s->line, "'%s' is not supported by keel, ignored", s->key);
			return;
		}
	}
	unknown_key(a, s);
}

static void check_duplicates(struct apply *a, const struct cfg_file *f, unsigned int source)
{
	a->file = f->name;
	a->source = source;
	for (unsigned int i = 1; i < f->nr; i++) {
		for (unsigned int j = 0; j < i; j++) {
			if (!strcmp(f->settings[i].key, f->settings[j].key)) {
				bad(a, f->settings[i].line, "'%s' is set twice (first at line %u)",
				    f->settings[i].key, f->settings[j].line);
				break;
			}
		}
	}
}

static bool overridden(const struct cfg_file *o, const char *key)
{
	for (unsigned int i = 0; i < o->nr; i++)
		if (!strcmp(o->settings[i].key, key))
			return true;
	return false;
}

char *config_cmdline(const struct domain_config *cfg)
{
	if (cfg->cmdline)
		return xstrdup(cfg->cmdline);
	if (cfg->root && cfg->extra)
		return xasprintf("root=%s %s", cfg->root, cfg->extra);
	if (cfg->root)
		return xasprintf("root=%s", cfg->root);
	return xstrdup(cfg->extra ? cfg->extra : "");
}

static bool has_key(const struct cfg_file *f, const struct cfg_file *o, const char *key)
{
	return overridden(f, key) || overridden(o, key);
}

/* What no single line says: required keys (unless a line set them badly), the command line. */
static void check_whole(struct apply *a, const char *name, const struct cfg_file *f,
			const struct cfg_file *o)
{
	struct domain_config *cfg = a->cfg;
	char *cmdline;

	a->file = name;
	a->source = 0;
	if (!cfg->name && !has_key(f, o, "name"))
		bad(a, 0, "no name given (name = \"...\")");
	if (!cfg->kernel && !has_key(f, o, "kernel"))
		bad(a, 0, "no kernel given (kernel = \"/path/to/vmlinuz\")");
	if (cfg->max_vcpus && cfg->vcpus > cfg->max_vcpus)
		bad(a, 0, "vcpus (%u) is more than maxvcpus (%u)", cfg->vcpus, cfg->max_vcpus);
	if (cfg->cmdline && (cfg->root || cfg->extra))
		warn(a, 0, "cmdline is set: root and extra are ignored");
	cmdline = config_cmdline(cfg);
	if (strlen(cmdline) > CONFIG_MAX_CMDLINE)
		bad(a, 0, "the kernel command line is %zu bytes; keel takes at most %d",
		    strlen(cmdline), CONFIG_MAX_CMDLINE);
	free(cmdline);
}

int config_parse_text(const char *name, const char *text, size_t len, char *const *overrides,
		      unsigned int nr_overrides, struct domain_config *cfg, FILE *err)
{
	struct apply a = { .cfg = cfg };
	struct cfg_file f, o;
	char *joined = xstrdup("");
	unsigned int errors;

	memset(cfg, 0, sizeof(*cfg));
	cfg->source = xstrdup(name);
	cfg->memory_mb = CONFIG_DEFAULT_MEMORY_MB;
	cfg->vcpus = 1;
	cfg->on_poweroff = KEEL_ACTION_destroy;
	cfg->on_reboot = KEEL_ACTION_restart;
	cfg->on_crash = KEEL_ACTION_destroy;

	cfg_parse(name, text, len, &f, &a.diag, 0);
	for (unsigned int i = 0; i < nr_overrides; i++) {
		char *next = xasprintf("%s%s\n", joined, overrides[i]);

		free(joined);
		joined = next;
	}
	cfg_parse("command line", joined, strlen(joined), &o, &a.diag, 1);
	free(joined);
	check_duplicates(&a, &f, 0);
	check_duplicates(&a, &o, 1);

	a.file = f.name;
	a.source = 0;
	for (unsigned int i = 0; i < f.nr; i++)
		if (!overridden(&o, f.settings[i].key))
			apply_setting(&a, &f.settings[i]);
	a.file = o.name;
	a.source = 1;
	for (unsigned int i = 0; i < o.nr; i++)
		apply_setting(&a, &o.settings[i]);
	check_whole(&a, name, &f, &o);
	cfg_file_free(&f);
	cfg_file_free(&o);
	errors = a.diag.errors;
	diag_flush(&a.diag, err);
	if (errors) {
		config_free(cfg);
		return -1;
	}
	return 0;
}

int config_load(const char *path, char *const *overrides, unsigned int nr_overrides,
		struct domain_config *cfg, FILE *err)
{
	uint8_t *text;
	size_t len;
	int rc = read_whole_file(path, CONFIG_MAX_FILE, &text, &len);

	if (rc) {
		memset(cfg, 0, sizeof(*cfg));
		fprintf(err, "%s: %s\n", path,
			rc == -EFBIG ? "larger than 1 MiB: not a configuration file" :
			strerror(-rc));
		return -1;
	}
	rc = config_parse_text(path, (const char *)text, len, overrides, nr_overrides, cfg, err);
	free(text);
	return rc;
}

static void free_list(char **list, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++)
		free(list[i]);
	free(list);
}

void config_free(struct domain_config *cfg)
{
	free(cfg->source);
	free(cfg->name);
	free(cfg->uuid);
	free(cfg->kernel);
	free(cfg->ramdisk);
	free(cfg->cmdline);
	free(cfg->extra);
	free(cfg->root);
	free(cfg->cpus);
	free_list(cfg->disks, cfg->nr_disks);
	free_list(cfg->vifs, cfg->nr_vifs);
	memset(cfg, 0, sizeof(*cfg));
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static char **copy_list(char **list, unsigned int nr)
{
	char **v = xcalloc(nr + 1, sizeof(*v));

	for (unsigned int i = 0; i < nr; i++)
		v[i] = xstrdup(list[i]);
	return v;
}

void config_copy(struct domain_config *dst, const struct domain_config *src)
{
	*dst = *src;
	dst->source = dup_or_null(src->source);
	dst->name = dup_or_null(src->name);
	dst->uuid = dup_or_null(src->uuid);
	dst->kernel = dup_or_null(src->kernel);
	dst->ramdisk = dup_or_null(src->ramdisk);
	dst->cmdline = dup_or_null(src->cmdline);
	dst->extra = dup_or_null(src->extra);
	dst->root = dup_or_null(src->root);
	dst->cpus = dup_or_null(src->cpus);
	dst->disks = copy_list(src->disks, src->nr_disks);
	dst->vifs = copy_list(src->vifs, src->nr_vifs);
}

/* A string in double quotes with the escapes the parser reads back. */
static void print_quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", out);
		else if (*s == '\t')
			fputs("\\t", out);
		else if (!isprint((unsigned char)*s))
			fprintf(out, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

static void print_string(FILE *out, const char *key, const char *v)
{
	if (!v)
		return;
	fprintf(out, "%s = ", key);
	print_quoted(out, v);
	fputc('\n', out);
}

static void print_list(FILE *out, const char *key, char **list, unsigned int nr)
{
	if (!nr)
		return;
	fprintf(out, "%s = [", key);
	for (unsigned int i = 0; i < nr; i++) {
		fputs(i ? ", " : " ", out);
		print_quoted(out, list[i]);
	}
	fputs(" ]\n", out);
}

void config_print(const struct domain_config *cfg, FILE *out)
{
	print_string(out, "name", cfg->name);
	print_string(out, "uuid", cfg->uuid);
	fprintf(out, "type = \"pvh\"\nmemory = %llu\nvcpus = %u\n",
		(unsigned long long)cfg->memory_mb, cfg->vcpus);
	if (cfg->max_vcpus)
		fprintf(out, "maxvcpus = %u\n", cfg->max_vcpus);
	print_string(out, "cpus", cfg->cpus);
	if (cfg->weight)
		fprintf(out, "cpu_weight = %u\n", cfg->weight);
	if (cfg->cap)
		fprintf(out, "cap = %u\n", cfg->cap);
	print_string(out, "kernel", cfg->kernel);
	print_string(out, "ramdisk", cfg->ramdisk);
	print_string(out, "cmdline", cfg->cmdline);
	print_string(out, "root", cfg->root);
	print_string(out, "extra", cfg->extra);
	fprintf(out, "on_poweroff = \"%s\"\non_reboot = \"%s\"\non_crash = \"%s\"\n",
		action_name(cfg->on_poweroff), action_name(cfg->on_reboot),
		action_name(cfg->on_crash));
	print_list(out, "disk", cfg->disks, cfg->nr_disks);
	print_list(out, "vif", cfg->vifs, cfg->nr_vifs);
}
