/* Xen ELF notes keel reads from guest kernels (name "Xen"). */
#ifndef PUBLIC_ELFNOTE_H
#define PUBLIC_ELFNOTE_H

#define XEN_ELFNOTE_ENTRY 1
#define XEN_ELFNOTE_HYPERCALL_PAGE 2
#define XEN_ELFNOTE_GUEST_OS 6
#define XEN_ELFNOTE_FEATURES 10
#define XEN_ELFNOTE_PHYS32_ENTRY 18

#endif
