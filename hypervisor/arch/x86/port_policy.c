/* The port policy of a hardware dom0: which ports trap, the inert vPIC, PIT/DMA denial, PM1, resets. */
#include <keel/string.h>
#include <asm/hwdom_ports.h>

#define PM1_SLP_TYP(v) (((v) >> 10) & 7)
#define PM1_SLP_EN BIT(13)
#define CF9_RST_CPU BIT(2)
#define PORT92_FAST_INIT BIT(0)
#define PORT92_A20 BIT(1)
#define ICW1_INIT BIT(4)
#define ICW1_ICW4 BIT(0)
#define ICW1_SINGLE BIT(1)
#define OCW3_SEL BIT(3)

/* Ports keel keeps from every hardware dom0, whatever its FADT says (§2.5). */
static const struct { u16 first, last; } kept[] = {
	{ 0x00, 0x1f },		/* ISA DMA 1 and (0x10-0x1f) its aliases */
	{ 0x20, 0x21 },		/* master PIC: inert vPIC */
	{ 0x40, 0x43 },		/* PIT */
	{ 0x61, 0x61 },		/* PIT gate, speaker, NMI status */
	{ 0x81, 0x8f },		/* ISA DMA page registers (0x80 is dom0's) */
	{ 0x92, 0x92 },		/* fast A20 and INIT */
	{ 0xa0, 0xa1 },		/* slave PIC */
	{ 0xc0, 0xdf },		/* ISA DMA 2 */
	{ 0xe9, 0xe9 },		/* keel's debug console */
	{ 0xf0, 0xf0 },		/* IGNNE# */
	{ 0x3f8, 0x3ff },	/* keel's UART (COM1) */
	{ 0x4d0, 0x4d1 },	/* ELCR */
	{ 0xcf8, 0xcff },	/* PCI configuration (vPCI) and 0xCF9 reset */
};

static bool in_block(u16 port, u16 base, unsigned int len)
{
	return base && port >= base && (unsigned int)(port - base) < len;
}

static bool kept_port(u16 port)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(kept); i++)
		if (port >= kept[i].first && port <= kept[i].last)
			return true;
	return false;
}

bool hwdom_port_trapped(const struct hwdom_ports *p, u16 port)
{
	const struct fadt_ports *f = &p->fadt;

	if (kept_port(port))
		return true;
	for (unsigned int i = 0; i < f->nr_pblks; i++)
		if (in_block(port, f->pblks[i] + 4, 2))	/* P_LVL2, P_LVL3 */
			return true;
	return in_block(port, f->pm1a_cnt, f->pm1_cnt_len) ||
	       in_block(port, f->pm1b_cnt, f->pm1_cnt_len) ||
	       in_block(port, f->pm_tmr, f->pm_tmr_len) ||
	       in_block(port, f->reset_port, 1);
}

void hwdom_io_bitmap_fill(const struct hwdom_ports *p, u8 *bitmap)
{
	memset(bitmap, 0, IO_BITMAP_BYTES);
	for (u32 port = 0; port < 0x10000; port++)
		if (hwdom_port_trapped(p, port))
			bitmap[port / 8] |= 1 << (port % 8);
}

void hwdom_ports_setup(struct hwdom_ports *p, const struct fadt_ports *fadt)
{
	memset(p, 0, sizeof(*p));
	spin_lock_init(&p->lock);
	p->fadt = *fadt;
	p->pic[0].imr = p->pic[1].imr = 0xff;
	/* PM1 writes reach the hardware: never on a port keel keeps (a bogus FADT). */
	for (unsigned int i = 0; i < p->fadt.pm1_cnt_len; i++) {
		if (p->fadt.pm1a_cnt && kept_port(p->fadt.pm1a_cnt + i))
			p->fadt.pm1a_cnt = 0;
		if (p->fadt.pm1b_cnt && kept_port(p->fadt.pm1b_cnt + i))
			p->fadt.pm1b_cnt = 0;
	}
}

/* An 8259 command (0x20/0xA0) or data (0x21/0xA1) byte; reads: IRR/ISR/poll 0, IMR. */
static u8 vpic_access(struct vpic_chip *c, bool data, bool in, u8 b)
{
	if (in)
		return data ? c->imr : 0;
	if (!data) {
		if (b & ICW1_INIT) {
			c->icw_step = 1;
			c->icw4 = b & ICW1_ICW4;
			c->single = b & ICW1_SINGLE;
			c->imr = 0;
		}
		return 0;	/* OCW2 (EOI) and OCW3: nothing pending, nothing to do */
	}
	switch (c->icw_step) {
	case 1:			/* ICW2: the vector base, unused */
		c->icw_step = !c->single ? 2 : c->icw4 ? 3 : 0;
		break;
	case 2:			/* ICW3: cascade wiring */
		c->icw_step = c->icw4 ? 3 : 0;
		break;
	case 3:			/* ICW4 */
		c->icw_step = 0;
		break;
	default:		/* OCW1: the mask */
		c->imr = b;
	}
	return 0;
}

