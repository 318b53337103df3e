/* What keel reads from the host FADT (and the DSDT's \_S5): the fixed I/O registers it traps. */
#ifndef ASM_FADT_H
#define ASM_FADT_H

#include <keel/types.h>
#include <asm/acpi_walk.h>

#define FADT_MAX_PBLKS 4

/* I/O ports are 0 when the host has none (or has it in memory space, beyond a port trap). */
struct fadt_ports {
	u16 sci, smi_cmd;		/* for the record: both stay dom0's */
	u16 pm1a_cnt, pm1b_cnt;
	u8 pm1_cnt_len;
	u16 pm_tmr;
	u8 pm_tmr_len;
	u16 reset_port;			/* RESET_REG when in I/O space */
	u8 reset_value;
	bool s5_known;			/* \_S5 found in the DSDT or an SSDT */
	u8 s5_typ_a, s5_typ_b;		/* its SLP_TYP for PM1a and PM1b */
	unsigned int nr_pblks;
	u16 pblks[FADT_MAX_PBLKS];	/* processor blocks (P_LVL2 = +4, P_LVL3 = +5) */
};

/*
 * fadt_read() - the FADT's fixed registers, \_S5 from the DSDT (else an
 * SSDT) and the processor blocks of the DSDT's and SSDTs' Processor objects.
 * @return 0 with *@f filled (missing DSDT or \_S5 only warn), -ENOENT
 * without a FADT, -EINVAL when it is malformed.
 */
int fadt_read(const struct acpi_walk *w, struct fadt_ports *f);

/* aml_find_s5() - \_S5's package in AML @aml of @len bytes: true with both SLP_TYPs. */
bool aml_find_s5(const u8 *aml, u32 len, u8 *typ_a, u8 *typ_b);

/* aml_add_pblks() - add the P_BLK of every Processor object in @aml (6-byte blocks only). */
void aml_add_pblks(const u8 *aml, u32 len, struct fadt_ports *f);

#endif
