/* The hypercall fuzz test's protocol: dom0 (fuzz), the peer (fuzzpeer) and the fuzzer domU. */
#ifndef FUZZ_H
#define FUZZ_H

#include <keel/types.h>

/*
 * dom0 ("fuzz", boot modules: fuzzer, then fuzzpeer) creates both domUs
 * paused, offers each an unbound event channel and builds them:
 *   peer:   "fuzzer=F dom0port=P ref=R"
 *   fuzzer: "seed=S iters=N peer=D ref=R dom0port=P"
 * The peer fills its free RAM with peer_pattern(), grants the page at
 * PEER_RO_GPA read-only to the fuzzer through ref R and sends on its port:
 * ready. dom0 then starts the fuzzer, which maps that grant, fuzzes and
 * shuts down (poweroff: passed, crash: failed). While it runs, the peer
 * re-checks its memory every PEER_CHECK_NS and dom0 its own. Once the
 * fuzzer is destroyed dom0 sends on the peer's port: the peer checks its
 * memory and its grant a last time and shuts down the same way.
 */

#define FUZZ_PEER_MEM_MB 4
#define FUZZ_FUZZER_MEM_MB 16
#define FUZZ_GRANT_REF 9		/* the peer's read-only grant to the fuzzer */
#define PEER_RO_GPA 0x300000ULL		/* in the peer's RAM, above its image */
#define PEER_CHECK_NS (200 * 1000 * 1000ULL)

/*
 * The fuzzer's flight recorder: its last calls, each written before the
 * call is made (rc FUZZ_RC_PENDING until it returns), in its image at a
 * page boundary. When the fuzzer stops making progress dom0 finds it by
 * its magic through foreign maps and prints it before destroying it.
 */
#define FUZZ_RECORDER_MAGIC 0x726f646365522d46ULL	/* "F-Recdor" */
#define FUZZ_RECORDER_CALLS 512
#define FUZZ_RC_PENDING (-0x7fffffffffffffffLL - 1)

struct fuzz_call {
	u64 iter, nr, a[5];
	s64 rc;
};

struct fuzz_recorder {
	u64 magic;
	u64 nr;				/* calls recorded so far: the last is c[(nr - 1) % CALLS] */
	u64 pad[6];
	struct fuzz_call c[FUZZ_RECORDER_CALLS];
};

/*
 * Every 32-bit word of the peer's checked RAM: its address, hashed, with
 * the top nibble 5 (never a small number or a frame of the fuzzer's own
 * image when the fuzzer's hypercalls read it as one).
 */
static inline u32 peer_pattern(u64 gpa)
{
	return 0x50000000u | ((u32)(gpa * 0x9e3779b1u) & 0x0fffffffu);
}

#endif
