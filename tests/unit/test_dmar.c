/* Host tests of the DMAR parser (arch/x86/dmar.c): QEMU-like and server-like tables, hostile ones. */
#include <stdlib.h>
#include <string.h>
#include <keel/errno.h>
#include <asm/vtd.h>
#include "host.h"

/* Fake config space: 00:1c.0 is a bridge to bus 3, 03:00.0 one to bus 4. */
int dmar_bridge_bus(u16 segment, u8 bus, u8 devfn)
{
	if (segment == 0 && bus == 0 && devfn == (0x1c << 3))
		return 3;
	if (segment == 0 && bus == 3 && devfn == 0)
		return 4;
	return -1;
}

/* A DMAR under construction. */
struct tb {
	u8 b[4096];
	size_t len;
	size_t open;		/* offset of the structure being built */
	size_t bounds[64];	/* offsets where a structure ends */
	unsigned int nr_bounds;
};

static void put(struct tb *t, const void *p, size_t n)
{
	memcpy(t->b + t->len, p, n);
	t->len += n;
}

static void put8(struct tb *t, u8 v) { put(t, &v, 1); }
static void put16(struct tb *t, u16 v) { put(t, &v, 2); }
static void put64(struct tb *t, u64 v) { put(t, &v, 8); }

static void seal(struct tb *t)
{
	u16 l;
	u32 len = t->len;

	if (t->open) {
		l = t->len - t->open;
		memcpy(t->b + t->open + 2, &l, 2);
		t->bounds[t->nr_bounds++] = t->len;
		t->open = 0;
	}
	memcpy(t->b + 4, &len, 4);
}

static void start(struct tb *t, u8 haw, u8 flags)
{
	memset(t, 0, sizeof(*t));
	put(t, "DMAR", 4);
	t->len = 36;
	put8(t, haw - 1);
	put8(t, flags);
	t->len = 48;
	seal(t);
}

static void structure(struct tb *t, u16 type)
{
	seal(t);
	t->open = t->len;
	put16(t, type);
	put16(t, 0);
}

static void drhd(struct tb *t, u8 flags, u16 seg, u64 base)
{
	structure(t, 0);
	put8(t, flags);
	put8(t, 0);
	put16(t, seg);
	put64(t, base);
}

static void rmrr(struct tb *t, u16 seg, u64 base, u64 limit)
{
	structure(t, 1);
	put16(t, 0);
	put16(t, seg);
	put64(t, base);
	put64(t, limit);
}

/* A scope of @type with @n (device, function) pairs from @bus. */
static void scope(struct tb *t, u8 type, u8 enum_id, u8 bus, int n, const u8 *path)
{
	put8(t, type);
	put8(t, 6 + 2 * n);
	put16(t, 0);
	put8(t, enum_id);
	put8(t, bus);
	put(t, path, 2 * n);
}

static struct dmar_info info;

/* Parse a copy of exactly the table's bytes, so ASan sees any over-read. */
static int parse(const struct tb *t)
{
	u8 *copy = malloc(t->len);
	int rc;

	memcpy(copy, t->b, t->len);
	rc = dmar_parse(copy, t->len, &info);
	free(copy);
	return rc;
}

/* QEMU 7.2 q35 with intel-iommu,intremap=on: one INCLUDE_PCI_ALL unit, the IOAPIC at ff:00.0. */
static void qemu_table(struct tb *t)
{
	start(t, 48, DMAR_FLAG_INTR_REMAP | DMAR_FLAG_X2APIC_OPT_OUT);
	drhd(t, 1, 0, 0xfed90000);
	scope(t, DMAR_SCOPE_IOAPIC, 0, 0xff, 1, (u8[]){ 0, 0 });
	seal(t);
}

/* A two-socket-server-like table: an iGPU unit, a catch-all unit, RMRRs, an ATSR, an RHSA. */
static void server_table(struct tb *t)
{
	start(t, 46, DMAR_FLAG_INTR_REMAP);
	drhd(t, 0, 0, 0xfed90000);
	scope(t, DMAR_SCOPE_ENDPOINT, 0, 0, 1, (u8[]){ 2, 0 });
	scope(t, DMAR_SCOPE_BRIDGE, 0, 0, 1, (u8[]){ 0x1c, 0 });
	scope(t, DMAR_SCOPE_ENDPOINT, 0, 0, 2, (u8[]){ 0x1c, 0, 0, 1 });
	scope(t, DMAR_SCOPE_ENDPOINT, 0, 0, 3, (u8[]){ 0x1c, 0, 0, 0, 5, 2 });
	scope(t, DMAR_SCOPE_ENDPOINT, 0, 0, 2, (u8[]){ 0x1d, 0, 0, 0 }); /* absent */
	drhd(t, 1, 0, 0xfed91000);
	scope(t, DMAR_SCOPE_IOAPIC, 8, 0xf0, 1, (u8[]){ 0x1f, 0 });
	scope(t, DMAR_SCOPE_IOAPIC, 9, 0x80, 1, (u8[]){ 5, 4 });
	scope(t, DMAR_SCOPE_HPET, 0, 0, 1, (u8[]){ 0x1f, 7 });
	scope(t, DMAR_SCOPE_ACPI, 1, 0, 1, (u8[]){ 0x15, 0 }); /* ignored */
	rmrr(t, 0, 0x7a000000, 0x7a01ffff);
	scope(t, DMAR_SCOPE_ENDPOINT, 0, 0, 1, (u8[]){ 0x14, 0 });
	scope(t, DMAR_SCOPE_ENDPOINT, 0, 0, 1, (u8[]){ 0x1a, 0 });
	rmrr(t, 0, 0x7b800000, 0x7fffffff);
	scope(t, DMAR_SCOPE_ENDPOINT, 0, 0, 1, (u8[]){ 2, 0 });
	structure(t, 2);	/* ATSR, all ports */
	put8(t, 1);
	put8(t, 0);
	put16(t, 0);
	structure(t, 3);	/* RHSA */
	put(t, (u8[12]){ 0 }, 12);
	seal(t);
}

