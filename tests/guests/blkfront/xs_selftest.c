/* mode=xs: the guest kit's xenstore client against dom0's real xenstored, no disks needed. */
#include "guest.h"
#include "xenstore.h"
#include "xs_selftest.h"

static bool is_x(const char *val, void *arg)
{
	return !strcmp(val, "x");
}

void xs_selftest(void)
{
	char val[128], dir[256], path[64];
	u64 domid = ~0ULL;
	xs_tx_t tx;
	int rc, n;

	rc = xs_read(XS_NO_TX, "name", val, sizeof(val));
	CHECK(rc > 0, "xs: read name: %d", rc);
	CHECK(!xs_read_u64(XS_NO_TX, "domid", &domid), "xs: read domid");
	printf("blkfront: xs: I am \"%s\", domain %lu\n", val, (unsigned long)domid);

	EXPECT(xs_write(XS_NO_TX, "data/kfront", "hello"), 0);
	rc = xs_read(XS_NO_TX, "data/kfront", val, sizeof(val));
	CHECK(rc == 5 && !strcmp(val, "hello"), "xs: read back %d '%s'", rc, val);
	snprintf(path, sizeof(path), "/local/domain/%lu/data/kfront", (unsigned long)domid);
	rc = xs_read(XS_NO_TX, path, val, sizeof(val));
	CHECK(rc == 5, "xs: absolute read back %d", rc);
	EXPECT(xs_mkdir(XS_NO_TX, "data/kdir"), 0);
	n = xs_directory(XS_NO_TX, "data", dir, sizeof(dir));
	CHECK(n >= 2, "xs: directory data: %d", n);

	rc = xs_transaction_start(&tx);
	CHECK(!rc, "xs: transaction start %d", rc);
	if (!rc) {
		EXPECT(xs_write(tx, "data/kdir/a", "1"), 0);
		EXPECT(xs_write(tx, "data/kdir/b", "2"), 0);
		CHECK(xs_read(XS_NO_TX, "data/kdir/a", val, sizeof(val)) == -ENOENT,
		      "xs: a transaction's write seen outside it");
		EXPECT(xs_transaction_end(tx, true), 0);
	}
	CHECK(xs_read(XS_NO_TX, "data/kdir/b", val, sizeof(val)) == 1, "xs: committed b missing");

	EXPECT(xs_watch("data/kwatch", "kw"), 0);
	CHECK(xs_next_event(val, sizeof(val), 5000000000ULL), "xs: no event on setting a watch");
	EXPECT(xs_write(XS_NO_TX, "data/kwatch", "x"), 0);
	CHECK(xs_next_event(val, sizeof(val), 5000000000ULL) && !strcmp(val, "data/kwatch"),
	      "xs: no event for the write ('%s')", val);
	EXPECT(xs_unwatch("data/kwatch", "kw"), 0);
	EXPECT(xs_wait_value("data/kwatch", is_x, NULL, 5000000000ULL, val, sizeof(val)), 0);

	EXPECT(xs_rm(XS_NO_TX, "data/kdir"), 0);
	EXPECT(xs_read(XS_NO_TX, "data/kdir/a", val, sizeof(val)), -ENOENT);
	EXPECT(xs_write(XS_NO_TX, "/local/domain/0/kfront", "no"), -EACCES);
	EXPECT(xs_write(XS_NO_TX, "name", "renamed"), -EACCES);
	if (!test_failures)
		printf("blkfront: PASS xenstore-client: read, write, mkdir, directory, "
		       "transaction, watch, wait, rm and refusals against xenstored\n");
}
