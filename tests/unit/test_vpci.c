/* Host tests of vPCI: CF8/CFC forwarding and MSI/MSI-X shadowing, on a fake configuration space. */
#include <stdlib.h>
#include <string.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/vcpu.h>
#include <asm/hwdom_irq.h>
#include <asm/ioapic.h>
#include <asm/mmio.h>
#include <asm/pci.h>
#include <asm/vlapic.h>
#include <asm/vpci.h>
#include "host.h"

#define NIC 0x0018		/* 00:03.0: MSI at 0x50 (64-bit, MMC 8 vectors), MSI-X at 0x70 */
#define PLAIN 0x0020		/* 00:04.0: no capabilities */
#define BAR0 0xc0000000u
#define TABLE_OFF 0x1000	/* the table at BAR0 + 0x1000, its PBA at + 0x1800 (same page) */
#define KEEL_APIC_ID 3

/* ---- the host: configuration space, device memory, vectors, vLAPICs ---- */
static u8 conf[65536][256];
static u8 devmem[0x4000] __attribute__((aligned(4096)));
static struct { u64 start, end; const struct mmio_ops *ops; void *priv; } claim;
static struct { unsigned int calls; struct vcpu *v; u8 vector; } injected;
static struct { irq_fn fn; void *data; } vectors[256];
static unsigned int next_vector;

u32 pci_conf_read(u16 bdf, u16 reg, unsigned int size)
{
	u32 v = 0;

	assert_true((reg & 3) + size <= 4);
	memcpy(&v, &conf[bdf][reg], size);
	return v;
}

void pci_conf_write(u16 bdf, u16 reg, unsigned int size, u32 val)
{
	assert_true((reg & 3) + size <= 4);
	memcpy(&conf[bdf][reg], &val, size);
}

void *pci_ioremap(u64 phys, u64 len)
{
	assert_true(phys >= BAR0 && phys + len <= BAR0 + sizeof(devmem));
	return devmem + (phys - BAR0);
}

int mmio_register(struct domain *d, u64 start, u64 end, const struct mmio_ops *ops,
		  void *priv)
{
	claim.start = start;
	claim.end = end;
	claim.ops = ops;
	claim.priv = priv;
	return 0;
}

/* dom0's 1:1 device pages: the NIC's BAR only (its RAM, keel's, the LAPIC are not). */
static unsigned int mmio_range_checks;

bool p2m_range_is_mmio(struct domain *d, u64 start, u64 end)
{
	mmio_range_checks++;
	return start >= BAR0 && end <= BAR0 + sizeof(devmem) && start < end;
}

int irq_vector_alloc(irq_fn fn, void *data)
{
	unsigned int v = next_vector++;

	vectors[v].fn = fn;
	vectors[v].data = data;
	return v;
}

u32 irq_dest_apic_id(void)
{
	return KEEL_APIC_ID;
}

/* Interrupt remapping as vtd_ir.c does it when on: a handle per vector, data 0. */
static struct { bool on; u16 sid; u32 addr, data; } ir;

int iommu_ir_msi(u16 sid, u32 *addr, u32 *data)
{
	if (!ir.on)
		return 0;
	ir.sid = sid;
	ir.addr = *addr;
	ir.data = *data;
	*addr = 0xfee00010u | (*data & 0xff) << 5;
	*data = 0;
	return 0;
}

void vlapic_set_irq(struct vcpu *v, u8 vector)
{
	injected.calls++;
	injected.v = v;
	injected.vector = vector;
}

static void fire(u8 host_vector)
{
	assert_non_null(vectors[host_vector].fn);
	vectors[host_vector].fn(host_vector, vectors[host_vector].data);
}

/* ---- dom0 with two vCPUs ---- */
static struct domain dom;
static struct vcpu vcpu[2];
static struct hwdom_irq hw;

static void put(u16 bdf, u16 reg, u32 val, unsigned int size)
{
	memcpy(&conf[bdf][reg], &val, size);
}

