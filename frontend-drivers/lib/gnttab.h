/* Grant tables from the guest's side: the table placed in guest-physical space, granting pages, GNTTABOP wrappers. */
#ifndef GUEST_GNTTAB_H
#define GUEST_GNTTAB_H

#include <keel/types.h>
#include <public/grant_table.h>

#define GNTTAB_ENTRIES_PER_FRAME (4096 / sizeof(grant_entry_v1_t))

/*
 * Place frames 0..@nr_frames-1 of our grant table at the consecutive
 * guest-physical pages from @gpa (XENMAPSPACE_grant_table, as Linux PVH
 * does) and use them from there (identity mapped). Returns 0 or the
 * failed add_to_physmap's error.
 */
long gnttab_init(u64 gpa, unsigned int nr_frames);

/* Entry @ref of the table gnttab_init() placed. */
volatile grant_entry_v1_t *gnttab_entry(grant_ref_t ref);

/* Let @domid map or copy our page at guest-physical @gpa through @ref. */
void gnttab_grant_access(grant_ref_t ref, domid_t domid, u64 gpa,
			 bool readonly);
/* Revoke @ref: 0, or -EBUSY while it is mapped or copied (GTF_reading/writing). */
int gnttab_end_access(grant_ref_t ref);

/*
 * One GNTTABOP each. They return the hypercall's result (0 or -errno)
 * and store the op's GNTST_* code in *@status.
 */
long gnttab_map(domid_t dom, grant_ref_t ref, u64 gpa, u32 flags,
		grant_handle_t *handle, s16 *status);
long gnttab_unmap(grant_handle_t handle, u64 gpa, s16 *status);
long gnttab_copy(const struct gnttab_copy_ptr *source,
		 const struct gnttab_copy_ptr *dest, u16 len, u16 flags,
		 s16 *status);
long gnttab_query_size(domid_t dom, struct gnttab_query_size *q);

/* Copy endpoints: another domain's grant, or a page of our own. */
struct gnttab_copy_ptr gnttab_ref_ptr(domid_t dom, grant_ref_t ref, u16 offset);
struct gnttab_copy_ptr gnttab_local_ptr(u64 gpa, u16 offset);

#endif
