/* Fuzz harness: the host MADT walk (RSDP -> RSDT/XSDT -> MADT) over hostile firmware memory. */
/*
 * Input: a flags byte, then firmware memory at MEM_BASE with the RSDP at its start. Flag
 * bit 0 makes the harness fix every checksum along the path first, so that the fuzzer
 * reaches the tables behind them.
 */
#include <keel/acpi_tables.h>
#include <asm/madt.h>
#include "fuzz_input.h"

#define MEM_BASE 0xe0000ULL
#define MEM_MAX 0x10000

struct mem {
	u8 *p;
	size_t size;
};

static const void *map_mem(u64 phys, u64 len, void *ctx)
{
	struct mem *m = ctx;

	if (phys < MEM_BASE || len > m->size || phys - MEM_BASE > m->size - len)
		return NULL;
	return m->p + (phys - MEM_BASE);
}

static u8 *at(struct mem *m, u64 phys, u64 len)
{
	return (u8 *)map_mem(phys, len, m);
}

static void seal(u8 *t, u8 *sum_byte, u64 len)
{
	*sum_byte = 0;
	*sum_byte = -acpi_byte_sum(t, len);
}

/* A table header at @phys: make its checksum right if all of it is there. */
static u8 *seal_table(struct mem *m, u64 phys)
{
	struct acpi_header *h = (void *)at(m, phys, sizeof(*h));
	u8 *t;

	if (!h || !(t = at(m, phys, h->length)) || h->length < sizeof(*h))
		return NULL;
	seal(t, &h->checksum, h->length);
	return t;
}

static void fix_checksums(struct mem *m)
{
	struct acpi_rsdp *r = (void *)at(m, MEM_BASE, sizeof(*r));
	bool xsdt;
	u64 root;
	u32 len;
	u8 *t;

	if (!r)
		return;
	seal((u8 *)r, &r->checksum, 20);
	if (r->revision >= 2 && r->length >= sizeof(*r) && at(m, MEM_BASE, r->length))
		seal((u8 *)r, &r->extended_checksum, r->length);
	xsdt = r->revision >= 2 && r->xsdt_address;
	root = xsdt ? r->xsdt_address : r->rsdt_address;
	t = seal_table(m, root);
	if (!t)
		return;
	/* Its length now: sealing a table that overlaps it may change it. */
	len = ((struct acpi_header *)t)->length;
	for (u32 off = sizeof(struct acpi_header), n = 0; off + (xsdt ? 8 : 4) <= len && n < 64;
	     off += xsdt ? 8 : 4, n++) {
		u64 phys = 0;

		memcpy(&phys, t + off, xsdt ? 8 : 4);
		seal_table(m, phys);
	}
	/* A table sealed after the root may overlap it: seal the root last. */
	seal_table(m, root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	u8 flags = fi_u8(&in);
	struct mem m;
	struct madt_cpus cpus;

	m.p = fi_copy(&in, MEM_MAX, &m.size);
	if (flags & 1)
		fix_checksums(&m);
	if (!madt_find_cpus(MEM_BASE, map_mem, &m, &cpus)) {
		if (cpus.nr > MAX_CPUS || (cpus.nr_dropped && cpus.nr != MAX_CPUS))
			__builtin_trap();
		for (unsigned int i = 0; i < cpus.nr; i++)
			for (unsigned int j = 0; j < i; j++)
				if (cpus.apic_ids[i] == cpus.apic_ids[j])
					__builtin_trap();
	}
	free(m.p);
	return 0;
}
