/*
 * The virtual local APIC in x2APIC mode: registers as MSRs, IRR/ISR with
 * priorities, EOI, TPR, self-IPIs and fixed IPIs between a domain's vCPUs.
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <asm/hwdom_irq.h>
#include <asm/vlapic.h>

#define X2APIC_MSR_BASE 0x800
#define REG(msr) (((msr) - X2APIC_MSR_BASE) << 4)	/* the xAPIC offset */

#define APIC_ID 0x020
#define APIC_VERSION 0x030
#define APIC_TPR 0x080
#define APIC_PPR 0x0a0
#define APIC_EOI 0x0b0
#define APIC_LDR 0x0d0
#define APIC_SVR 0x0f0
#define APIC_ISR 0x100
#define APIC_TMR 0x180
#define APIC_IRR 0x200
#define APIC_ESR 0x280
#define APIC_ICR 0x300
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_ERROR 0x370
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CUR 0x390
#define APIC_TIMER_DIV 0x3e0
#define APIC_SELF_IPI 0x3f0

/* Bit 24 (directed EOI) clear: Linux keeps broadcasting EOIs to the vIOAPIC. */
#define APIC_VERSION_VALUE (0x14 | ((VLAPIC_LVT_COUNT - 1) << 16))
#define SVR_ENABLE BIT(8)
#define LVT_MASKED BIT(16)
#define ICR_DELIVERY(icr) (((icr) >> 8) & 7)
#define ICR_SHORTHAND(icr) (((icr) >> 18) & 3)
#define DELIVERY_FIXED 0
#define DELIVERY_INIT 5
#define DELIVERY_STARTUP 6
#define ICR_LEVEL_ASSERT BIT(14)

static struct vlapic *vlapic(const struct vcpu *v)
{
	return (struct vlapic *)&v->arch.vlapic;
}

static int highest_bit(const u32 *words)
{
	for (int i = 7; i >= 0; i--)
		if (words[i])
			return i * 32 + 31 - __builtin_clz(words[i]);
	return -1;
}

static void set_bit(u32 *words, u8 n)
{
	__atomic_or_fetch(&words[n / 32], 1u << (n % 32), __ATOMIC_SEQ_CST);
}

static void clear_bit(u32 *words, u8 n)
{
	__atomic_and_fetch(&words[n / 32], ~(1u << (n % 32)), __ATOMIC_SEQ_CST);
}

/* Processor priority: the higher of TPR and the in-service class. */
static u32 ppr(const struct vlapic *l)
{
	int isr = highest_bit(l->isr);
	u32 isr_class = isr < 0 ? 0 : (u32)isr & 0xf0;

	return (l->tpr & 0xf0) > isr_class ? l->tpr & 0xff : isr_class;
}

void vlapic_reset(struct vcpu *v)
{
	struct vlapic *l = vlapic(v);

	memset(l, 0, sizeof(*l));
	l->svr = 0xff;
	for (int i = 0; i < VLAPIC_LVT_COUNT; i++)
		l->lvt[i] = LVT_MASKED;
}

/*
 * The task priority, also as CR8 (cr.c): with it, PPR decides which IRR
 * vectors vlapic_pending_vector() may deliver and which wait.
 */
u8 vlapic_get_tpr(const struct vcpu *v)
{
	return vlapic(v)->tpr;
}

void vlapic_set_tpr(struct vcpu *v, u8 tpr)
{
	vlapic(v)->tpr = tpr;
}

void vlapic_set_irq(struct vcpu *v, u8 vector)
{
	vlapic_set_irq_level(v, vector, false);
}

void vlapic_set_irq_level(struct vcpu *v, u8 vector, bool level)
{
	if (vector < 16) {		/* illegal vector: send-accept error */
		vlapic(v)->esr |= BIT(5);
		return;
	}
	/* TMR says how the interrupt was accepted: its EOI goes to the vIOAPIC. */
	if (level)
		set_bit(vlapic(v)->tmr, vector);
	else
		clear_bit(vlapic(v)->tmr, vector);
	set_bit(vlapic(v)->irr, vector);
	vcpu_kick(v);
}

/* Most VM entries find no vector requested: four loads say so (vectors 0-15 never are). */
static bool irr_empty(const struct vlapic *l)
{
	const u64 __attribute__((may_alias)) *w = (const void *)l->irr;

	return !(w[0] | w[1] | w[2] | w[3]);
}

