/* VT-x or SVM, chosen once at boot, and the guest-state accessors the shared x86 emulation uses. */
#ifndef ASM_HVM_H
#define ASM_HVM_H

#include <keel/types.h>

struct vcpu;
struct domain;

/* Set once by arch_virt_init() on the boot CPU, before any vCPU exists. */
extern bool hvm_svm;

/* VT-x or SVM on a CPU other than the boot CPU, as the boot CPU chose. */
int hvm_cpu_init(void);

/* Guest state of the vCPU this CPU runs (its VMCS loaded, or its VMCB). */
enum hvm_reg { HVM_RIP, HVM_RSP, HVM_RFLAGS, HVM_CR0, HVM_CR3, HVM_CR4, HVM_EFER, HVM_DEBUGCTL };
u64 hvm_get(enum hvm_reg r);
void hvm_set(enum hvm_reg r, u64 val);

/*
 * Step over the instruction that exited. VT-x gives its length; SVM
 * without NRIP save (QEMU's TCG) does not, so the caller names the
 * length of the instruction it emulates (CPUID 2, RDMSR/WRMSR 2).
 */
void hvm_skip_insn(unsigned int len);
/* Step over @len bytes keel decoded itself (MMIO), with hvm_skip_insn()'s rules. */
void hvm_skip_bytes(unsigned int len);
/* Does the guest run 64-bit code (long mode and CS.L)? */
bool hvm_guest_64bit(void);
void hvm_inject_exception(unsigned int vector, bool has_error, u32 error);
/* The guest TSC offset of the running @v changed (tsc.c). */
void hvm_set_tsc_offset(struct vcpu *v, u64 offset);

/* An IN, OUT, INS or OUTS that exited, as either backend reports it (io_emul.c). */
struct io_exit {
	u16 port;
	u8 size;		/* 1, 2 or 4 bytes */
	u8 addr_size;		/* INS/OUTS: 2, 4 or 8 bytes of RSI/RDI/RCX */
	u8 len;			/* instruction bytes, for hvm_skip_insn() */
	bool in, string, rep;
};
bool handle_io_exit(struct vcpu *v, const struct io_exit *e);

/*
 * exc_combine() - exception @second raised while exception @first is
 * being delivered: @second, X86_EXC_DF (error code 0), or
 * EXC_TRIPLE_FAULT (exc_combine.c).
 */
#define EXC_TRIPLE_FAULT (-1)
int exc_combine(unsigned int first, unsigned int second);

/*
 * hvm_p2m_kick() - @d's ept_stale bits are set: every other CPU in a
 * guest now is sent an IPI and waited for until it has left the guest or
 * cleared its bit (flushed @d), so no CPU still uses a removed mapping.
 */
void hvm_p2m_kick(struct domain *d);

/* SVM's side of the arch hooks (svm/); VT-x's are vmx_* (vmx/). */
int svm_virt_init(void);
int svm_cpu_init(void);
int svm_vcpu_init(struct vcpu *v, u32 entry, u32 start_info);
void svm_vcpu_destroy(struct vcpu *v);
void svm_vcpu_switch_in(struct vcpu *v);
void svm_vcpu_switch_out(struct vcpu *v);
void svm_vcpu_run(struct vcpu *v);
u64 svm_get(enum hvm_reg r);
void svm_set(enum hvm_reg r, u64 val);
void svm_skip_insn(unsigned int len);
void svm_skip_bytes(unsigned int len);
bool svm_guest_64bit(void);
void svm_inject_exception(unsigned int vector, bool has_error, u32 error);

int vmx_virt_init(void);
int vmx_vcpu_init(struct vcpu *v, u32 entry, u32 start_info);
void vmx_vcpu_destroy(struct vcpu *v);
void vmx_vcpu_switch_in(struct vcpu *v);
void vmx_vcpu_switch_out(struct vcpu *v);
void vmx_vcpu_run(struct vcpu *v);

/* p2m formats: EPT (vmx/ept.c) and AMD's nested paging (svm/npt.c). */
struct pt_format;
const struct pt_format *ept_format_get(void);
u64 ept_attr(unsigned int access);
unsigned int ept_access(u64 attr);
void ept_set_p2m(struct domain *d);
void ept_p2m_teardown(struct domain *d);
void ept_p2m_flush(struct domain *d);
extern const struct pt_format npt_format;
u64 npt_attr(unsigned int access);
unsigned int npt_access(u64 attr);
void npt_p2m_teardown(struct domain *d);
void npt_p2m_flush(struct domain *d);

#endif
