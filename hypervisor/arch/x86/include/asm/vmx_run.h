/* What vmx_exit() answers after each VM exit, and vmx_enter() returns: shared by vmx_entry.S and C. */
#ifndef ASM_VMX_RUN_H
#define ASM_VMX_RUN_H

/* Handled, nothing left for the run loop: vmx_entry.S enters the guest again at once. */
#define VMX_RUN_ENTER 0
/* VMLAUNCH or VMRESUME failed (never from vmx_exit()). */
#define VMX_RUN_FAILED 1
/* Handled; the vCPU goes on after the run loop's entry work (an interrupt, a reschedule, ...). */
#define VMX_RUN_AGAIN 2
/* Handled; back to the scheduler loop (blocked, yielding, a host interrupt, a stopped domain). */
#define VMX_RUN_STOP 3

#endif
