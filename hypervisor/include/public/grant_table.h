/* grant_table_op hypercall: v1 grant entries, GNTTABOP_* numbers, op structs and GNTST_* codes (Xen's ABI). */
#ifndef PUBLIC_GRANT_TABLE_H
#define PUBLIC_GRANT_TABLE_H

#include <keel/types.h>
#include <public/xen.h>

typedef u32 grant_ref_t;
typedef u32 grant_handle_t;

/* One v1 entry of the table a domain shares with the hypervisor. */
struct grant_entry_v1 {
	u16 flags;		/* GTF_* */
	domid_t domid;		/* the domain granted access */
	u32 frame;		/* the granted frame (a GFN for PVH/HVM) */
};
typedef struct grant_entry_v1 grant_entry_v1_t;

#define GNTTAB_NR_RESERVED_ENTRIES 8	/* for the toolstack */
#define GNTTAB_RESERVED_CONSOLE 0
#define GNTTAB_RESERVED_XENSTORE 1

/* Entry type (bits 0-1) and flags. */
#define GTF_invalid (0U << 0)
#define GTF_permit_access (1U << 0)
#define GTF_accept_transfer (2U << 0)
#define GTF_transitive (3U << 0)
#define GTF_type_mask (3U << 0)
#define GTF_readonly (1U << 2)		/* the grantee may only read */
#define GTF_reading (1U << 3)		/* set by Xen while the frame is in use */
#define GTF_writing (1U << 4)		/* set by Xen while it is written */
#define GTF_PWT (1U << 5)
#define GTF_PCD (1U << 6)
#define GTF_PAT (1U << 7)
#define GTF_sub_page (1U << 8)
#define GTF_transfer_committed (1U << 2)
#define GTF_transfer_completed (1U << 3)

#define GNTTABOP_map_grant_ref 0
#define GNTTABOP_unmap_grant_ref 1
#define GNTTABOP_setup_table 2
#define GNTTABOP_dump_table 3
#define GNTTABOP_transfer 4
#define GNTTABOP_copy 5
#define GNTTABOP_query_size 6
#define GNTTABOP_unmap_and_replace 7
#define GNTTABOP_set_version 8
#define GNTTABOP_get_status_frames 9
#define GNTTABOP_get_version 10
#define GNTTABOP_swap_grant_ref 11
#define GNTTABOP_cache_flush 12

/* GNTMAP_* flags of map_grant_ref. */
#define GNTMAP_device_map (1 << 0)
#define GNTMAP_host_map (1 << 1)
#define GNTMAP_readonly (1 << 2)
#define GNTMAP_application_map (1 << 3)
#define GNTMAP_contains_pte (1 << 4)

/* Map @dom's grant @ref at @host_addr (for PVH: a guest-physical address). */
struct gnttab_map_grant_ref {
	u64 host_addr;			/* in */
	u32 flags;			/* in: GNTMAP_* */
	grant_ref_t ref;		/* in */
	domid_t dom;			/* in */
	s16 status;			/* out: GNTST_* */
	grant_handle_t handle;		/* out */
	u64 dev_bus_addr;		/* out */
};

struct gnttab_unmap_grant_ref {
	u64 host_addr;			/* in */
	u64 dev_bus_addr;		/* in: 0, or the address map returned */
	grant_handle_t handle;		/* in */
	s16 status;			/* out */
};

/* Make @dom's table @nr_frames big and list the frames (GFNs for PVH). */
struct gnttab_setup_table {
	domid_t dom;			/* in */
	u32 nr_frames;			/* in */
	s16 status;			/* out */
	u64 frame_list;			/* in: guest handle of xen_pfn_t[nr_frames] */
};

#define GNTCOPY_source_gref (1 << 0)
#define GNTCOPY_dest_gref (1 << 1)

struct gnttab_copy_ptr {
	union {
		grant_ref_t ref;	/* with GNTCOPY_*_gref */
		u64 gmfn;		/* else: a frame of the caller's own */
	} u;
	domid_t domid;
	u16 offset;
};

/* Copy @len bytes within one page from @source to @dest. */
struct gnttab_copy {
	struct gnttab_copy_ptr source, dest;	/* in */
	u16 len;			/* in */
	u16 flags;			/* in: GNTCOPY_* */
	s16 status;			/* out */
};

struct gnttab_query_size {
	domid_t dom;			/* in */
	u32 nr_frames;			/* out */
	u32 max_nr_frames;		/* out */
	s16 status;			/* out */
};

struct gnttab_set_version {
	u32 version;			/* in: wanted; out: in force */
};

struct gnttab_get_version {
	domid_t dom;			/* in */
	u16 pad;
	u32 version;			/* out */
};

#define GNTST_okay 0
#define GNTST_general_error (-1)
#define GNTST_bad_domain (-2)
#define GNTST_bad_gntref (-3)
#define GNTST_bad_handle (-4)
#define GNTST_bad_virt_addr (-5)
#define GNTST_bad_dev_addr (-6)
#define GNTST_no_device_space (-7)
#define GNTST_permission_denied (-8)
#define GNTST_bad_page (-9)
#define GNTST_bad_copy_arg (-10)
#define GNTST_address_too_big (-11)
#define GNTST_eagain (-12)
#define GNTST_no_space (-13)

#endif
