/* The MOV decoder behind MMIO emulation: the loads and stores Linux uses on device registers. */
#include <keel/errno.h>
#include <asm/mmio.h>

#define REX_W BIT(3)
#define REX_R BIT(2)

/* Bytes of ModRM's memory operand after the ModRM byte itself (SIB, displacement). */
static int modrm_tail(const u8 *p, unsigned int avail, unsigned int *tail)
{
	unsigned int mod, rm, n = 0;

	if (!avail)
		return -E2BIG;
	mod = p[0] >> 6;
	rm = p[0] & 7;
	if (mod == 3)
		return -EINVAL;		/* a register operand: no memory access */
	if (rm == 4) {			/* SIB */
		if (avail < 2)
			return -E2BIG;
		n = 1;
		if (mod == 0 && (p[1] & 7) == 5)
			n += 4;		/* no base: disp32 */
	} else if (mod == 0 && rm == 5) {
		n = 4;			/* RIP-relative disp32 */
	}
	n += mod == 1 ? 1 : mod == 2 ? 4 : 0;
	*tail = n;
	return 0;
}

int mmio_decode(const u8 *buf, unsigned int avail, struct mmio_insn *insn)
{
	unsigned int i = 0, opsize = 4, tail, imm_size = 0;
	bool has_rex = false;
	u8 rex = 0, op;
	int rc;

	if (avail > MMIO_INSN_MAX)
		avail = MMIO_INSN_MAX;
	/* Legacy prefixes: operand size and the segment overrides (keel has the address). */
	for (;; i++) {
		if (i >= avail)
			return -E2BIG;
		if (buf[i] == 0x66)
			opsize = 2;
		else if (buf[i] != 0x26 && buf[i] != 0x2e && buf[i] != 0x36 &&
			 buf[i] != 0x3e && buf[i] != 0x64 && buf[i] != 0x65)
			break;
	}
	if ((buf[i] & 0xf0) == 0x40) {	/* REX: the last prefix */
		has_rex = true;
		rex = buf[i++];
		if (rex & REX_W)
			opsize = 8;
	}
	if (i >= avail)
		return -E2BIG;
	op = buf[i++];
	*insn = (struct mmio_insn){ .size = opsize, .reg_size = opsize };
	switch (op) {
	case 0x88:
	case 0x8a:
		insn->size = insn->reg_size = 1;
		/* fallthrough */
	case 0x89:
	case 0x8b:
		insn->kind = op & 2 ? MMIO_LOAD : MMIO_STORE;
		break;
	case 0xc6:
		insn->size = insn->reg_size = 1;
		/* fallthrough */
	case 0xc7:
		insn->kind = MMIO_STORE_IMM;
		imm_size = insn->size == 8 ? 4 : insn->size;
		break;
	case 0x0f:			/* MOVZX r, r/m8 and r, r/m16 */
		if (i >= avail)
			return -E2BIG;
		op = buf[i++];
		if (op != 0xb6 && op != 0xb7)
			return -EINVAL;
		insn->kind = MMIO_LOAD;
		insn->size = op == 0xb6 ? 1 : 2;
		break;
	default:
		return -EINVAL;
	}
	if (i >= avail)
		return -E2BIG;
	/* C6/C7 are MOV only with ModRM.reg 0. */
	if (imm_size && ((buf[i] >> 3) & 7))
		return -EINVAL;
	insn->reg = ((buf[i] >> 3) & 7) | (rex & REX_R ? 8 : 0);
	if (insn->reg_size == 1 && !has_rex && insn->reg >= 4) {
		insn->high8 = true;		/* AH, CH, DH, BH */
		insn->reg -= 4;
	}
	rc = modrm_tail(buf + i, avail - i, &tail);
	if (rc)
		return rc;
	i += 1 + tail;
	if (i + imm_size > avail)
		return -E2BIG;
	for (unsigned int b = 0; b < imm_size; b++)
		insn->imm |= (u64)buf[i + b] << (8 * b);
	if (imm_size == 4 && insn->size == 8)
		insn->imm = (u64)(s64)(s32)insn->imm;
	insn->len = i + imm_size;
	return 0;
}
