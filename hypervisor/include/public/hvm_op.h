/* hvm_op hypercall: parameters and the upcall vector (Xen's values). */
#ifndef PUBLIC_HVM_OP_H
#define PUBLIC_HVM_OP_H

#include <keel/types.h>
#include <public/xen.h>

#define HVMOP_set_param 0
#define HVMOP_get_param 1
#define HVMOP_pagetable_dying 9
#define HVMOP_set_evtchn_upcall_vector 23

#define HVM_PARAM_CALLBACK_IRQ 0
#define HVM_PARAM_STORE_PFN 1
#define HVM_PARAM_STORE_EVTCHN 2
#define HVM_PARAM_VM86_TSS 15
#define HVM_PARAM_CONSOLE_PFN 17
#define HVM_PARAM_CONSOLE_EVTCHN 18
#define HVM_PARAM_ACPI_IOPORTS_LOCATION 19
/* The SHUTDOWN_* reason a triple fault shuts the domain down with (default: reboot). */
#define HVM_PARAM_TRIPLE_FAULT_REASON 31
#define HVM_PARAM_VM_GENERATION_ID_ADDR 34
#define HVM_PARAM_ALTP2M 35
#define HVM_PARAM_X87_FIP_WIDTH 36
#define HVM_PARAM_VM86_TSS_SIZED 37

/* CALLBACK_IRQ value: type in bits 63:56; type 2 delivers a vector (bits 7:0). */
#define HVM_PARAM_CALLBACK_TYPE_VECTOR 2

struct xen_hvm_param {
	domid_t domid;
	u32 index;
	u64 value;
};

struct xen_hvm_evtchn_upcall_vector {
	u32 vcpu;
	u8 vector;
};

#endif
