/* keel's GNU build-id, as the linker stored it in .rodata (ld --build-id): XENVER_build_id. */
#include <keel/build_info.h>
#include <keel/elf.h>
#include <keel/errno.h>
#include <keel/string.h>

#define NT_GNU_BUILD_ID 3

/* The note .note.gnu.build-id, placed between these by the linker script. */
extern const u8 __note_gnu_build_id_start[], __note_gnu_build_id_end[];

int keel_build_id(const void **id, unsigned int *len)
{
	u64 size = __note_gnu_build_id_end - __note_gnu_build_id_start;
	struct elf_note n;

	if (size < sizeof(n))
		return -ENODATA;
	memcpy(&n, __note_gnu_build_id_start, sizeof(n));
	if (n.type != NT_GNU_BUILD_ID || n.namesz != 4 || !n.descsz ||
	    sizeof(n) + 4 + (u64)n.descsz > size ||
	    memcmp(__note_gnu_build_id_start + sizeof(n), "GNU", 4))
		return -ENODATA;
	*id = __note_gnu_build_id_start + sizeof(n) + 4;
	*len = n.descsz;
	return 0;
}
