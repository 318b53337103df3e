/* MMIO emulation: the MOV decoder, per-domain MMIO handlers and the nested-paging fault hooks. */
#ifndef ASM_MMIO_H
#define ASM_MMIO_H

#include <keel/types.h>

struct domain;
struct vcpu;

struct mmio_ops {
	int (*read)(struct vcpu *v, u64 gpa, unsigned int size, u64 *val,
		    void *priv);
	int (*write)(struct vcpu *v, u64 gpa, unsigned int size, u64 val,
		     void *priv);
};

/*
 * Claim guest-physical [start, end) of @d for @ops: its page-aligned span
 * leaves @d's p2m (identity MMIO mapped there goes) and every access to it
 * exits to @ops. 0, -EINVAL (bad range), -EBUSY (overlaps a claim or RAM),
 * -ENOSPC (too many claims), -ENOMEM.
 */
int mmio_register(struct domain *d, u64 start, u64 end,
		  const struct mmio_ops *ops, void *priv);
/* Drop the claim starting at @start (the p2m keeps its hole). */
void mmio_unregister(struct domain *d, u64 start);
/* Free @d's claims (domain_free). */
void mmio_domain_free(struct domain *d);

/* A nested-paging fault (EPT violation, NPF) as either backend reports it. */
struct p2m_fault {
	bool write;		/* else a read */
	bool fetch;		/* an instruction fetch */
	bool present;		/* the entry allowed some access: a permission fault */
	bool insn_access;	/* the instruction's own data access: not a guest page walk,
				 * not an event's delivery */
};

/*
 * The nested-paging fault @f of @v at @gpa: emulate the instruction when
 * a handler claims @gpa, or refuse it for a hardware domain. true when
 * handled (RIP moved on), false when the caller must crash the domain;
 * *@why then says why.
 */
bool mmio_emulate(struct vcpu *v, u64 gpa, const struct p2m_fault *f,
		  const char **why);
/* mmio_emulate() for VT-x's EPT violation with exit qualification @q. */
bool mmio_handle(struct vcpu *v, u64 gpa, u64 q, const char **why);

/*
 * Up to MMIO_INSN_MAX bytes at @v's RIP into @buf, page by page through
 * its page tables: how many were readable.
 */
unsigned int guest_fetch_insn(struct vcpu *v, u8 *buf);
/* Encoding-order register @n of @v; NULL for RSP, which the VMCS or VMCB holds. */
u64 *guest_gpr(struct vcpu *v, unsigned int n);

/* ---- the decoder (mmio_decode.c, pure) ---- */

enum mmio_kind {
	MMIO_LOAD,		/* MOV reg, mem; MOVZX reg, mem */
	MMIO_STORE,		/* MOV mem, reg */
	MMIO_STORE_IMM,		/* MOV mem, imm */
	MMIO_CMP,		/* CMP mem, reg/imm; CMP reg, mem (reverse): flags only */
	MMIO_TEST,		/* TEST mem, reg/imm: flags only */
};

#define MMIO_INSN_MAX 15	/* the longest x86 instruction */

struct mmio_insn {
	enum mmio_kind kind;
	unsigned int len;	/* instruction bytes */
	unsigned int size;	/* memory operand bytes: 1, 2, 4, 8 */
	unsigned int reg_size;	/* register operand bytes (> size for MOVZX) */
	unsigned int reg;	/* 0-15 in encoding order (rax rcx rdx rbx rsp ...) */
	bool high8;		/* AH, CH, DH, BH: bits 15:8 of reg - 4 */
	u64 imm;		/* MMIO_STORE_IMM, CMP/TEST with has_imm: sign-extended to size */
	bool has_imm;		/* CMP/TEST: the other operand is imm, not reg */
	bool reverse;		/* CMP reg, mem: reg - mem */
};

/*
 * Decode the 64-bit-mode instruction in @buf (@avail bytes fetched) as one
 * of the MOVs, CMPs or TESTs above with a memory operand (CMP and TEST
 * only read: what firmware-table scans do to a refused page). 0 with *@insn; -EINVAL for
 * anything else (other opcodes, LOCK/REP, register operands); -E2BIG when
 * it runs past @avail.
 */
int mmio_decode(const u8 *buf, unsigned int avail, struct mmio_insn *insn);

#endif
