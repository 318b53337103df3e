/* The return stack buffer overwrite every VM-exit path runs before keel's first RET. */
#ifndef ASM_RSB_H
#define ASM_RSB_H

#ifdef __ASSEMBLER__
/*
 * The guest filled the return stack buffer: overwrite its 32 entries before keel's first RET,
 * so that none of keel's returns is predicted to a guest-chosen address (Xen's
 * DO_OVERWRITE_RSB on every exit from HVM). Unrolled: 32 calls, each leading to an INT3
 * should a prediction be used, then their return addresses dropped at once (33 instructions,
 * where a loop of two a round takes 82). scripts/check-spectre.sh counts the calls.
 */
.macro OVERWRITE_RSB
	.rept	32
	call	1f
	int3
1:
	.endr
	addq	$(32 * 8), %rsp
	lfence				/* no RET before the calls are done */
.endm
#endif

#endif
