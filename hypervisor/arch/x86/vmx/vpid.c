/* VPID allocation: a locked bitmap of the 65535 tags vCPUs may use; VPID 0 stays the host's. */
#include <keel/assert.h>
#include <keel/errno.h>
#include <keel/spinlock.h>
#include <asm/vpid.h>

#define WORD_BITS 64
#define VPID_WORDS ((VPID_MAX + 1) / WORD_BITS)

/* Bit n set: VPID n is held. Bit 0 counts as held for good: the host's. */
static u64 vpid_map[VPID_WORDS];
static unsigned int vpid_next_word;	/* where the search starts */
static unsigned int vpid_held;
DEFINE_SPINLOCK(vpid_lock);

int vpid_alloc(u16 *vpid)
{
	int rc = -ENOSPC;

	spin_lock(&vpid_lock);
	for (unsigned int n = 0; n < VPID_WORDS; n++) {
		unsigned int w = (vpid_next_word + n) % VPID_WORDS;
		u64 held = vpid_map[w] | (w == 0);
		unsigned int bit;

		if (held == ~0ULL)
			continue;
		bit = __builtin_ctzll(~held);
		vpid_map[w] |= 1ULL << bit;
		vpid_next_word = w;
		vpid_held++;
		*vpid = w * WORD_BITS + bit;
		ASSERT(*vpid != 0);
		rc = 0;
		break;
	}
	spin_unlock(&vpid_lock);
	return rc;
}

void vpid_free(u16 vpid)
{
	u64 bit = 1ULL << (vpid % WORD_BITS);

	if (!vpid)
		return;
	spin_lock(&vpid_lock);
	ASSERT(vpid_map[vpid / WORD_BITS] & bit);	/* freed twice */
	vpid_map[vpid / WORD_BITS] &= ~bit;
	vpid_held--;
	spin_unlock(&vpid_lock);
}

unsigned int vpid_in_use(void)
{
	return READ_ONCE(vpid_held);
}
