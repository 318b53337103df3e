/* The x86 (VT-x) part of a domain. */
#ifndef ASM_DOMAIN_H
#define ASM_DOMAIN_H

#include <keel/cpumask.h>
#include <keel/types.h>

struct hwdom_ports;
struct mmio_claims;
struct hwdom_irq;

struct arch_domain {
	u64 eptp;		/* EPT pointer: root | WB | 4-level walk */
	cpumask_t ept_stale;	/* CPUs that must INVEPT before running it */
	/*
	 * Set when its boot vCPU is first set up (tsc.c): uid tells domains
	 * apart for IBPB (never reused, unlike ids and addresses), and its
	 * guest TSC counts from 0 at host TSC tsc_origin.
	 */
	u64 uid;
	u64 tsc_origin;
	/* A hardware dom0's port policy and I/O bitmap (hwdom_ports.c); NULL: every port exits. */
	struct hwdom_ports *hwdom_ports;
	struct mmio_claims *mmio;	/* MMIO handlers (mmio.c); NULL: none */
	struct hwdom_irq *hwirq;	/* a hardware domain's vIOAPICs, vPCI */
};

#endif