static int setup(void **state)
{
	(void)state;
	memset(conf, 0xff, sizeof(conf));
	memset(&claim, 0, sizeof(claim));
	memset(&injected, 0, sizeof(injected));
	memset(vectors, 0, sizeof(vectors));
	memset(devmem, 0, sizeof(devmem));
	next_vector = 0x30;
	memset(conf[NIC], 0, 256);
	put(NIC, 0x00, 0x100e8086, 4);
	put(NIC, 0x06, 0x10, 2);		/* capability list */
	put(NIC, 0x10, BAR0, 4);
	put(NIC, 0x34, 0x50, 1);
	put(NIC, 0x50, 0x7005, 2);		/* MSI, next 0x70 */
	put(NIC, 0x52, 0x0086, 2);		/* 64-bit, MMC 3 (8 vectors) */
	put(NIC, 0x70, 0x0011, 2);		/* MSI-X, last */
	put(NIC, 0x72, 3, 2);			/* 4 entries */
	put(NIC, 0x74, TABLE_OFF, 4);		/* BIR 0 */
	put(NIC, 0x78, TABLE_OFF + 0x800, 4);
	memset(conf[PLAIN], 0, 256);
	put(PLAIN, 0x00, 0x12378086, 4);
	dom.nr_vcpus = 2;
	for (int i = 0; i < 2; i++) {
		vcpu[i].id = i;
		vcpu[i].domain = &dom;
		dom.vcpus[i] = &vcpu[i];
	}
	dom.hardware = true;
	dom.arch.hwirq = &hw;
	hw.vpci = calloc(1, sizeof(*hw.vpci));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < hw.vpci->nr; i++)
		free(hw.vpci->dev[i]);
	free(hw.vpci);
	return 0;
}

/* alloc_page() for vpci.c's device state. */
void *alloc_pages(unsigned int order)
{
	return calloc(1, 4096u << order);
}

static u32 io(u16 port, unsigned int size, bool in, u32 val)
{
	assert_true(vpci_portio(&vcpu[0], port, size, in, &val));
	return val;
}

static u32 cfg_read(u16 bdf, u16 reg, unsigned int size)
{
	io(0xcf8, 4, false, 0x80000000u | bdf << 8 | (reg & 0xfc));
	return io(0xcfc + (reg & 3), size, true, 0);
}

static void cfg_write(u16 bdf, u16 reg, unsigned int size, u32 val)
{
	io(0xcf8, 4, false, 0x80000000u | bdf << 8 | (reg & 0xfc));
	io(0xcfc + (reg & 3), size, false, val);
}

static void test_cf8(void **state)
{
	u32 val = 0;

	(void)state;
	io(0xcf8, 4, false, 0x80000000u);		/* Linux's type-1 probe */
	assert_int_equal(io(0xcf8, 4, true, 0), 0x80000000u);
	io(0xcf8, 4, false, 0xffffffffu);
	assert_int_equal(io(0xcf8, 4, true, 0), 0x80fffffcu);	/* reserved bits stay 0 */
	/* Byte accesses at 0xCF9 (reset control) and friends are not vPCI's. */
	assert_false(vpci_portio(&vcpu[0], 0xcf9, 1, false, &val));
	assert_false(vpci_portio(&vcpu[0], 0xcf8, 2, true, &val));
	assert_false(vpci_portio(&vcpu[0], 0xd00, 4, true, &val));
	/* Disabled CF8: reads float, writes vanish. */
	io(0xcf8, 4, false, PLAIN << 8);
	assert_int_equal(io(0xcfc, 4, true, 0), 0xffffffffu);
	io(0xcfc, 4, false, 0);
	assert_int_equal(pci_conf_read(PLAIN, 0, 4), 0x12378086);
	/* A dword at 0xCFD would cross the register: refused. */
	io(0xcf8, 4, false, 0x80000000u | PLAIN << 8);
	assert_int_equal(io(0xcfd, 4, true, 0), 0xffffffffu);
	/* Forwarded, any width, any byte. */
	assert_int_equal(cfg_read(PLAIN, 0, 4), 0x12378086);
	assert_int_equal(cfg_read(PLAIN, 2, 2), 0x1237);
	assert_int_equal(cfg_read(PLAIN, 3, 1), 0x12);
	cfg_write(PLAIN, 0x3c, 1, 11);
	assert_int_equal(conf[PLAIN][0x3c], 11);
	/* A non-hardware domain never gets here. */
	dom.arch.hwirq = NULL;
	assert_false(vpci_portio(&vcpu[0], 0xcfc, 4, true, &val));
	dom.arch.hwirq = &hw;
}

