/* The host world of the net frontend's test against keel-netback: its core on nb_fake.c, a bridge and dom0's host. */
#ifndef TESTS_UNIT_NBW_WORLD_H
#define TESTS_UNIT_NBW_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#define NBW_DOMID 5

/* Vifs 0..@n-1 of domain 5 (as keelctl writes them, MACs 00:16:3e:00:00:<n>); the backend runs. */
void nbw_setup(unsigned int n);
void nbw_teardown(void);
/* Grant pages mapped, ports bound and TAP devices open in keel-netback now. */
unsigned int nbw_maps(void);
unsigned int nbw_ports(void);
unsigned int nbw_taps(void);
/* A node as dom0 sees it (NULL when missing). */
const char *nbw_read(const char *path);

#endif
