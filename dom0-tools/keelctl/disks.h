/* A domain's disks as a whole: checked, set up and written at create, torn down at its end. */
#ifndef KEELCTL_DISKS_H
#define KEELCTL_DISKS_H

#include <stdbool.h>
#include <stdint.h>
#include "disk_spec.h"
#include "disk_target.h"
#include "kc.h"

struct disk_set {
	unsigned int nr;
	struct disk_spec *spec;
	struct disk_phys *phys;		/* phy disks' block devices, once set up */
};

/*
 * Parses @nr specifications and checks every target (exists, readable, writable unless
 * read-only), before anything is created. 0, or -errno with a message naming @who.
 */
int disks_prepare(const char *who, char *const *texts, unsigned int nr, struct disk_set *s);

/*
 * Sets up phy disks' loop devices and writes every disk's xenstore entries for @domid in one
 * transaction (@vm: the owner's /vm path). On failure nothing is left: loops released.
 */
int disks_attach(struct kc *kc, const char *who, uint16_t domid, const char *vm,
		 struct disk_set *s);

/* Frees @s (loop devices stay: they belong to the xenstore entries now). */
void disk_set_free(struct disk_set *s);

/*
 * Removes every disk of @domid (those of @expect_vm only, when not NULL): xs_disks_remove()
 * with XS_DISK_TIMEOUT_MS. 0 or the first error.
 */
int disks_detach_all(struct kc *kc, uint16_t domid, const char *expect_vm, bool force);

#endif
