/* The guest command line: saved at boot, searched for key=value words. */
#ifndef GUEST_CMDLINE_H
#define GUEST_CMDLINE_H

#include <keel/types.h>

#define CMDLINE_MAX 1024

/* Copy @src (guest-physical, may be NULL) to the saved command line; cut at CMDLINE_MAX - 1. */
void cmdline_save(const char *src);
const char *cmdline_get(void);

/*
 * Find the space-separated word "@key=value" in @cmdline and copy value
 * to @val (@size bytes, always terminated). Returns true if found; a bare
 * "@key" counts, with an empty value.
 */
bool cmdline_param(const char *cmdline, const char *key, char *val,
		   size_t size);

/* "@key=N" with N a decimal number below 2^32 in *@val: true if found. */
bool cmdline_uint(const char *cmdline, const char *key, u32 *val);

#endif
