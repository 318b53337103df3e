/*
 * A virtual IOAPIC of the hardware domain, at its host IOAPIC's address, id
 * and GSI base: unmasking a pin routes the physical GSI to a host vector;
 * its interrupts reach the vLAPIC the RTE names, level ones with remote IRR
 * and the physical pin masked until the guest's EOI.
 */
#include <keel/domain.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <asm/ioapic.h>
#include <asm/vioapic.h>
#include <asm/vlapic.h>

#define IOREGSEL 0x00
#define IOWIN 0x10
#define REG_ID 0x00
#define REG_VERSION 0x01
#define REG_ARB 0x02
#define REG_RTE_FIRST 0x10

#define RTE_VECTOR 0xffULL
#define RTE_DELIVERY(r) (((r) >> 8) & 7)
#define RTE_LOGICAL BIT(11)
#define RTE_STATUS BIT(12)
#define RTE_ACTIVE_LOW BIT(13)
#define RTE_REMOTE_IRR BIT(14)
#define RTE_LEVEL BIT(15)
#define RTE_MASKED BIT(16)
#define RTE_DEST(r) ((u32)((r) >> 56))
/* What the guest writes: vector, delivery and destination modes, polarity, trigger, mask, destination. */
#define RTE_WRITABLE (0xffULL | (7ULL << 8) | RTE_LOGICAL | RTE_ACTIVE_LOW | \
		      RTE_LEVEL | RTE_MASKED | (0xffULL << 56))
#define DELIVERY_FIXED 0
#define DELIVERY_LOWEST 1

void vioapic_init(struct vioapic *vio, struct domain *d,
		  const struct ioapic_info *host)
{
	memset(vio, 0, sizeof(*vio));
	spin_lock_init(&vio->lock);
	vio->d = d;
	vio->id = host->id;
	vio->phys = host->phys;
	vio->gsi_base = host->gsi_base;
	vio->pins = MIN(host->pins, (u32)VIOAPIC_MAX_PINS);
	for (u32 i = 0; i < vio->pins; i++) {
		vio->rte[i] = RTE_MASKED;
		vio->pin[i] = (struct vioapic_pin){ .vio = vio, .pin = i };
	}
}

/* The vCPU the RTE's destination names (physical: its APIC id; logical: the lowest bit set). */
static struct vcpu *destination(struct domain *d, u64 rte)
{
	u32 dest = RTE_DEST(rte);

	if (rte & RTE_LOGICAL)
		dest = dest ? (u32)__builtin_ctz(dest) : ~0u;
	else if (dest == 0xff)
		dest = 0;	/* broadcast: the boot vCPU takes it */
	return dest < d->nr_vcpus ? d->vcpus[dest] : NULL;
}

static void deliver(struct vioapic *vio, u64 rte)
{
	struct vcpu *v = destination(vio->d, rte);
	unsigned int mode = RTE_DELIVERY(rte);

	if (v && (mode == DELIVERY_FIXED || mode == DELIVERY_LOWEST))
		vlapic_set_irq_level(v, rte & RTE_VECTOR, rte & RTE_LEVEL);
}

/* The physical pin is open while the guest's is unmasked and no level interrupt is in service. */
static void sync_host_mask(struct vioapic *vio, u32 pin)
{
	u64 rte = vio->rte[pin];

	if (vio->pin[pin].host_vector)
		ioapic_mask(vio->gsi_base + pin, (rte & RTE_MASKED) ||
			    ((rte & RTE_LEVEL) && vio->pin[pin].line));
}

/* First unmask: a host vector, and the physical RTE with the guest's trigger and polarity. */
static void bind(struct vioapic *vio, u32 pin)
{
	struct vioapic_pin *p = &vio->pin[pin];
	u32 gsi = vio->gsi_base + pin;
	int vector;

	if (!p->host_vector) {
		if (ioapic_gsi_reserved(gsi))
			return;
		vector = irq_vector_alloc(vioapic_host_irq, p);
		if (vector < 0) {
			pr_warn("d%u: no host vector left for GSI %u\n",
				vio->d->id, gsi);
			return;
		}
		p->host_vector = vector;
	}
	if (ioapic_route(gsi, p->host_vector, vio->rte[pin] & RTE_LEVEL,
			 vio->rte[pin] & RTE_ACTIVE_LOW)) {
		irq_vector_free(p->host_vector);
		p->host_vector = 0;
	}
}