/* One byte of a trapped port that is no PM1 register; reads return *@b. */
static enum hwdom_io_act byte_access(struct hwdom_ports *p, u16 port, bool in,
				     u8 *b)
{
	/* ELCR bits of IRQs 0-2, 8 and 13 are fixed edge (PIIX). */
	static const u8 elcr_mask[2] = { 0xf8, 0xde };
	enum hwdom_io_act act = HWDOM_IO_DONE;
	u8 out = 0xff;

	switch (port) {
	case 0x20: case 0x21: case 0xa0: case 0xa1:
		out = vpic_access(&p->pic[port >= 0xa0], port & 1, in, *b);
		break;
	case 0x4d0: case 0x4d1:
		if (!in)
			p->pic[port & 1].elcr = *b & elcr_mask[port & 1];
		out = p->pic[port & 1].elcr;
		break;
	case 0x61:
		out = 0;	/* no PIT output, no NMI source */
		break;
	case 0x92:
		if (!in && (*b & PORT92_FAST_INIT))
			act = HWDOM_IO_REBOOT;
		out = PORT92_A20;
		break;
	case 0xcf9:
		if (!in) {
			p->cf9 = *b & ~CF9_RST_CPU;
			if (*b & CF9_RST_CPU)
				act = HWDOM_IO_REBOOT;
		}
		out = p->cf9;
		break;
	}
	if (port == p->fadt.reset_port && !in && *b == p->fadt.reset_value)
		act = HWDOM_IO_REBOOT;
	if (in)
		*b = out;
	return act;
}

/*
 * PM1a/PM1b_CNT (@i 0/1) at byte @off: dom0's reads and writes reach the
 * hardware, except that SLP_EN becomes a shutdown: S5 a poweroff whose
 * values keel keeps for the machine's power-off, any other state refused.
 */
static enum hwdom_io_act pm1_access(struct hwdom_ports *p, unsigned int i,
				    u16 port, unsigned int size, bool in,
				    u32 *val, const struct port_hw *hw)
{
	const struct fadt_ports *f = &p->fadt;
	unsigned int off = port - (i ? f->pm1b_cnt : f->pm1a_cnt);
	u32 v = *val << (8 * off);
	u8 s5 = i ? f->s5_typ_b : f->s5_typ_a;

	if (in || !(v & PM1_SLP_EN)) {
		if (in)
			*val = hw->in(port, size);
		else
			hw->out(port, size, *val);
		if (!in && off <= 1 && off + size > 1)	/* it wrote SLP_TYP's byte */
			p->slp_typ[i] = PM1_SLP_TYP(v);
		return HWDOM_IO_DONE;
	}
	if (f->s5_known && PM1_SLP_TYP(v) != s5)
		return HWDOM_IO_REFUSED;
	p->slp_typ[i] = PM1_SLP_TYP(v);
	p->off_cnt[i] = (p->slp_typ[i] << 10) | PM1_SLP_EN;
	p->off_cnt[!i] = (p->slp_typ[!i] << 10) | PM1_SLP_EN;
	return HWDOM_IO_POWEROFF;
}

enum hwdom_io_act hwdom_port_access(struct hwdom_ports *p, u16 port,
				    unsigned int size, bool in, u32 *val,
				    const struct port_hw *hw)
{
	const struct fadt_ports *f = &p->fadt;
	enum hwdom_io_act act = HWDOM_IO_DONE, a;
	u32 result = 0;

	if (port == 0xe9 || (port >= 0xcf8 && port <= 0xcff &&
			     !(port == 0xcf9 && size == 1)))
		return HWDOM_IO_NOT_MINE;
	spin_lock(&p->lock);
	for (unsigned int i = 0; i < 2; i++) {
		u16 base = i ? f->pm1b_cnt : f->pm1a_cnt;

		if (base && port >= base && port + size <= base + f->pm1_cnt_len) {
			act = pm1_access(p, i, port, size, in, val, hw);
			spin_unlock(&p->lock);
			return act;
		}
	}
	for (unsigned int i = 0; i < size; i++) {
		u16 bport = port + i;
		u8 b = *val >> (8 * i);

		if (!hwdom_port_trapped(p, bport)) {
			if (in)
				b = hw->in(bport, 1);
			else
				hw->out(bport, 1, b);
		} else {
			a = byte_access(p, bport, in, &b);
			if (a != HWDOM_IO_DONE)
				act = a;
		}
		result |= (u32)b << (8 * i);
	}
	spin_unlock(&p->lock);
	if (in)
		*val = result;
	return act;
}