static void test_qemu_like(void **state)
{
	struct tb t;

	qemu_table(&t);
	assert_int_equal(parse(&t), 0);
	assert_int_equal(info.haw, 48);
	assert_int_equal(info.flags, 3);
	assert_int_equal(info.nr_units, 1);
	assert_int_equal(info.units[0].base, 0xfed90000);
	assert_true(info.units[0].include_all);
	assert_int_equal(info.units[0].nr_scopes, 1);
	assert_int_equal(info.units[0].scopes[0].type, DMAR_SCOPE_IOAPIC);
	assert_int_equal(info.units[0].scopes[0].enum_id, 0);
	assert_int_equal(info.units[0].scopes[0].sid, 0xff00);
	assert_int_equal(info.nr_rmrrs, 0);
}

static void test_server_like(void **state)
{
	struct tb t;
	const struct dmar_unit *u;

	server_table(&t);
	assert_int_equal(parse(&t), 0);
	assert_int_equal(info.haw, 46);
	assert_int_equal(info.nr_units, 2);
	u = &info.units[0];
	assert_false(u->include_all);
	assert_int_equal(u->nr_scopes, 4);	/* the absent device skipped */
	assert_int_equal(u->scopes[0].sid, 0x0010);
	assert_int_equal(u->scopes[1].type, DMAR_SCOPE_BRIDGE);
	assert_int_equal(u->scopes[1].sid, 0x00e0);
	assert_int_equal(u->scopes[2].sid, 0x0301);	/* through 00:1c.0 */
	assert_int_equal(u->scopes[3].sid, 0x042a);	/* through two bridges */
	u = &info.units[1];
	assert_true(u->include_all);
	assert_int_equal(u->base, 0xfed91000);
	assert_int_equal(u->nr_scopes, 3);
	assert_int_equal(u->scopes[0].sid, 0xf0f8);
	assert_int_equal(u->scopes[0].enum_id, 8);
	assert_int_equal(u->scopes[1].sid, 0x802c);
	assert_int_equal(u->scopes[2].type, DMAR_SCOPE_HPET);
	assert_int_equal(info.nr_rmrrs, 2);
	assert_int_equal(info.rmrrs[0].base, 0x7a000000);
	assert_int_equal(info.rmrrs[0].limit, 0x7a01ffff);
	assert_int_equal(info.rmrrs[0].nr_scopes, 2);
	assert_int_equal(info.rmrrs[0].scopes[1].sid, 0x00d0);
	assert_int_equal(info.rmrrs[1].scopes[0].sid, 0x0010);
	assert_int_equal(info.nr_atsrs, 1);
	assert_true(info.atsrs[0].all_ports);
}

/* Every shorter table (its header saying so): valid only where a structure ends. */
static void test_truncated_everywhere(void **state)
{
	struct tb t, cut;

	server_table(&t);
	for (size_t len = 0; len < t.len; len++) {
		bool boundary = false;
		u32 l = len;

		for (unsigned int i = 0; i < t.nr_bounds; i++)
			boundary |= t.bounds[i] == len;
		cut = t;
		cut.len = len;
		if (len >= 8)
			memcpy(cut.b + 4, &l, 4);
		/* a cut past the first unit's end keeps a valid table */
		assert_int_equal(parse(&cut),
				 boundary && len > 48 ? 0 : -EINVAL);
	}
	/* and a header claiming more than there is */
	qemu_table(&t);
	t.len -= 1;
	assert_int_equal(parse(&t), -EINVAL);
}

