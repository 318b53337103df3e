/* MMIO emulation: per-domain claims of guest-physical ranges, the nested-paging fault path, refusals. */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/frame.h>
#include <keel/p2m.h>
#include <keel/page_alloc.h>
#include <keel/printk.h>
#include <keel/spinlock.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <asm/hvm.h>
#include <asm/mmio.h>
#include <asm/vmcs.h>
#include <asm/vmx_internal.h>

#define EPT_Q_WRITE BIT(1)
#define EPT_Q_FETCH BIT(2)
#define EPT_Q_MAPPED (7ULL << 3)	/* the entry allowed read, write or execute */
#define EPT_Q_LINEAR (3ULL << 7)	/* an access to the instruction's own linear address */
#define LAPIC_PAGE 0xfee00000ULL
#define REFUSALS_PRINTED 16		/* then only each power of two */

struct mmio_claim {
	u64 start, end;
	const struct mmio_ops *ops;
	void *priv;
};

#define MMIO_MAX_CLAIMS ((PAGE_SIZE - 16) / sizeof(struct mmio_claim))

/*
 * A domain's claims, one page: added under the lock, never removed until
 * the domain is freed, so a lookup reads nr (acquire) and the entries
 * below it without the lock.
 */
struct mmio_claims {
	spinlock_t lock;
	unsigned int nr;
	u64 refused;
	struct mmio_claim claim[MMIO_MAX_CLAIMS];
};

BUILD_BUG_ON(sizeof(struct mmio_claims) > PAGE_SIZE);

int mmio_register(struct domain *d, u64 start, u64 end,
		  const struct mmio_ops *ops, void *priv)
{
	struct mmio_claims *c = d->arch.mmio;
	int rc = 0;

	if (start >= end || !p2m_gpa_valid(d, end - 1))
		return -EINVAL;
	if (!c) {
		c = alloc_page();
		if (!c)
			return -ENOMEM;
		spin_lock_init(&c->lock);
		if (__atomic_exchange_n(&d->arch.mmio, c, __ATOMIC_ACQ_REL)) {
			free_page(c);	/* impossible: claims start at boot */
			c = d->arch.mmio;
		}
	}
	spin_lock(&c->lock);
	for (unsigned int i = 0; i < c->nr && !rc; i++)
		if (start < c->claim[i].end && c->claim[i].start < end)
			rc = -EBUSY;
	if (!rc && c->nr == MMIO_MAX_CLAIMS)
		rc = -ENOSPC;
	if (!rc)
		rc = p2m_unmap_mmio(d, start & PAGE_MASK, ALIGN_UP(end, PAGE_SIZE));
	if (!rc) {
		c->claim[c->nr] = (struct mmio_claim){ start, end, ops, priv };
		__atomic_store_n(&c->nr, c->nr + 1, __ATOMIC_RELEASE);
	}
	spin_unlock(&c->lock);
	return rc;
}

void mmio_domain_free(struct domain *d)
{
	if (d->arch.mmio)
		free_page(d->arch.mmio);
	d->arch.mmio = NULL;
}

static const struct mmio_claim *find_claim(struct domain *d, u64 gpa)
{
	struct mmio_claims *c = d->arch.mmio;
	unsigned int nr = c ? __atomic_load_n(&c->nr, __ATOMIC_ACQUIRE) : 0;

	for (unsigned int i = 0; i < nr; i++)
		if (gpa >= c->claim[i].start && gpa < c->claim[i].end)
			return &c->claim[i];
	return NULL;
}

unsigned int guest_fetch_insn(struct vcpu *v, u8 *buf)
{
	u64 rip = hvm_get(HVM_RIP), gpa;
	unsigned int got = 0;

	while (got < MMIO_INSN_MAX) {
		unsigned int n = MIN(MMIO_INSN_MAX - got,
				     PAGE_SIZE - ((rip + got) & ~PAGE_MASK));

		if (arch_guest_virt_to_phys(v, rip + got, false, &gpa) ||
		    copy_from_guest_phys(v->domain, buf + got, gpa, n))
			break;
		got += n;
	}
	return got;
}

u64 *guest_gpr(struct vcpu *v, unsigned int n)
{
	struct guest_regs *r = &v->arch.regs;
	u64 *map[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, NULL, &r->rbp,
			 &r->rsi, &r->rdi, &r->r8, &r->r9, &r->r10, &r->r11,
			 &r->r12, &r->r13, &r->r14, &r->r15 };

	return map[n & 15];
}

static u64 get_reg(struct vcpu *v, const struct mmio_insn *in)
{
	u64 *p = guest_gpr(v, in->reg), val = p ? *p : hvm_get(HVM_RSP);

	return in->high8 ? val >> 8 : val;
}

/* A load of @val into the register, with x86's rules for each width. */
static void set_reg(struct vcpu *v, const struct mmio_insn *in, u64 val)
{
	u64 *p = guest_gpr(v, in->reg), old = p ? *p : hvm_get(HVM_RSP), mask;

	if (in->high8) {
		val = (old & ~0xff00ULL) | ((val & 0xff) << 8);
	} else if (in->reg_size < 4) {
		mask = (1ULL << (8 * in->reg_size)) - 1;
		val = (old & ~mask) | (val & mask);
	} else if (in->reg_size == 4) {
		val = (u32)val;		/* a 32-bit write zeroes bits 63:32 */
	}
	if (p)
		*p = val;
	else
		hvm_set(HVM_RSP, val);
}