int vlapic_pending_vector(const struct vcpu *v)
{
	const struct vlapic *l = vlapic(v);
	int irr;

	if (irr_empty(l))
		return -1;
	irr = highest_bit(l->irr);
	if (irr < 0 || !(l->svr & SVR_ENABLE) || ((u32)irr & 0xf0) <= (ppr(l) & 0xf0))
		return -1;
	return irr;
}

void vlapic_dump(const struct vcpu *v)
{
	const struct vlapic *l = vlapic(v);

	pr_info("d%uv%u: vLAPIC SVR %#x TPR %#x PPR %#x, highest IRR %d ISR %d, deliverable %d, LVT timer %#x\n",
		v->domain->id, v->id, l->svr, l->tpr, ppr(l), highest_bit(l->irr),
		highest_bit(l->isr), vlapic_pending_vector(v), l->lvt[0]);
}

void vlapic_ack(struct vcpu *v, u8 vector)
{
	clear_bit(vlapic(v)->irr, vector);
	set_bit(vlapic(v)->isr, vector);
}

/* A level-triggered vector's EOI is broadcast to the IOAPICs (no directed EOI). */
static void eoi(struct vcpu *v)
{
	int isr = highest_bit(vlapic(v)->isr);

	if (isr < 0)
		return;
	clear_bit(vlapic(v)->isr, isr);
	if (vlapic(v)->tmr[isr / 32] & (1u << (isr % 32)))
		hwdom_irq_eoi(v->domain, isr);
}

/*
 * A guest repeats INIT/SIPI and HLT with IF=0 at will, and keel's console
 * writes synchronously: only each AP's first few such lines are printed.
 */
#define AP_STATE_LINES 4

static bool ap_line_allowed(struct vcpu *t)
{
	u8 n = READ_ONCE(t->arch.ap_lines);	/* racy between senders: a line more at worst */

	if (n > AP_STATE_LINES)
		return false;
	WRITE_ONCE(t->arch.ap_lines, n + 1);
	if (n == AP_STATE_LINES)
		pr_info("d%uv%u: further down/SIPI lines not logged\n", t->domain->id, t->id);
	return n < AP_STATE_LINES;
}

void vlapic_park_ap(struct vcpu *t, const char *why)
{
	if (!t->arch.vmcs)
		return;		/* never started: down already, no state to reset */
	WRITE_ONCE(t->arch.wait_sipi, true);
	if (t->state != VCPU_DOWN) {
		vcpu_down(t);
		if (ap_line_allowed(t))
			pr_info("d%uv%u: down (%s)\n", t->domain->id, t->id, why);
	}
}

/*
 * INIT parks an AP (the de-assert half of the pair does nothing): one
 * that ran stops at once wherever it was and waits for a SIPI. The startup
 * IPI then starts a parked AP in real mode at vector << 12: a new one gets
 * its VMCS on its first run, a parked one has its guest state reset there
 * (vmx_run.c; asked for only here, so a park racing with the AP's own run
 * loop cannot consume the reset). Only a down AP that never ran or waits
 * for a SIPI takes one: SIPIs cannot restart a running vCPU.
 */
static void init_sipi(struct vcpu *t, u64 icr)
{
	if (!t->id)
		return;		/* the BSP is never reset by an IPI */
	if (ICR_DELIVERY(icr) == DELIVERY_INIT) {
		if (!(icr & ICR_LEVEL_ASSERT))
			return;
		t->arch.sipi_vector = 0;
		vlapic_park_ap(t, "INIT");
		return;
	}
	if (t->state != VCPU_DOWN)
		return;		/* a running AP ignores further SIPIs */
	if (t->arch.vmcs && !__atomic_exchange_n(&t->arch.wait_sipi, false, __ATOMIC_ACQ_REL))
		return;		/* a second SIPI of the pair, or one racing it */
	t->arch.sipi_vector = icr & 0xff;
	if (t->arch.vmcs)
		WRITE_ONCE(t->arch.restart, true);
	if (ap_line_allowed(t))
		pr_info("d%uv%u: started by SIPI at %#x\n", t->domain->id, t->id,
			(unsigned int)(icr & 0xff) << 12);
	vcpu_up(t);
}