static void test_msi(void **state)
{
	u8 hv;

	(void)state;
	/* One vector only: MMC reads 0, and MME written stays 0 on the device. */
	assert_int_equal(cfg_read(NIC, 0x52, 2), 0x0080);
	cfg_write(NIC, 0x54, 4, 0xfee01000u);		/* vCPU 1 */
	cfg_write(NIC, 0x58, 4, 0);
	cfg_write(NIC, 0x5c, 2, 0x0045);
	assert_int_equal(pci_conf_read(NIC, 0x54, 4), 0);	/* nothing on the device yet */
	cfg_write(NIC, 0x52, 2, 0x0031);		/* enable, MME 3 */
	hv = pci_conf_read(NIC, 0x5c, 2);
	assert_true(hv >= 0x30);
	assert_int_equal(pci_conf_read(NIC, 0x54, 4), 0xfee00000u | KEEL_APIC_ID << 12);
	assert_int_equal(pci_conf_read(NIC, 0x52, 2) & 0x71, 0x01);
	/* The guest reads back its own message. */
	assert_int_equal(cfg_read(NIC, 0x54, 4), 0xfee01000u);
	assert_int_equal(cfg_read(NIC, 0x5c, 2), 0x45);
	assert_int_equal(cfg_read(NIC, 0x52, 2), 0x0081);
	/* Cap id/next pass through a dword read spanning the control word. */
	assert_int_equal(cfg_read(NIC, 0x50, 4), 0x00817005);
	fire(hv);
	assert_int_equal(injected.calls, 1);
	assert_ptr_equal(injected.v, &vcpu[1]);
	assert_int_equal(injected.vector, 0x45);
	/* A new guest vector changes only where keel delivers. */
	cfg_write(NIC, 0x5c, 2, 0x0046);
	assert_int_equal(pci_conf_read(NIC, 0x5c, 2), hv);
	fire(hv);
	assert_int_equal(injected.vector, 0x46);
	/* Not an interrupt address, or a vCPU it lacks: nothing delivered. */
	cfg_write(NIC, 0x54, 4, 0x12345000u);
	fire(hv);
	cfg_write(NIC, 0x54, 4, 0xfee07000u);
	fire(hv);
	assert_int_equal(injected.calls, 2);
	/* Disable: off on the device too. */
	cfg_write(NIC, 0x52, 2, 0);
	assert_int_equal(pci_conf_read(NIC, 0x52, 2) & 1, 0);
}

/* With interrupt remapping on, the device gets the remappable message for keel's own. */
static void test_msi_remapped(void **state)
{
	u8 hv;

	(void)state;
	ir.on = true;
	cfg_write(NIC, 0x54, 4, 0xfee01000u);
	cfg_write(NIC, 0x5c, 2, 0x0045);
	cfg_write(NIC, 0x52, 2, 0x0001);
	hv = ir.data;
	assert_true(hv >= 0x30);
	assert_int_equal(ir.sid, NIC);
	assert_int_equal(ir.addr, 0xfee00000u | KEEL_APIC_ID << 12);
	assert_int_equal(pci_conf_read(NIC, 0x54, 4), 0xfee00010u | hv << 5);
	assert_int_equal(pci_conf_read(NIC, 0x5c, 2), 0);
	assert_int_equal(cfg_read(NIC, 0x54, 4), 0xfee01000u);	/* the guest's own */
	fire(hv);
	assert_int_equal(injected.vector, 0x45);
	cfg_write(NIC, 0x52, 2, 0);

	/* MSI-X: the hardware entry gets it too. */
	cfg_read(NIC, 0, 4);
	cfg_write(NIC, 0x72, 2, 0x8000);
	claim.ops->write(&vcpu[0], BAR0 + TABLE_OFF + 8, 4, 0x51, claim.priv);
	claim.ops->write(&vcpu[0], BAR0 + TABLE_OFF + 12, 4, 0, claim.priv);
	hv = ir.data;
	assert_int_not_equal(hv, 0);
	assert_int_equal(((u32 *)(devmem + TABLE_OFF))[0], 0xfee00010u | hv << 5);
	assert_int_equal(((u32 *)(devmem + TABLE_OFF))[2], 0);
	assert_int_equal(((u32 *)(devmem + TABLE_OFF))[3], 0);
	ir.on = false;
}

