/* Grant tables from the guest's side: placing the table, granting and revoking access, and the GNTTABOP wrappers. */
#include <keel/errno.h>
#include <public/memory.h>
#include "gnttab.h"
#include "hypercall.h"

static volatile grant_entry_v1_t *table;

long gnttab_init(u64 gpa, unsigned int nr_frames)
{
	for (unsigned int i = 0; i < nr_frames; i++) {
		struct xen_add_to_physmap x = {
			.domid = DOMID_SELF, .space = XENMAPSPACE_grant_table,
			.idx = i, .gpfn = (gpa >> 12) + i,
		};
		long rc = HYPERVISOR_memory_op(XENMEM_add_to_physmap, &x);

		if (rc)
			return rc;
	}
	table = (volatile grant_entry_v1_t *)(uptr)gpa;
	return 0;
}

volatile grant_entry_v1_t *gnttab_entry(grant_ref_t ref)
{
	return &table[ref];
}

/* As Linux: frame and domid first, then the flags that make it valid. */
void gnttab_grant_access(grant_ref_t ref, domid_t domid, u64 gpa,
			 bool readonly)
{
	volatile grant_entry_v1_t *e = gnttab_entry(ref);

	e->frame = gpa >> 12;
	e->domid = domid;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	e->flags = GTF_permit_access | (readonly ? GTF_readonly : 0);
}

int gnttab_end_access(grant_ref_t ref)
{
	u16 *flags = (u16 *)&gnttab_entry(ref)->flags;
	u16 old = __atomic_load_n(flags, __ATOMIC_SEQ_CST);

	do {
		if (old & (GTF_reading | GTF_writing))
			return -EBUSY;
	} while (!__atomic_compare_exchange_n(flags, &old, 0, false,
					      __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	return 0;
}

long gnttab_map(domid_t dom, grant_ref_t ref, u64 gpa, u32 flags,
		grant_handle_t *handle, s16 *status)
{
	struct gnttab_map_grant_ref op = {
		.host_addr = gpa, .flags = flags, .ref = ref, .dom = dom,
	};
	long rc = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &op, 1);

	*status = op.status;
	if (handle)
		*handle = op.handle;
	return rc;
}

long gnttab_unmap(grant_handle_t handle, u64 gpa, s16 *status)
{
	struct gnttab_unmap_grant_ref op = { .host_addr = gpa, .handle = handle };
	long rc = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1);

	*status = op.status;
	return rc;
}

long gnttab_copy(const struct gnttab_copy_ptr *source,
		 const struct gnttab_copy_ptr *dest, u16 len, u16 flags,
		 s16 *status)
{
	struct gnttab_copy op = {
		.source = *source, .dest = *dest, .len = len, .flags = flags,
	};
	long rc = HYPERVISOR_grant_table_op(GNTTABOP_copy, &op, 1);

	*status = op.status;
	return rc;
}

long gnttab_query_size(domid_t dom, struct gnttab_query_size *q)
{
	*q = (struct gnttab_query_size){ .dom = dom };
	return HYPERVISOR_grant_table_op(GNTTABOP_query_size, q, 1);
}

struct gnttab_copy_ptr gnttab_ref_ptr(domid_t dom, grant_ref_t ref, u16 offset)
{
	return (struct gnttab_copy_ptr){ .u.ref = ref, .domid = dom,
					 .offset = offset };
}

struct gnttab_copy_ptr gnttab_local_ptr(u64 gpa, u16 offset)
{
	return (struct gnttab_copy_ptr){ .u.gmfn = gpa >> 12,
					 .domid = DOMID_SELF, .offset = offset };
}
