/* A pool of the guest's own grant references: a stack of free refs. */
#include "grefs.h"

static grant_ref_t stack[GREFS_MAX];
static u32 top;

void grefs_init(grant_ref_t first, u32 count)
{
	top = 0;
	if (!first)
		first = 1, count = count ? count - 1 : 0;
	for (u32 i = 0; i < count && i < GREFS_MAX; i++)
		stack[top++] = first + count - 1 - i;
}

grant_ref_t gref_get(void)
{
	return top ? stack[--top] : 0;
}

void gref_put(grant_ref_t ref)
{
	if (ref && top < GREFS_MAX)
		stack[top++] = ref;
}

u32 grefs_free(void)
{
	return top;
}