#define FLAGS_ARITH (BIT(0) | BIT(2) | BIT(4) | BIT(6) | BIT(7) | BIT(11))

/* RFLAGS after CMP (@a - @b) or TEST (@a & @b) of @size bytes: CF PF AF ZF SF OF. */
static u64 arith_flags(u64 rflags, bool cmp, u64 a, u64 b, unsigned int size)
{
	unsigned int top = 8 * size - 1;
	u64 mask = size < 8 ? (1ULL << (8 * size)) - 1 : ~0ULL;
	u64 res = (cmp ? a - b : a & b) & mask, f = 0;

	a &= mask;
	b &= mask;
	if (cmp) {
		f |= a < b ? BIT(0) : 0;
		f |= ((a ^ b ^ res) & BIT(4)) ? BIT(4) : 0;
		f |= (((a ^ b) & (a ^ res)) >> top) & 1 ? BIT(11) : 0;
	}
	f |= __builtin_parity(res & 0xff) ? 0 : BIT(2);
	f |= res ? 0 : BIT(6);
	f |= (res >> top) & 1 ? BIT(7) : 0;
	return (rflags & ~FLAGS_ARITH) | f;
}

/* Why a hardware domain may not touch @gpa, for the refusal line. */
static const char *refusal_reason(struct domain *d, u64 gpa)
{
	if ((gpa & ~0xfffffULL) == LAPIC_PAGE)
		return "local APIC: x2APIC only";
	if (page_owner(gpa) >= 0 || page_count(gpa))
		return "keel's or another domain's memory";
	return "no device keel lets it reach";
}

static void refuse(struct vcpu *v, u64 gpa, bool write)
{
	struct mmio_claims *c = v->domain->arch.mmio;
	u64 n = c ? __atomic_add_fetch(&c->refused, 1, __ATOMIC_RELAXED) : 1;

	if (n <= REFUSALS_PRINTED || !(n & (n - 1)))
		pr_warn("d%u: refused %s of %#llx (%s)%s\n", v->domain->id,
			write ? "write" : "read", (unsigned long long)gpa,
			refusal_reason(v->domain, gpa),
			n > REFUSALS_PRINTED ? " [rate-limited]" : "");
}

bool mmio_emulate(struct vcpu *v, u64 gpa, const struct p2m_fault *f,
		  const char **why)
{
	const struct mmio_claim *claim = find_claim(v->domain, gpa);
	bool write = f->write;
	u8 buf[MMIO_INSN_MAX];
	struct mmio_insn in;
	u64 val = 0;
	int rc;

	*why = "no MMIO handler there";
	if (f->fetch || f->present)
		return false;		/* executing, or a permission fault */
	if (!claim && !is_hardware_domain(v->domain))
		return false;
	*why = "MMIO access keel cannot emulate";
	/* Not a page walk or an event's delivery touching the hole: an instruction's access. */
	if (!f->insn_access)
		return false;
	if (!hvm_guest_64bit())
		return false;		/* the decoder knows 64-bit mode only */
	rc = mmio_decode(buf, guest_fetch_insn(v, buf), &in);
	if (rc)
		return false;
	*why = "MMIO instruction does not match the access";
	if ((in.kind == MMIO_STORE || in.kind == MMIO_STORE_IMM) != write)
		return false;		/* rewritten since it faulted */
	if (claim && gpa + in.size > claim->end) {
		*why = "MMIO access runs past the handler's range";
		return false;
	}
	if (in.kind == MMIO_STORE)
		val = get_reg(v, &in);
	else if (in.kind == MMIO_STORE_IMM)
		val = in.imm;
	if (in.size < 8)
		val &= (1ULL << (8 * in.size)) - 1;
	if (!claim) {
		refuse(v, gpa, write);
		val = ~0ULL;
	} else if (write) {
		claim->ops->write(v, gpa, in.size, val, claim->priv);
	} else if (claim->ops->read(v, gpa, in.size, &val, claim->priv)) {
		val = ~0ULL;
	}
	if (in.size < 8)
		val &= (1ULL << (8 * in.size)) - 1;
	if (in.kind == MMIO_LOAD) {
		set_reg(v, &in, val);
	} else if (in.kind == MMIO_CMP || in.kind == MMIO_TEST) {
		u64 other = in.has_imm ? in.imm : get_reg(v, &in);

		hvm_set(HVM_RFLAGS, arith_flags(hvm_get(HVM_RFLAGS),
						in.kind == MMIO_CMP,
						in.reverse ? other : val,
						in.reverse ? val : other, in.size));
	}
	hvm_skip_bytes(in.len);
	return true;
}

/* VT-x's EPT violation, its exit qualification @q read as a struct p2m_fault. */
bool mmio_handle(struct vcpu *v, u64 gpa, u64 q, const char **why)
{
	struct p2m_fault f = {
		.write = q & EPT_Q_WRITE,
		.fetch = q & EPT_Q_FETCH,
		.present = q & EPT_Q_MAPPED,
		.insn_access = (q & EPT_Q_LINEAR) == EPT_Q_LINEAR &&
			       !(vmread(IDT_VECTORING_INFO) & INTR_INFO_VALID),
	};

	return mmio_emulate(v, gpa, &f, why);
}
