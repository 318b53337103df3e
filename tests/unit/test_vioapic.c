/* Host tests of the vIOAPIC state machine: registers, binding, level and edge delivery, EOI. */
#include <stdlib.h>
#include <string.h>
#include <keel/domain.h>
#include <keel/vcpu.h>
#include <asm/ioapic.h>
#include <asm/vioapic.h>
#include <asm/vlapic.h>
#include "host.h"

#define PHYS 0xfec00000u
#define HOST_VECTOR 0x40

/* ---- the host side, recorded ---- */
static struct { int calls; u32 gsi; u8 vector; bool level, low; } routed;
static bool host_masked[24];
static int masks;
static struct { int calls; struct vcpu *v; u8 vector; bool level; } injected;
static irq_fn bound_fn;
static void *bound_data;

int ioapic_route(u32 gsi, u8 vector, bool level, bool active_low)
{
	routed.calls++;
	routed.gsi = gsi;
	routed.vector = vector;
	routed.level = level;
	routed.low = active_low;
	return 0;
}

void ioapic_mask(u32 gsi, bool masked)
{
	masks++;
	host_masked[gsi] = masked;
}

bool ioapic_gsi_reserved(u32 gsi)
{
	return gsi == 0 || gsi == 2;
}

int irq_vector_alloc(irq_fn fn, void *data)
{
	bound_fn = fn;
	bound_data = data;
	return HOST_VECTOR;
}

void irq_vector_free(unsigned int vector) { }

void vlapic_set_irq_level(struct vcpu *v, u8 vector, bool level)
{
	injected.calls++;
	injected.v = v;
	injected.vector = vector;
	injected.level = level;
}

/* ---- a domain with two vCPUs and one vIOAPIC of 24 pins ---- */
static struct domain dom;
static struct vcpu vcpu[2];
static struct vioapic *vio;

static int setup(void **state)
{
	const struct ioapic_info host = { 1, PHYS, 0, 24 };

	(void)state;
	memset(&routed, 0, sizeof(routed));
	memset(&injected, 0, sizeof(injected));
	memset(host_masked, 1, sizeof(host_masked));
	masks = 0;
	bound_fn = NULL;
	dom.nr_vcpus = 2;
	for (int i = 0; i < 2; i++) {
		vcpu[i].id = i;
		vcpu[i].domain = &dom;
		dom.vcpus[i] = &vcpu[i];
	}
	vio = calloc(1, sizeof(*vio));
	vioapic_init(vio, &dom, &host);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(vio);
	return 0;
}

static u32 rd(u32 reg)
{
	u64 val;

	vioapic_mmio_ops.write(&vcpu[0], PHYS, 4, reg, vio);
	vioapic_mmio_ops.read(&vcpu[0], PHYS + 0x10, 4, &val, vio);
	return val;
}

static void wr(u32 reg, u32 val)
{
	vioapic_mmio_ops.write(&vcpu[0], PHYS, 4, reg, vio);
	vioapic_mmio_ops.write(&vcpu[0], PHYS + 0x10, 4, val, vio);
}

static void host_irq(void)
{
	bound_fn(HOST_VECTOR, bound_data);
}

#define LEVEL_LOW_UNMASKED(vec) ((vec) | (1u << 15) | (1u << 13))

static void test_registers(void **state)
{
	u64 val;

	(void)state;
	assert_int_equal(rd(0x00), 1u << 24);
	assert_int_equal(rd(0x01), 0x11 | (23u << 16));	/* version 0x11: no EOI register */
	assert_int_equal(rd(0x10), 1u << 16);		/* every pin starts masked */
	assert_int_equal(rd(0x10 + 2 * 24), 0xffffffffu);	/* past the last pin */
	wr(0x10 + 2 * 24, 0);					/* ignored, not out of bounds */
	/* Remote IRR and delivery status are read-only. */
	wr(0x10 + 2 * 5, (1u << 16) | (1u << 14) | (1u << 12) | 0x55);
	assert_int_equal(rd(0x10 + 2 * 5), (1u << 16) | 0x55);
	wr(0x11 + 2 * 5, 0x01000000);
	assert_int_equal(rd(0x11 + 2 * 5), 0x01000000);
	/* Only 32-bit accesses of IOREGSEL and IOWIN; the rest of the page reads ones. */
	vioapic_mmio_ops.read(&vcpu[0], PHYS + 0x10, 2, &val, vio);
	assert_int_equal(val, ~0ULL);
	vioapic_mmio_ops.read(&vcpu[0], PHYS + 0x40, 4, &val, vio);
	assert_int_equal(val, ~0ULL);
	assert_int_equal(routed.calls, 0);		/* masked pins bind nothing */
}