/* Lengths that lie: each of these must be refused, never read past. */
static void test_lying_lengths(void **state)
{
	struct tb t;
	static const struct { size_t at; u8 v; } lies[] = {
		{ 48 + 2, 0 },		/* structure length 0 */
		{ 48 + 2, 3 },		/* below its own header */
		{ 48 + 2, 15 },		/* a DRHD shorter than 16 */
		{ 48 + 2, 0xff },	/* past the table */
		{ 48 + 16 + 1, 0 },	/* scope length 0 */
		{ 48 + 16 + 1, 1 },
		{ 48 + 16 + 1, 6 },	/* no path */
		{ 48 + 16 + 1, 9 },	/* odd path */
		{ 48 + 16 + 1, 10 },	/* past its structure */
		{ 48 + 16 + 6, 32 },	/* device 32 */
		{ 48 + 16 + 7, 8 },	/* function 8 */
		{ 36, 255 },		/* HAW 256 */
		{ 36, 10 },		/* HAW 11 */
		{ 48 + 8, 0x10 },	/* base not page aligned */
	};

	for (size_t i = 0; i < ARRAY_SIZE(lies); i++) {
		qemu_table(&t);
		t.b[lies[i].at] = lies[i].v;
		if (parse(&t) != -EINVAL)
			fail_msg("lie %zu accepted", i);
	}
	/* a DRHD of 16 bytes with no scopes is fine */
	start(&t, 39, 0);
	drhd(&t, 1, 0, 0xfed90000);
	seal(&t);
	assert_int_equal(parse(&t), 0);
	assert_int_equal(info.units[0].nr_scopes, 0);
	/* no unit at all */
	start(&t, 39, 0);
	seal(&t);
	assert_int_equal(parse(&t), -EINVAL);
	/* a 2..7-byte scope that ends the table: its bus byte lies beyond */
	for (u8 n = 2; n < 8; n++) {
		start(&t, 39, 0);
		drhd(&t, 1, 0, 0xfed90000);
		put8(&t, DMAR_SCOPE_ENDPOINT);
		put8(&t, n);
		for (u8 i = 2; i < n; i++)
			put8(&t, 0);
		seal(&t);
		assert_int_equal(parse(&t), -EINVAL);
	}
}

static void test_limits(void **state)
{
	struct tb t;

	for (unsigned int n = DMAR_MAX_UNITS; n <= DMAR_MAX_UNITS + 1; n++) {
		start(&t, 39, 0);
		for (unsigned int i = 0; i < n; i++)
			drhd(&t, 0, 0, 0xfed90000 + i * 0x1000);
		seal(&t);
		assert_int_equal(parse(&t), n == DMAR_MAX_UNITS ? 0 : -EINVAL);
	}
	for (unsigned int n = DMAR_MAX_SCOPES; n <= DMAR_MAX_SCOPES + 1; n++) {
		start(&t, 39, 0);
		drhd(&t, 1, 0, 0xfed90000);
		for (unsigned int i = 0; i < n; i++)
			scope(&t, DMAR_SCOPE_ENDPOINT, 0, 0, 1,
			      (u8[]){ i % 32, i / 32 });
		seal(&t);
		assert_int_equal(parse(&t), n == DMAR_MAX_SCOPES ? 0 : -EINVAL);
	}
	assert_int_equal(info.units[0].nr_scopes, DMAR_MAX_SCOPES);
	for (unsigned int n = DMAR_MAX_RMRRS; n <= DMAR_MAX_RMRRS + 1; n++) {
		start(&t, 39, 0);
		drhd(&t, 1, 0, 0xfed90000);
		for (unsigned int i = 0; i < n; i++)
			rmrr(&t, 0, 0x1000 * i, 0x1000 * i + 0xfff);
		seal(&t);
		assert_int_equal(parse(&t), n == DMAR_MAX_RMRRS ? 0 : -EINVAL);
	}
}

/* VT-d 3.x: the DRHD's size field gives the register set's pages (log2). */
static void test_register_size(void **state)
{
	struct tb t;

	start(&t, 48, 0);
	drhd(&t, 1, 0, 0xfed90000);
	t.b[48 + 5] = 0x12;	/* reserved high nibble ignored: 2^2 pages */
	seal(&t);
	assert_int_equal(parse(&t), 0);
	assert_int_equal(info.units[0].size_log2, 2);
}

static void test_inconsistent(void **state)
{
	struct tb t;

	test_log_reset();
	/* INCLUDE_PCI_ALL must be its segment's last unit */
	start(&t, 39, 0);
	drhd(&t, 1, 0, 0xfed90000);
	drhd(&t, 0, 0, 0xfed91000);
	seal(&t);
	assert_int_equal(parse(&t), -EINVAL);
	assert_true(test_log_has("INCLUDE_PCI_ALL"));
	/* ... but another segment's unit may follow */
	start(&t, 39, 0);
	drhd(&t, 1, 0, 0xfed90000);
	drhd(&t, 1, 1, 0xfed91000);
	seal(&t);
	assert_int_equal(parse(&t), 0);
	assert_int_equal(info.units[1].segment, 1);
	/* RMRRs upside down or not page-granular */
	static const u64 bad[][2] = { { 0x2000, 0x1fff }, { 0x1800, 0x1fff },
				      { 0x1000, 0x17ff } };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		start(&t, 39, 0);
		drhd(&t, 1, 0, 0xfed90000);
		rmrr(&t, 0, bad[i][0], bad[i][1]);
		seal(&t);
		assert_int_equal(parse(&t), -EINVAL);
	}
	/* wrong signature */
	qemu_table(&t);
	t.b[0] = 'X';
	assert_int_equal(parse(&t), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_like),
		cmocka_unit_test(test_server_like),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_lying_lengths),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_register_size),
		cmocka_unit_test(test_inconsistent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