static void write_rte(struct vioapic *vio, u32 pin, bool high, u32 val)
{
	u64 old = vio->rte[pin], rte;

	rte = high ? (old & 0xffffffffULL) | ((u64)val << 32) :
		     (old & ~0xffffffffULL) | val;
	rte = (rte & RTE_WRITABLE) | (old & RTE_REMOTE_IRR);
	/* Level to edge ends the interrupt in service (Linux's old-IOAPIC EOI). */
	if (!(rte & RTE_LEVEL)) {
		rte &= ~RTE_REMOTE_IRR;
		vio->pin[pin].line = false;
	}
	vio->rte[pin] = rte;
	if (!(rte & RTE_MASKED) && (!vio->pin[pin].host_vector ||
	    ((old ^ rte) & (RTE_LEVEL | RTE_ACTIVE_LOW))))
		bind(vio, pin);
	/* A level interrupt that waited for the unmask is delivered now. */
	if (!(rte & RTE_MASKED) && (rte & RTE_LEVEL) && vio->pin[pin].line &&
	    !(rte & RTE_REMOTE_IRR)) {
		vio->rte[pin] |= RTE_REMOTE_IRR;
		deliver(vio, vio->rte[pin]);
	}
	sync_host_mask(vio, pin);
}

static u32 read_reg(struct vioapic *vio)
{
	u32 reg = vio->ioregsel, pin = (reg - REG_RTE_FIRST) / 2;

	switch (reg) {
	case REG_ID:
	case REG_ARB:
		return (vio->id & 0xf) << 24;
	case REG_VERSION:
		return VIOAPIC_VERSION | ((vio->pins - 1) << 16);
	}
	if (reg < REG_RTE_FIRST || pin >= vio->pins)
		return ~0u;
	return reg & 1 ? vio->rte[pin] >> 32 : (u32)vio->rte[pin];
}

static void write_reg(struct vioapic *vio, u32 val)
{
	u32 reg = vio->ioregsel, pin = (reg - REG_RTE_FIRST) / 2;

	if (reg == REG_ID)
		vio->id = (val >> 24) & 0xf;
	else if (reg >= REG_RTE_FIRST && pin < vio->pins)
		write_rte(vio, pin, reg & 1, val);
}

static int mmio_read(struct vcpu *v, u64 gpa, unsigned int size, u64 *val,
		     void *priv)
{
	struct vioapic *vio = priv;
	u64 off = gpa - vio->phys;

	*val = ~0ULL;
	if (size != 4)
		return 0;
	spin_lock(&vio->lock);
	if (off == IOREGSEL)
		*val = vio->ioregsel;
	else if (off == IOWIN)
		*val = read_reg(vio);
	spin_unlock(&vio->lock);
	return 0;
}

static int mmio_write(struct vcpu *v, u64 gpa, unsigned int size, u64 val,
		      void *priv)
{
	struct vioapic *vio = priv;
	u64 off = gpa - vio->phys;

	if (size != 4)
		return 0;
	spin_lock(&vio->lock);
	if (off == IOREGSEL)
		vio->ioregsel = val & 0xff;
	else if (off == IOWIN)
		write_reg(vio, val);
	spin_unlock(&vio->lock);
	return 0;
}

const struct mmio_ops vioapic_mmio_ops = { mmio_read, mmio_write };

void vioapic_host_irq(unsigned int vector, void *data)
{
	struct vioapic_pin *p = data;
	struct vioapic *vio = p->vio;
	u64 rte;

	spin_lock(&vio->lock);
	rte = vio->rte[p->pin];
	if (rte & RTE_LEVEL) {
		/* Closed until the guest's EOI; the host EOI follows (do_irq). */
		ioapic_mask(vio->gsi_base + p->pin, true);
		p->line = true;
		if (!(rte & (RTE_MASKED | RTE_REMOTE_IRR))) {
			vio->rte[p->pin] |= RTE_REMOTE_IRR;
			deliver(vio, vio->rte[p->pin]);
		}
	} else if (!(rte & RTE_MASKED)) {
		deliver(vio, rte);
	}
	spin_unlock(&vio->lock);
}

/*
 * EOI of a level-triggered @vector: each pin in service with it ends; the
 * physical pin opens again, and fires again if the device still asserts
 * the line (a shared line's other device too).
 */
void vioapic_eoi(struct vioapic *vio, u8 vector)
{
	spin_lock(&vio->lock);
	for (u32 pin = 0; pin < vio->pins; pin++) {
		u64 rte = vio->rte[pin];

		if ((rte & RTE_VECTOR) != vector || !(rte & RTE_REMOTE_IRR))
			continue;
		vio->rte[pin] = rte & ~RTE_REMOTE_IRR;
		vio->pin[pin].line = false;
		sync_host_mask(vio, pin);
	}
	spin_unlock(&vio->lock);
}
