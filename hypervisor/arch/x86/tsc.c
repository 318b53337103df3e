/*
 * Guest TSCs: a domain's counts from 0 when its boot vCPU is set up; on
 * top, each vCPU's IA32_TSC_ADJUST, which its TSC and TSC_ADJUST writes
 * move. Guest TSC = host TSC - domain origin + TSC_ADJUST.
 */
#include <keel/arch.h>
#include <keel/assert.h>
#include <keel/domain.h>
#include <keel/percpu.h>
#include <keel/vcpu.h>
#include <asm/hvm.h>
#include <asm/processor.h>
#include <asm/vmcs.h>
#include <asm/vmx_internal.h>

static u64 next_domain_uid = 1;

/*
 * Before @v's VMCS is made. The boot vCPU comes first (the others start
 * from its SIPI or VCPUOP_up), and fixes its domain's TSC origin and uid.
 */
void tsc_vcpu_init(struct vcpu *v)
{
	struct arch_domain *d = &v->domain->arch;

	if (!d->uid) {
		ASSERT(v->id == 0);
		d->tsc_origin = rdtsc();
		d->uid = __atomic_fetch_add(&next_domain_uid, 1, __ATOMIC_SEQ_CST);
	}
	v->arch.tsc_adjust = 0;
}

/* The VMCS's TSC offset for @v. */
u64 tsc_offset(const struct vcpu *v)
{
	return v->arch.tsc_adjust - v->domain->arch.tsc_origin;
}

u64 arch_vcpu_guest_tsc(const struct vcpu *v, u64 host_tsc)
{
	return host_tsc + tsc_offset(v);
}

u64 tsc_read(const struct vcpu *v)
{
	return arch_vcpu_guest_tsc(v, rdtsc());
}

/* @v is loaded and running here: its new offset, and its pvclock's stamp in the new TSC. */
static void tsc_moved(struct vcpu *v)
{
	ASSERT(this_cpu()->curr == v);
	hvm_set_tsc_offset(v, tsc_offset(v));
	vcpu_update_time(v);
}

/* WRMSR IA32_TSC: the architecture moves TSC_ADJUST by the same step. */
void tsc_write(struct vcpu *v, u64 val)
{
	v->arch.tsc_adjust += val - tsc_read(v);
	tsc_moved(v);
}

void tsc_adjust_write(struct vcpu *v, u64 val)
{
	v->arch.tsc_adjust = val;
	tsc_moved(v);
}
