/* What the smp guest's boot vCPU and its real-mode AP code (ap.S) share. */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#define AP_START 0x8000			/* the startup IPI's page: vector 8 */
#define AP_FLAG (AP_START + 0xff0)	/* handshake word, below the code's end */
#define AP_CODE_MAX 0xff0

/* AP_FLAG: each side waits, spinning with PAUSE, for the other's step. */
#define AP_RUNNING 1		/* the AP set its state */
#define BSP_CHANGED 2		/* the BSP checked its own, then changed it */
#define AP_STATE_KEPT 3		/* the AP found its state intact */
#define AP_STATE_LOST 4

#define MSR_KERNEL_GS_BASE 0xc0000102
#define AP_CR2 0x00c0ffee
#define AP_KERNEL_GS 0x00ab0000
#define AP_FCW 0x037f		/* what FNINIT sets */

#endif
