/* vCPUs: allocation and teardown of the generic part. */
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/page_alloc.h>
#include <keel/vcpu.h>
#include <public/xen.h>

BUILD_BUG_ON(sizeof(struct vcpu) > PAGE_SIZE);

struct vcpu *vcpu_create(struct domain *d, unsigned int id)
{
	struct vcpu *v = alloc_page();

	if (!v)
		return NULL;
	v->id = id;
	v->domain = d;
	v->state = VCPU_DOWN;
	if (id < XEN_LEGACY_MAX_VCPUS)
		v->vcpu_info = &d->shared_info->vcpu_info[id];
	return v;
}

void vcpu_destroy(struct vcpu *v)
{
	arch_vcpu_destroy(v);
	free_page(v);
}
