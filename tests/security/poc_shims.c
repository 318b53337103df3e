/* What the audit's poc_hv.c needs from keel today and does not define (tests/security/poc-run.sh). */
/*
 * poc_hv.c was written against commit f21af78. Since then version.c reports
 * build facts, grant batches take continuations, and every host frame has a
 * frame-table entry (mm/frame.c) that the PoC's setup() does not create: the
 * table is set up here when the PoC hands keel's allocator its RAM.
 */
#include <stdlib.h>
#include <keel/bootinfo.h>
#include <keel/build_info.h>
#include <keel/errno.h>
#include <keel/frame.h>
#include <keel/hypercall.h>
#include <keel/page_alloc.h>

/* setup(): page_alloc_init(&host_pages, ...), then page_alloc_add_free(). */
void __real_page_alloc_add_free(struct page_allocator *pa, u64 start, u64 end);

void __wrap_page_alloc_add_free(struct page_allocator *pa, u64 start, u64 end)
{
	static u64 *frame_words;

	if (pa == &host_pages && !frame_words) {
		frame_words = calloc(pa->nr_pfns, sizeof(u64));
		if (!frame_words)
			abort();
		frame_table_init(frame_words, pa->nr_pfns);
	}
	__real_page_alloc_add_free(pa, start, end);
}

/* The PoC's batches are single operations: none is preempted. */
long hypercall_create_continuation(struct vcpu *v, unsigned int nr,
				   const unsigned long *args, unsigned int nargs)
{
	abort();
}

/* What version.c reports: not what the PoC looks at. */
const char keel_compiler[] = "gcc", keel_compile_by[] = "poc";
const char keel_compile_domain[] = "poc", keel_compile_date[] = "today";
const char keel_changeset[] = "poc";
struct boot_info boot_info;

int keel_build_id(const void **id, unsigned int *len)
{
	return -ENODATA;
}

const char *arch_xen_caps(void)
{
	return "hvm-3.0-x86_64";
}
