/* MMIO emulation: the MOV decoder, per-domain MMIO handlers and the EPT-violation hook. */
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

/*
 * The EPT violation of @v at @gpa (exit qualification @q): emulate the
 * instruction when a handler claims @gpa, or refuse it for a hardware
 * domain. true when handled (RIP moved on), false when the caller must
 * crash the domain; *@why then says why.
 */
bool mmio_handle(struct vcpu *v, u64 gpa, u64 q, const char **why);

/* ---- the decoder (mmio_decode.c, pure) ---- */

enum mmio_kind {
	MMIO_LOAD,		/* MOV reg, mem; MOVZX reg, mem */
	MMIO_STORE,		/* MOV mem, reg */
	MMIO_STORE_IMM,		/* MOV mem, imm */
};

#define MMIO_INSN_MAX 15	/* the longest x86 instruction */

struct mmio_insn {
	enum mmio_kind kind;
	unsigned int len;	/* instruction bytes */
	unsigned int size;	/* memory operand bytes: 1, 2, 4, 8 */
	unsigned int reg_size;	/* register operand bytes (> size for MOVZX) */
	unsigned int reg;	/* 0-15 in encoding order (rax rcx rdx rbx rsp ...) */
	bool high8;		/* AH, CH, DH, BH: bits 15:8 of reg - 4 */
	u64 imm;		/* MMIO_STORE_IMM, sign-extended to size */
};

/*
 * Decode the 64-bit-mode instruction in @buf (@avail bytes fetched) as one
 * of the MOVs above with a memory operand. 0 with *@insn; -EINVAL for
 * anything else (other opcodes, LOCK/REP, register operands); -E2BIG when
 * it runs past @avail.
 */
int mmio_decode(const u8 *buf, unsigned int avail, struct mmio_insn *insn);

#endif
