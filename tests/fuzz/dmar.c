/* Fuzz harness: the DMAR parser (arch/x86/dmar.c) over hostile firmware tables. */
/*
 * Input: a flags byte, a byte that shapes the fake PCI bridges scope paths walk through, then
 * the table itself (exactly those bytes, so ASan sees any over-read). Flag bit 0 makes the
 * header's length the input's, bit 1 the structure the input cuts short end with it, so
 * that the fuzzer reaches what lies behind those lengths.
 */
#include <keel/string.h>
#include <asm/vtd.h>
#include "fuzz_input.h"

#define TABLE_MAX 0x4000

static u8 bridges;

/* A bridge at some (bus, devfn), its secondary bus derived from both. */
int dmar_bridge_bus(u16 segment, u8 bus, u8 devfn)
{
	if (segment || ((bus ^ devfn ^ bridges) & 3))
		return -1;
	return (bus * 7 + devfn + 1) & 0xff;
}

/* The first structure that runs past @len (or is too short) now ends at @len. */
static void fit_last(u8 *t, size_t len)
{
	for (size_t off = 48; off + 4 <= len; ) {
		u16 slen = t[off + 2] | t[off + 3] << 8;

		if (slen < 4 || slen > len - off) {
			slen = len - off > 0xffff ? 0xffff : len - off;
			memcpy(t + off + 2, &slen, 2);
			return;
		}
		off += slen;
	}
}

static void check_scopes(const struct dmar_scope *s, unsigned int n)
{
	if (n > DMAR_MAX_SCOPES)
		__builtin_trap();
	for (unsigned int i = 0; i < n; i++)
		if (s[i].type < DMAR_SCOPE_ENDPOINT || s[i].type > DMAR_SCOPE_HPET)
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	u8 flags = fi_u8(&in);
	static struct dmar_info info;
	size_t len;
	u8 *t;

	bridges = fi_u8(&in);
	t = fi_copy(&in, TABLE_MAX, &len);
	if ((flags & 1) && len >= 8) {
		u32 l = len;

		memcpy(t + 4, &l, 4);
	}
	if (flags & 2)
		fit_last(t, len);
	if (!dmar_parse(t, len, &info)) {
		if (!info.nr_units || info.nr_units > DMAR_MAX_UNITS ||
		    info.nr_rmrrs > DMAR_MAX_RMRRS || info.nr_atsrs > DMAR_MAX_ATSRS ||
		    info.haw < 32 || info.haw > 64)
			__builtin_trap();
		for (unsigned int i = 0; i < info.nr_units; i++) {
			if (!info.units[i].base || (info.units[i].base & 0xfff))
				__builtin_trap();
			check_scopes(info.units[i].scopes, info.units[i].nr_scopes);
		}
		for (unsigned int i = 0; i < info.nr_rmrrs; i++) {
			if (info.rmrrs[i].base > info.rmrrs[i].limit)
				__builtin_trap();
			check_scopes(info.rmrrs[i].scopes, info.rmrrs[i].nr_scopes);
		}
	}
	free(t);
	return 0;
}
