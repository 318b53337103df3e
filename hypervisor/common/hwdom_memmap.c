/* The hardware dom0's memory map from the host's map, its RAM and keel's stolen pages. */
#include <keel/errno.h>
#include <keel/hwdom_memmap.h>

struct memmap_in {
	const struct memmap_entry *host;
	unsigned int nr_host;
	const struct boot_range *ram;
	unsigned int nr_ram;
	const struct hwdom_steal *steal;
	unsigned int nr_steal;
};

static bool inside(u64 a, u64 start, u64 end)
{
	return start <= a && a < end;
}

/* The type of the address @a (the map is constant up to the next boundary); 0: a hole. */
static u32 type_at(const struct memmap_in *in, u64 a)
{
	u32 t = 0;

	for (unsigned int i = 0; i < in->nr_steal; i++)
		if (inside(a, in->steal[i].start, in->steal[i].end))
			return in->steal[i].type;
	for (unsigned int i = 0; i < in->nr_ram; i++)
		if (inside(a, in->ram[i].start, in->ram[i].end))
			return XEN_HVM_MEMMAP_TYPE_RAM;
	for (unsigned int i = 0; i < in->nr_host; i++) {
		const struct memmap_entry *e = &in->host[i];

		if (e->size && inside(a, e->addr, e->addr + e->size))
			t = MAX(t, e->type);
	}
	/* Host RAM that is not dom0's: no BARs may go there either (Xen). */
	return t == MEM_USABLE ? XEN_HVM_MEMMAP_TYPE_UNUSABLE : t;
}

static void bound(u64 x, u64 cur, u64 *next)
{
	if (x > cur && x < *next)
		*next = x;
}

/* The smallest range boundary above @cur, or 0 when there is none. */
static u64 next_boundary(const struct memmap_in *in, u64 cur)
{
	u64 next = ~0ULL;

	for (unsigned int i = 0; i < in->nr_host; i++) {
		bound(in->host[i].addr, cur, &next);
		bound(in->host[i].addr + in->host[i].size, cur, &next);
	}
	for (unsigned int i = 0; i < in->nr_ram; i++) {
		bound(in->ram[i].start, cur, &next);
		bound(in->ram[i].end, cur, &next);
	}
	for (unsigned int i = 0; i < in->nr_steal; i++) {
		bound(in->steal[i].start, cur, &next);
		bound(in->steal[i].end, cur, &next);
	}
	return next == ~0ULL ? 0 : next;
}

int hwdom_memmap(const struct memmap_entry *host, unsigned int nr_host,
		 const struct boot_range *ram, unsigned int nr_ram,
		 const struct hwdom_steal *steal, unsigned int nr_steal,
		 struct hvm_memmap_table_entry *map, unsigned int max)
{
	const struct memmap_in in = { host, nr_host, ram, nr_ram, steal,
				      nr_steal };
	unsigned int n = 0;
	u64 cur = 0, next;

	/* Every piece between two boundaries has one type: walk them in order. */
	for (; (next = next_boundary(&in, cur)); cur = next) {
		u32 t = type_at(&in, cur);
		struct hvm_memmap_table_entry *last = n ? &map[n - 1] : NULL;

		if (!t)
			continue;
		if (last && last->type == t && last->addr + last->size == cur) {
			last->size += next - cur;
			continue;
		}
		if (n == max)
			return -E2BIG;
		map[n++] = (struct hvm_memmap_table_entry){
			.addr = cur, .size = next - cur, .type = t,
		};
	}
	return n;
}
