/* Bringing up the other CPUs: the maxcpus= limit and the generic entry of an application processor. */
#ifndef KEEL_SMP_H
#define KEEL_SMP_H

#include <keel/types.h>

/* maxcpus=<n>: at most this many CPUs are brought up (boot CPU included). */
extern unsigned int smp_max_cpus;

/*
 * smp_ap_main() - where an application processor goes once the
 * architecture has set it up (descriptor tables, interrupt controller,
 * VMX root operation): it marks itself online and never returns.
 */
void __noreturn smp_ap_main(void);

#endif
