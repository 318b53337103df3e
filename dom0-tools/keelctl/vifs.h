/* A domain's vifs as a whole: checked and numbered at create, written, torn down at its end. */
#ifndef KEELCTL_VIFS_H
#define KEELCTL_VIFS_H

#include <stdbool.h>
#include <stdint.h>
#include "kc.h"
#include "vif_spec.h"

struct vif_set {
	unsigned int nr;
	struct vif_spec *spec;
};

/*
 * Parses @nr specifications, gives the vifs without devid= the ids after the largest one
 * given (libxl: 0, 1, ...) and those without mac= a random one; refuses two vifs with one id
 * or one MAC. 0, or -errno with a message naming @who.
 */
int vifs_prepare(const char *who, char *const *texts, unsigned int nr, struct vif_set *s);

/*
 * Writes every vif's xenstore entries for @domid in one transaction (@vm: the owner's /vm
 * path), then does the vif-bridge work of each backendtype=kernel vif. On failure nothing
 * is left.
 */
int vifs_attach(struct kc *kc, const char *who, uint16_t domid, const char *vm,
		struct vif_set *s);

void vif_set_free(struct vif_set *s);

/* Removes every vif of @domid (those of @expect_vm only, when not NULL). */
int vifs_detach_all(struct kc *kc, uint16_t domid, const char *expect_vm, bool force);

#endif