static int send_ipi(struct vcpu *v, u64 icr)
{
	struct domain *d = v->domain;
	u32 dest = icr >> 32;
	u8 vector = icr & 0xff;
	unsigned int mode = ICR_DELIVERY(icr);

	if (mode != DELIVERY_FIXED && mode != DELIVERY_INIT &&
	    mode != DELIVERY_STARTUP) {
		pr_debug("d%uv%u: IPI delivery mode %u not emulated\n", d->id,
			 v->id, mode);
		return 0;
	}
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *t = d->vcpus[i];
		bool hit;

		switch (ICR_SHORTHAND(icr)) {
		case 1:
			hit = t == v;
			break;
		case 2:
			hit = true;
			break;
		case 3:
			hit = t != v;
			break;
		default:
			hit = dest == 0xffffffff || dest == t->id;
			break;
		}
		if (hit && mode == DELIVERY_FIXED)
			vlapic_set_irq(t, vector);
		else if (hit)
			init_sipi(t, icr);
	}
	return 0;
}

int vlapic_read_msr(struct vcpu *v, u32 msr, u64 *val)
{
	struct vlapic *l = vlapic(v);
	u32 reg = REG(msr);

	switch (reg) {
	case APIC_ID:
		*val = v->id;
		return 0;
	case APIC_VERSION:
		*val = APIC_VERSION_VALUE;
		return 0;
	case APIC_TPR:
		*val = l->tpr;
		return 0;
	case APIC_PPR:
		*val = ppr(l);
		return 0;
	case APIC_LDR:	/* cluster in 31:16, one bit of 16 in the cluster */
		*val = ((v->id >> 4) << 16) | (1u << (v->id & 15));
		return 0;
	case APIC_SVR:
		*val = l->svr;
		return 0;
	case APIC_ESR:
		*val = l->esr;
		return 0;
	case APIC_ICR:
		*val = 0;	/* delivery is instant: never busy */
		return 0;
	case APIC_TIMER_INIT:
		*val = l->timer_init;
		return 0;
	case APIC_TIMER_CUR:
		*val = 0;	/* Linux on keel uses Xen timers, not this one */
		return 0;
	case APIC_TIMER_DIV:
		*val = l->timer_divide;
		return 0;
	}
	if (reg >= APIC_LVT_TIMER && reg <= APIC_LVT_ERROR) {
		*val = l->lvt[(reg - APIC_LVT_TIMER) >> 4];
		return 0;
	}
	if (reg >= APIC_ISR && reg < APIC_ISR + 0x80) {
		*val = l->isr[(reg - APIC_ISR) >> 4];
		return 0;
	}
	if (reg >= APIC_TMR && reg < APIC_TMR + 0x80) {
		*val = l->tmr[(reg - APIC_TMR) >> 4];
		return 0;
	}
	if (reg >= APIC_IRR && reg < APIC_IRR + 0x80) {
		*val = l->irr[(reg - APIC_IRR) >> 4];
		return 0;
	}
	return -EINVAL;		/* reserved, or write-only (EOI, SELF_IPI) */
}

int vlapic_write_msr(struct vcpu *v, u32 msr, u64 val)
{
	struct vlapic *l = vlapic(v);
	u32 reg = REG(msr);

	if (reg != APIC_ICR && (val >> 32))
		return -EINVAL;
	switch (reg) {
	case APIC_TPR:
		vlapic_set_tpr(v, val & 0xff);
		return 0;
	case APIC_EOI:
		if (val)
			return -EINVAL;
		eoi(v);
		return 0;
	case APIC_SVR:
		l->svr = val & 0x1ff;
		return 0;
	case APIC_ESR:
		l->esr = 0;
		return 0;
	case APIC_ICR:
		return send_ipi(v, val);
	case APIC_SELF_IPI:
		vlapic_set_irq(v, val & 0xff);
		return 0;
	case APIC_TIMER_INIT:
		l->timer_init = val;
		return 0;
	case APIC_TIMER_DIV:
		l->timer_divide = val & 0xb;
		return 0;
	}
	if (reg >= APIC_LVT_TIMER && reg <= APIC_LVT_ERROR) {
		l->lvt[(reg - APIC_LVT_TIMER) >> 4] = val;
		return 0;
	}
	return -EINVAL;		/* read-only or reserved */
}
