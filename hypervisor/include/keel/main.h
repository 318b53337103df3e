/* The generic start of the hypervisor, entered by the arch boot code. */
#ifndef KEEL_MAIN_H
#define KEEL_MAIN_H

#include <keel/types.h>

#define KEEL_VERSION "0.1"

/* Everything after the loader's information is in boot_info. */
void __noreturn keel_main(void);

#endif
