/* The ELF64 definitions keel.efi needs: the hypervisor's own (keel/elf.h), plus identification indices. */
#ifndef KEEL_EFI_ELF64_H
#define KEEL_EFI_ELF64_H

#include <keel/elf.h>

#define EI_NIDENT	16
#define ELFMAG		"\177ELF"
#define EI_CLASS	4
#define EI_DATA		5
#define EI_VERSION	6
#define EV_CURRENT	1

#endif
