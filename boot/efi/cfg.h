/* Parser for keel.cfg, the xen.cfg-style boot configuration (pure C). */
#ifndef KEEL_EFI_CFG_H
#define KEEL_EFI_CFG_H

#include <keel/types.h>
#include <keel/bootinfo.h>

#define CFG_NAME_LEN	64
#define CFG_PATH_LEN	256

/* What keel.efi takes from the selected section. */
struct keel_cfg {
	char section[CFG_NAME_LEN];
	char options[BOOTINFO_CMDLINE_LEN];
	char kernel[CFG_PATH_LEN];		/* "" when there is no kernel= */
	char kernel_args[BOOTINFO_MODSTR_LEN];
	char ramdisk[CFG_PATH_LEN];		/* "" when there is no ramdisk= */
};

/*
 * Called for each problem; line is 1-based (0: not tied to a line), what
 * is a static message and detail a NUL-terminated string (maybe "").
 * fatal is false for lines that are only ignored.
 */
typedef void (*cfg_report_fn)(void *ctx, u32 line, bool fatal,
			      const char *what, const char *detail);

/*
 * Parse len bytes of text and fill cfg from the section named section, or
 * from [global]'s default= when section is NULL or "". Returns 0, or
 * -EINVAL after reporting the first fatal problem.
 */
int cfg_parse(const char *text, u64 len, const char *section,
	      struct keel_cfg *cfg, cfg_report_fn report, void *ctx);

/*
 * Convert the UCS-2 LoadOptions of the image to an ASCII command line,
 * dropping a leading program name (a first word ending in ".efi").
 * Returns 0, -EINVAL if the options are not printable text (firmware boot
 * entries often pass binary data) or -E2BIG if they do not fit in out.
 */
int loadopt_to_ascii(const u16 *opts, u64 bytes, char *out, u64 outlen);

#endif
