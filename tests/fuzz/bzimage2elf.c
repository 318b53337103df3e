/* Fuzz harness: bzimage2elf, then keel's PVH ELF check, as keelctl runs them. */
/*
 * dom0's toolstack unpacks guest kernels with it: find and decompress the payload, check
 * the ELF, then hand it to keel's loader.
 */
#include <keel/elf.h>
#include <keel/pvh_layout.h>
#include "bzimage2elf.h"
#include "fuzz_input.h"

/* Far below BZIMAGE_OUT_MAX: the fuzzer runs many inputs in a few GiB. */
#define FUZZ_OUT_MAX (16UL << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *in = fuzz_dup(data, size), *out = NULL;
	size_t out_len = 0, off, plen;
	struct pvh_kernel k;
	char err[256];
	u64 entry;

	if (!bzimage_payload(in, size, &off, &plen, err, sizeof(err)) &&
	    (off > size || plen > size - off || !plen))
		__builtin_trap();
	if (!bzimage_extract_max(in, size, FUZZ_OUT_MAX, &out, &out_len, err, sizeof(err))) {
		if (!out || out_len > FUZZ_OUT_MAX)
			__builtin_trap();
		/* What it accepted passes its own check again, on an exact-size copy. */
		uint8_t *elf = fuzz_dup(out, out_len);

		if (elf_pvh_entry(elf, out_len, &entry, err, sizeof(err)) ||
		    entry > 0xffffffffULL)
			__builtin_trap();
		/* keelctl's next step (kernel_image.c). */
		pvh_elf_check(elf, out_len, MiB(256), &k);
		free(elf);
		free(out);
	} else if (out) {
		__builtin_trap();
	}
	free(in);
	return 0;
}