static u32 *hw_entry(unsigned int i)
{
	return (u32 *)(devmem + TABLE_OFF + 16 * i);
}

static void table_write(unsigned int i, unsigned int word, u32 val)
{
	claim.ops->write(&vcpu[0], BAR0 + TABLE_OFF + 16 * i + 4 * word, 4, val, claim.priv);
}

static u64 table_read(u64 off, unsigned int size)
{
	u64 val;

	claim.ops->read(&vcpu[0], BAR0 + off, size, &val, claim.priv);
	return val;
}

static void test_msix(void **state)
{
	u8 hv;

	(void)state;
	for (int i = 0; i < 4; i++)
		hw_entry(i)[3] = 0;			/* as a reset device might leave them */
	cfg_read(NIC, 0, 4);				/* first access: the table is claimed */
	assert_int_equal(claim.start, BAR0 + TABLE_OFF);
	assert_int_equal(claim.end, BAR0 + TABLE_OFF + 0x1000);
	for (int i = 0; i < 4; i++)
		assert_int_equal(hw_entry(i)[3], 1);	/* masked until keel opens them */
	/* Linux: enable with all masked, write the entries, unmask all. */
	cfg_write(NIC, 0x72, 2, 0xc000);
	table_write(0, 0, 0xfee00000u);
	table_write(0, 1, 0);
	table_write(0, 2, 0x51);
	table_write(0, 3, 0);
	assert_int_equal(hw_entry(0)[3], 1);		/* function mask */
	assert_int_equal(table_read(TABLE_OFF + 8, 4), 0x51);
	assert_int_equal(table_read(TABLE_OFF + 0, 8), 0xfee00000u);
	cfg_write(NIC, 0x72, 2, 0x8000);
	assert_int_equal(pci_conf_read(NIC, 0x72, 2) & 0xc000, 0x8000);
	assert_int_equal(hw_entry(0)[0], 0xfee00000u | KEEL_APIC_ID << 12);
	assert_int_equal(hw_entry(0)[3], 0);
	assert_int_equal(hw_entry(1)[3], 1);		/* the guest's entry 1 is masked */
	hv = hw_entry(0)[2];
	fire(hv);
	assert_int_equal(injected.vector, 0x51);
	assert_ptr_equal(injected.v, &vcpu[0]);
	/* Guest masks entry 0: so does the device. */
	table_write(0, 3, 1);
	assert_int_equal(hw_entry(0)[3], 1);
	/* The PBA shares the page: read through. */
	devmem[TABLE_OFF + 0x800] = 0x5a;
	assert_int_equal(table_read(TABLE_OFF + 0x800, 8) & 0xff, 0x5a);
	/* Misaligned or odd-sized entry accesses: all ones, nothing changed. */
	assert_int_equal(table_read(TABLE_OFF + 2, 4), ~0ULL);
	claim.ops->write(&vcpu[0], BAR0 + TABLE_OFF + 12, 2, 0, claim.priv);
	assert_int_equal(hw_entry(0)[3], 1);
	/* Disable: every hardware entry masked. */
	table_write(1, 3, 0);
	cfg_write(NIC, 0x72, 2, 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(hw_entry(i)[3], 1);
}

/*
 * dom0 writes its NIC's BAR 0 so that the MSI-X table "is" at keel's own
 * RAM, then at the LAPIC page: keel must neither map that for itself
 * (pci_ioremap() asserts the NIC's BAR) nor claim it for dom0, whose
 * accesses to a claim outside the shadowed entries reach the page raw.
 */
static void test_msix_bar_outside_device_ranges(void **state)
{
	static const u32 bars[] = { 0x00200000u, 0xfee00000u - TABLE_OFF, 0xfec00000u };

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(bars); i++) {
		memset(&claim, 0, sizeof(claim));
		put(NIC, 0x10, bars[i], 4);
		mmio_range_checks = 0;
		if (i == 0)
			cfg_read(NIC, 0, 4);		/* first access: a claim is tried */
		cfg_write(NIC, 0x72, 2, 0x8000);	/* MSI-X enable: tried again */
		assert_true(mmio_range_checks > 0);
		assert_null(claim.ops);
		/* Not claimed: MSI-X stays off at the device. */
		assert_int_equal(pci_conf_read(NIC, 0x72, 2) & 0x8000, 0);
	}
	/* The BAR back in a device range: claimed on the next enable. */
	put(NIC, 0x10, BAR0, 4);
	cfg_write(NIC, 0x72, 2, 0x8000);
	assert_int_equal(claim.start, BAR0 + TABLE_OFF);
}

