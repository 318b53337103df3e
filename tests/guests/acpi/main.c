/*
 * acpi: the ACPI tables keel gives a PVH guest, read the way Linux reads
 * them: start info's rsdp_paddr leads to an RSDP (revision 2, both
 * checksums), an XSDT, a hardware-reduced FADT whose DSDT holds \_S5 and
 * whose reset and sleep-control registers are in I/O space, and a MADT
 * with one enabled local APIC per vCPU whose ACPI UID is the vCPU id.
 * Then, as the command line says (action=poweroff or action=reboot), it
 * writes SLP_TYP(S5) | SLP_EN to the sleep-control register or the reset
 * value to the reset register, the way Linux powers off or reboots: keel
 * must end the domain with that reason.
 */
#include "guest.h"

#define FADT_HW_REDUCED BIT(20)
#define SLP_EN BIT(5)

static u8 sum(const u8 *p, u32 len)
{
	u8 s = 0;

	while (len--)
		s += *p++;
	return s;
}

static bool contains(const u8 *p, u32 len, const char *what, u32 n)
{
	for (u32 i = 0; i + n <= len; i++)
		if (!memcmp(p + i, what, n))
			return true;
	return false;
}

/* The table at @addr if its signature is @sig and its checksum holds. */
static const u8 *table(u64 addr, const char *sig)
{
	const u8 *t = (const u8 *)addr;
	u32 len;

	if (!CHECK(addr, "no %s table", sig) ||
	    !CHECK(!memcmp(t, sig, 4), "table at %#llx is not %s",
		   (unsigned long long)addr, sig))
		return NULL;
	memcpy(&len, t + 4, 4);
	CHECK(sum(t, len) == 0, "%s checksum", sig);
	return t;
}

static u16 io_register(const u8 *gas, const char *what)
{
	u64 addr;

	memcpy(&addr, gas + 4, 8);
	CHECK(gas[0] == 1 && addr && addr < 0x10000,
	      "%s register not in I/O space (space %u, address %#llx)", what,
	      gas[0], (unsigned long long)addr);
	return addr;
}

int guest_main(const char *cmdline)
{
	const u8 *rsdp = (const u8 *)start_info->rsdp_paddr;
	const u8 *xsdt, *fadt = NULL, *madt = NULL, *dsdt;
	char action[16];
	bool act = cmdline_param(cmdline, "action", action, sizeof(action));
	u64 addr, entries;
	u32 len, flags;

	if (!CHECK(rsdp && !memcmp(rsdp, "RSD PTR ", 8), "no RSDP at %p", rsdp))
		return test_result("acpi");
	CHECK(sum(rsdp, 20) == 0 && sum(rsdp, 36) == 0, "RSDP checksums");
	CHECK(rsdp[15] >= 2, "RSDP revision %u", rsdp[15]);
	memcpy(&addr, rsdp + 24, 8);
	xsdt = table(addr, "XSDT");
	if (!xsdt)
		return test_result("acpi");
	memcpy(&len, xsdt + 4, 4);
	entries = (len - 36) / 8;
	for (u64 i = 0; i < entries; i++) {
		memcpy(&addr, xsdt + 36 + i * 8, 8);
		if (!memcmp((const void *)addr, "FACP", 4))
			fadt = table(addr, "FACP");
		else if (!memcmp((const void *)addr, "APIC", 4))
			madt = table(addr, "APIC");
	}
	if (!CHECK(fadt && madt, "XSDT lacks the FADT or the MADT"))
		return test_result("acpi");
	memcpy(&flags, fadt + 112, 4);
	CHECK(flags & FADT_HW_REDUCED, "FADT flags %#x: not hardware-reduced", flags);
	memcpy(&addr, fadt + 140, 8);
	dsdt = table(addr, "DSDT");
	memcpy(&len, dsdt + 4, 4);
	CHECK(dsdt && contains(dsdt + 36, len - 36, "_S5_", 4), "DSDT has no \\_S5");
	memcpy(&len, madt + 4, 4);
	CHECK(len == 44 + 8, "MADT of %u bytes, want one local APIC", len);
	CHECK(madt[44] == 0 && madt[46] == 0 && madt[47] == 0 && (madt[48] & 1),
	      "MADT entry: type %u uid %u apic %u flags %#x", madt[44],
	      madt[46], madt[47], madt[48]);
	printf("guest: ACPI tables check out (RSDP at %p)\n", rsdp);

	if (test_failures || !act)
		return test_result("acpi");
	printf("guest: ACPI %s\n", action);
	if (!strcmp(action, "poweroff"))
		outb(io_register(fadt + 244, "sleep control"), (5 << 2) | SLP_EN);
	else if (!strcmp(action, "reboot"))
		outb(io_register(fadt + 116, "reset"), fadt[128]);
	CHECK(false, "still running after ACPI %s", action);
	return test_result("acpi");
}
