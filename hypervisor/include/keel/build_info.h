/* What keel was built from and with: xen_version's compile_info, changeset and build_id. */
#ifndef KEEL_BUILD_INFO_H
#define KEEL_BUILD_INFO_H

#include <keel/types.h>

/*
 * Written at build time into $(BUILD)/compile_info.c by scripts/compile-info.sh,
 * as Xen's compile.h: the compiler's first --version line, the user and DNS
 * domain that built keel, the date of the build's source (its last commit,
 * or SOURCE_DATE_EPOCH: reproducible), and the git revision ("<commit date>
 * git:<short hash>[-dirty]", "unavailable" outside git).
 */
extern const char keel_compiler[];
extern const char keel_compile_by[];
extern const char keel_compile_domain[];
extern const char keel_compile_date[];
extern const char keel_changeset[];

/*
 * keel's GNU build-id (ld --build-id) and its length in bytes: 0, or
 * -ENODATA when the image carries none.
 */
int keel_build_id(const void **id, unsigned int *len);

#endif