/*
 * Once the table is claimed, dom0 may not move it from under the shadow:
 * BAR writes are dropped while memory decoding is on, and decoding is
 * not turned on while the BAR names another place. Linux's BAR sizing
 * (decoding off, all-ones, read, restore, decoding on) still works.
 */
static void test_msix_bar_stays_put(void **state)
{
	(void)state;
	cfg_read(NIC, 0, 4);				/* the table is claimed */
	assert_int_equal(claim.start, BAR0 + TABLE_OFF);
	cfg_write(NIC, 0x04, 2, 0x0006);		/* memory decoding, bus master */
	cfg_write(NIC, 0x10, 4, 0x00200000u);		/* move it to keel's RAM */
	assert_int_equal(pci_conf_read(NIC, 0x10, 4), BAR0);
	cfg_write(NIC, 0x12, 2, 0x0020);		/* or half of it */
	assert_int_equal(pci_conf_read(NIC, 0x10, 4), BAR0);
	cfg_write(NIC, 0x14, 4, 0x1234);		/* another BAR: not guarded */
	assert_int_equal(pci_conf_read(NIC, 0x14, 4), 0x1234);
	/* Sizing: decoding off, all-ones, restore, decoding back on. */
	cfg_write(NIC, 0x04, 2, 0x0004);
	cfg_write(NIC, 0x10, 4, 0xffffffffu);
	assert_int_equal(pci_conf_read(NIC, 0x10, 4), 0xffffffffu);
	cfg_write(NIC, 0x10, 4, BAR0);
	cfg_write(NIC, 0x04, 2, 0x0006);
	assert_int_equal(pci_conf_read(NIC, 0x04, 2), 0x0006);
	/* Moved with decoding off: decoding stays off, bus mastering goes on. */
	cfg_write(NIC, 0x04, 2, 0x0004);
	cfg_write(NIC, 0x10, 4, 0x00200000u);
	cfg_write(NIC, 0x04, 2, 0x0006);
	assert_int_equal(pci_conf_read(NIC, 0x04, 2), 0x0004);
	cfg_write(NIC, 0x04, 1, 0x06);			/* a byte write the same */
	assert_int_equal(pci_conf_read(NIC, 0x04, 2), 0x0004);
	cfg_write(NIC, 0x10, 4, BAR0);
	cfg_write(NIC, 0x04, 4, 0x00100006u);		/* a dword write with status */
	assert_int_equal(pci_conf_read(NIC, 0x04, 2), 0x0006);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msi_remapped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msix_bar_stays_put, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msix_bar_outside_device_ranges,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