/* The shared level line (Bochs: the SCI and the e1000 on GSI 9). */
static void test_level(void **state)
{
	(void)state;
	wr(0x11 + 2 * 9, 1u << 24);			/* to vCPU 1 */
	wr(0x10 + 2 * 9, LEVEL_LOW_UNMASKED(0x39));
	assert_int_equal(routed.calls, 1);
	assert_int_equal(routed.gsi, 9);
	assert_true(routed.level && routed.low);
	assert_false(host_masked[9]);

	host_irq();
	assert_int_equal(injected.calls, 1);
	assert_ptr_equal(injected.v, &vcpu[1]);
	assert_int_equal(injected.vector, 0x39);
	assert_true(injected.level);
	assert_true(host_masked[9]);			/* closed until the guest's EOI */
	assert_true(rd(0x10 + 2 * 9) & (1u << 14));	/* remote IRR */

	host_irq();					/* in flight before the mask */
	assert_int_equal(injected.calls, 1);

	vioapic_eoi(vio, 0x38);				/* another vector's EOI */
	assert_true(host_masked[9]);
	vioapic_eoi(vio, 0x39);
	assert_false(rd(0x10 + 2 * 9) & (1u << 14));
	assert_false(host_masked[9]);			/* the device fires again if it still asserts */

	host_irq();
	assert_int_equal(injected.calls, 2);
}

/* A level interrupt while the guest masks the pin waits for the unmask. */
static void test_level_while_masked(void **state)
{
	(void)state;
	wr(0x10 + 2 * 11, LEVEL_LOW_UNMASKED(0x3b));
	wr(0x10 + 2 * 11, LEVEL_LOW_UNMASKED(0x3b) | (1u << 16));
	assert_true(host_masked[11]);
	host_irq();
	assert_int_equal(injected.calls, 0);
	wr(0x10 + 2 * 11, LEVEL_LOW_UNMASKED(0x3b));
	assert_int_equal(injected.calls, 1);
	assert_true(host_masked[11]);			/* in service now */
	assert_true(rd(0x10 + 2 * 11) & (1u << 14));
}

/* Switching a pin in service from level to edge ends it, as an EOI (Linux's old-IOAPIC trick). */
static void test_level_to_edge_is_eoi(void **state)
{
	(void)state;
	wr(0x10 + 2 * 10, LEVEL_LOW_UNMASKED(0x3a));
	host_irq();
	assert_true(host_masked[10]);
	wr(0x10 + 2 * 10, 0x3a | (1u << 16));		/* edge, masked */
	assert_false(rd(0x10 + 2 * 10) & (1u << 14));
	wr(0x10 + 2 * 10, LEVEL_LOW_UNMASKED(0x3a));
	assert_false(host_masked[10]);
	assert_int_equal(routed.calls, 2);		/* re-routed once unmasked with a new trigger */
}

static void test_edge(void **state)
{
	(void)state;
	wr(0x10 + 2 * 14, 0x3e);			/* IDE: edge, high, unmasked, vCPU 0 */
	assert_false(routed.level);
	host_irq();
	host_irq();
	assert_int_equal(injected.calls, 2);
	assert_false(injected.level);
	assert_ptr_equal(injected.v, &vcpu[0]);
	assert_false(host_masked[14]);
	assert_false(rd(0x10 + 2 * 14) & (1u << 14));
	wr(0x10 + 2 * 14, 0x3e | (1u << 16));
	host_irq();					/* masked edge: lost, as on hardware */
	assert_int_equal(injected.calls, 2);
}

/* keel's GSIs (the PIT's) are never bound; a vCPU the guest does not have gets nothing. */
static void test_denied(void **state)
{
	(void)state;
	wr(0x10 + 2 * 2, 0x32);
	assert_int_equal(routed.calls, 0);
	assert_null(bound_fn);
	wr(0x11 + 2 * 4, 7u << 24);			/* vCPU 7 */
	wr(0x10 + 2 * 4, 0x34);
	host_irq();
	assert_int_equal(injected.calls, 0);
	wr(0x10 + 2 * 4, 0x34 | (4u << 8));		/* INIT delivery: not emulated */
	wr(0x11 + 2 * 4, 0);
	host_irq();
	assert_int_equal(injected.calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_while_masked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_to_edge_is_eoi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_denied, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
