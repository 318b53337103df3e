/* The hypervisor command line and modules: keel.cfg, else LoadOptions. */
#include <keel/errno.h>
#include "loader.h"
#include "cfg.h"

#define CFG_NAME	"keel.cfg"
#define CFG_MAX_SIZE	KiB(64)

static void cfg_report(void *ctx, u32 line, bool fatal, const char *what,
		       const char *detail)
{
	const char *kind = fatal ? "error" : "warning";

	(void)ctx;
	if (line)
		Print(L"keel.efi: " CFG_NAME ":%d: %a: %a%a\n", line, kind,
		      what, detail);
	else
		Print(L"keel.efi: " CFG_NAME ": %a: %a%a\n", kind, what, detail);
}

/* Load name as a module with the given string. */
static EFI_STATUS load_module(struct boot_dir *bd, struct boot_info *bi,
			      const char *name, const char *string)
{
	EFI_STATUS status;
	u64 phys, size;

	status = boot_file_read_pages(bd, name, &phys, &size);
	if (EFI_ERROR(status)) {
		Print(L"keel.efi: cannot read %a: %r\n", name, status);
		return EFI_LOAD_ERROR;
	}
	if (bootinfo_add_module(bi, phys, phys + size, string)) {
		Print(L"keel.efi: too many modules at %a\n", name);
		return EFI_LOAD_ERROR;
	}
	Print(L"keel.efi: module %d: %a, %ld bytes at 0x%lx\n",
	      bi->nr_modules - 1, name, size, phys);
	return EFI_SUCCESS;
}

/* First word of s, the section named on the keel.efi command line. */
static void first_word(const char *s, char *out, u64 size)
{
	u64 n = 0;

	while (s[n] && s[n] != ' ' && n + 1 < size) {
		out[n] = s[n];
		n++;
	}
	out[n] = '\0';
}

static EFI_STATUS use_cfg(struct boot_dir *bd, struct boot_info *bi,
			  const char *text, u64 len, const char *opts)
{
	static struct keel_cfg cfg;
	char section[CFG_NAME_LEN];
	EFI_STATUS status;

	first_word(opts, section, sizeof(section));
	if (cfg_parse(text, len, section, &cfg, cfg_report, NULL))
		return EFI_LOAD_ERROR;
	if (cfg.ramdisk[0] && !cfg.kernel[0]) {
		Print(L"keel.efi: " CFG_NAME ": error: section [%a] has ramdisk= but no kernel=\n",
		      cfg.section);
		return EFI_LOAD_ERROR;
	}
	Print(L"keel.efi: " CFG_NAME ", section [%a]\n", cfg.section);
	strlcpy(bi->cmdline, cfg.options, sizeof(bi->cmdline));

	/* Xen's convention: module 0 is the kernel with its arguments. */
	if (cfg.kernel[0]) {
		status = load_module(bd, bi, cfg.kernel, cfg.kernel_args);
		if (EFI_ERROR(status))
			return status;
	}
	if (cfg.ramdisk[0])
		return load_module(bd, bi, cfg.ramdisk, "");
	return EFI_SUCCESS;
}

EFI_STATUS boot_config(EFI_LOADED_IMAGE *li, struct boot_info *bi)
{
	static char opts[BOOTINFO_CMDLINE_LEN];
	struct boot_dir bd;
	EFI_STATUS status;
	void *text = NULL;
	u64 len = 0;
	int ret;

	ret = loadopt_to_ascii(li->LoadOptions, li->LoadOptionsSize, opts,
			       sizeof(opts));
	if (ret == -E2BIG) {
		Print(L"keel.efi: command line longer than %d bytes\n",
		      (int)sizeof(opts) - 1);
		return EFI_LOAD_ERROR;
	}
	if (ret)
		opts[0] = '\0';	/* binary data from a firmware boot entry */

	status = boot_dir_open(li, &bd);
	if (EFI_ERROR(status)) {
		Print(L"keel.efi: no file system to read " CFG_NAME " from: %r\n",
		      status);
	} else {
		status = boot_file_read_pool(&bd, CFG_NAME, CFG_MAX_SIZE,
					     &text, &len);
		if (EFI_ERROR(status) && status != EFI_NOT_FOUND) {
			Print(L"keel.efi: cannot read %s" CFG_NAME ": %r\n",
			      bd.dir, status);
			boot_dir_close(&bd);
			return EFI_LOAD_ERROR;
		}
	}

	if (!EFI_ERROR(status)) {
		status = use_cfg(&bd, bi, text, len, opts);
		FreePool(text);
	} else {
		Print(L"keel.efi: no " CFG_NAME ", command line from the load options\n");
		strlcpy(bi->cmdline, opts, sizeof(bi->cmdline));
		status = EFI_SUCCESS;
	}
	boot_dir_close(&bd);
	return status;
}
