/* Request handlers: each parses its payload, does the operation, and replies or returns -errno. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "conn.h"
#include "domain.h"
#include "log.h"
#include "ops.h"
#include "path.h"
#include "protocol.h"
#include "transaction.h"
#include "tree.h"
#include "watch.h"

static void fire_watches(const char *path, bool recursive, const struct perms *perms,
			 void *unused)
{
	watch_fire(path, recursive, perms);
}

/* The store as @req sees it: in its transaction, if any; changes fire watches or wait in it. */
static void store_ctx_init(struct store_ctx *ctx, struct conn *c, struct request *req)
{
	ctx->domid = c->domid;
	ctx->txn = req->txn;
	ctx->changed = req->txn ? txn_record_change : fire_watches;
	ctx->arg = req->txn;
}

/* The one string the payload must be. */
static const char *one_arg(const struct request *req)
{
	const char *arg;

	return request_strings(req, &arg, 1) == 1 ? arg : NULL;
}

/* The payload's one path, made absolute in @path (PATH_BUF bytes). */
static int path_arg(struct conn *c, const struct request *req, char *path)
{
	const char *arg = one_arg(req);

	return arg ? path_canonical(c->domid, arg, false, path) : -EINVAL;
}

static int domid_arg(const struct request *req, unsigned int *domid)
{
	const char *arg = one_arg(req);

	return arg ? parse_domid(arg, domid) : -EINVAL;
}

int op_read(struct conn *c, struct request *req)
{
	const struct node *node;
	char path[PATH_BUF];
	struct store_ctx ctx;
	int rc;

	store_ctx_init(&ctx, c, req);
	rc = path_arg(c, req, path);
	if (!rc)
		rc = tree_read(&ctx, path, &node);
	if (rc)
		return rc;
	reply(c, req, node->value, node->value_len);
	return 0;
}

/* <path>|<value|>: the value is the rest of the payload, NULs and all. */
int op_write(struct conn *c, struct request *req)
{
	size_t path_len = strnlen(req->data, req->len);
	char path[PATH_BUF];
	struct store_ctx ctx;
	int rc;

	if (path_len == req->len)
		return -EINVAL;
	rc = path_canonical(c->domid, req->data, false, path);
	if (rc)
		return rc;
	store_ctx_init(&ctx, c, req);
	rc = tree_write(&ctx, path, req->data + path_len + 1,
			req->len - (unsigned int)path_len - 1);
	if (rc)
		return rc;
	reply_ok(c, req);
	return 0;
}

static int path_op(struct conn *c, struct request *req,
		   int (*op)(struct store_ctx *ctx, const char *path))
{
	char path[PATH_BUF];
	struct store_ctx ctx;
	int rc;

	store_ctx_init(&ctx, c, req);
	rc = path_arg(c, req, path);
	if (!rc)
		rc = op(&ctx, path);
	if (rc)
		return rc;
	reply_ok(c, req);
	return 0;
}

int op_mkdir(struct conn *c, struct request *req)
{
	return path_op(c, req, tree_mkdir);
}

int op_rm(struct conn *c, struct request *req)
{
	return path_op(c, req, tree_rm);
}

int op_directory(struct conn *c, struct request *req)
{
	const struct node *node;
	char path[PATH_BUF];
	struct store_ctx ctx;
	int rc;

	store_ctx_init(&ctx, c, req);
	rc = path_arg(c, req, path);
	if (!rc)
		rc = tree_read(&ctx, path, &node);
	if (rc)
		return rc;
	/* Too long for one reply: the client goes on with DIRECTORY_PART. */
	if (node->children_len > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	reply(c, req, node->children, node->children_len);
	return 0;
}

/*
 * <path>|<offset>| -> <gencnt>|<child>|*: the children from byte @offset of the list, as
 * many as fit, and an empty string after the last one.
 */
int op_directory_part(struct conn *c, struct request *req)
{
	unsigned int used, off, len;
	char path[PATH_BUF], buf[XENSTORE_PAYLOAD_MAX];
	const struct node *node;
	struct store_ctx ctx;
	const char *args[2];
	uint32_t offset;
	int rc;

	if (request_strings(req, args, 2) != 2 || parse_u32(args[1], &offset))
		return -EINVAL;
	rc = path_canonical(c->domid, args[0], false, path);
	store_ctx_init(&ctx, c, req);
	if (!rc)
		rc = tree_read(&ctx, path, &node);
	if (rc)
		return rc;
	if (offset > node->children_len || (offset && node->children[offset - 1] != '\0'))
		return -EINVAL;
	used = (unsigned int)snprintf(buf, sizeof(buf), "%" PRIu64, node->gen) + 1;
	for (off = offset; off < node->children_len; off += len) {
		len = (unsigned int)strlen(node->children + off) + 1;
		if (used + len + 1 > sizeof(buf))
			break;
		memcpy(buf + used, node->children + off, len);
		used += len;
	}
	if (off == node->children_len)
		buf[used++] = '\0';
	reply(c, req, buf, used);
	return 0;
}

int op_get_perms(struct conn *c, struct request *req)
{
	char path[PATH_BUF], buf[XENSTORE_PAYLOAD_MAX];
	const struct node *node;
	struct store_ctx ctx;
	int rc;

	store_ctx_init(&ctx, c, req);
	rc = path_arg(c, req, path);
	if (!rc)
		rc = tree_read(&ctx, path, &node);
	if (rc)
		return rc;
	reply(c, req, buf, (unsigned int)perms_format(&node->perms, buf, sizeof(buf)));
	return 0;
}

/* <path>|<perm>|+ */
int op_set_perms(struct conn *c, struct request *req)
{
	const char **args = xmalloc((req->len / 2 + 1) * sizeof(*args));
	struct perms perms;
	char path[PATH_BUF];
	struct store_ctx ctx;
	int count, rc;

	count = request_strings(req, args, req->len / 2 + 1);
	rc = count < 2 ? -EINVAL : path_canonical(c->domid, args[0], false, path);
	if (!rc)
		rc = perms_parse(args + 1, (unsigned int)count - 1, &perms);
	free(args);
	if (rc)
		return rc;
	store_ctx_init(&ctx, c, req);
	rc = tree_set_perms(&ctx, path, &perms);
	perms_free(&perms);
	if (rc)
		return rc;
	reply_ok(c, req);
	return 0;
}

/* <path>|<token>|? for WATCH and UNWATCH. */
static int watch_args(const struct request *req, const char **path, const char **token)
{
	const char *args[3];

	if (request_strings(req, args, 3) < 2)
		return -EINVAL;
	*path = args[0];
	*token = args[1];
	return 0;
}

int op_watch(struct conn *c, struct request *req)
{
	const char *path, *token;
	struct watch *w;
	int rc;

	rc = watch_args(req, &path, &token);
	if (!rc)
		rc = watch_add(c, path, token, &w);
	if (rc)
		return rc;
	reply_ok(c, req);
	watch_fire_initial(c, w);
	return 0;
}

int op_unwatch(struct conn *c, struct request *req)
{
	const char *path, *token;
	int rc;

	rc = watch_args(req, &path, &token);
	if (!rc)
		rc = watch_remove(c, path, token);
	if (rc)
		return rc;
	reply_ok(c, req);
	return 0;
}

int op_reset_watches(struct conn *c, struct request *req)
{
	watch_reset(c);
	transaction_reset(c);
	reply_ok(c, req);
	return 0;
}

int op_transaction_start(struct conn *c, struct request *req)
{
	char id_str[16];
	uint32_t id;
	int rc;

	if (req->hdr.tx_id)
		return -EBUSY;
	rc = transaction_start(c, &id);
	if (rc)
		return rc;
	snprintf(id_str, sizeof(id_str), "%" PRIu32, id);
	reply_string(c, req, id_str);
	return 0;
}

/* T| commits, F| discards. */
int op_transaction_end(struct conn *c, struct request *req)
{
	const char *arg = one_arg(req);
	int rc;

	if (!req->txn)
		return -ENOENT;
	if (!arg || (strcmp(arg, "T") && strcmp(arg, "F")))
		return -EINVAL;
	rc = transaction_end(c, req->txn, arg[0] == 'T', fire_watches, NULL);
	req->txn = NULL;
	if (rc)
		return rc;
	reply_ok(c, req);
	return 0;
}

/* <domid>|<mfn>|<evtchn>|? */
int op_introduce(struct conn *c, struct request *req)
{
	unsigned int domid;
	const char *args[4];
	uint32_t evtchn;
	uint64_t mfn;
	int rc;

	if (request_strings(req, args, 4) < 3 || parse_domid(args[0], &domid) ||
	    parse_u64(args[1], &mfn) || parse_u32(args[2], &evtchn))
		return -EINVAL;
	rc = domain_introduce(domid, mfn, evtchn);
	if (rc)
		return rc;
	reply_ok(c, req);
	return 0;
}

int op_release(struct conn *c, struct request *req)
{
	unsigned int domid;
	int rc;

	rc = domid_arg(req, &domid);
	if (!rc)
		rc = domain_release(domid);
	if (rc)
		return rc;
	reply_ok(c, req);
	return 0;
}

/* Nothing to re-arm: @releaseDomain only follows RELEASE here. */
int op_resume(struct conn *c, struct request *req)
{
	unsigned int domid;
	int rc;

	rc = domid_arg(req, &domid);
	if (rc)
		return rc;
	if (!domain_is_introduced(domid))
		return -ENOENT;
	reply_ok(c, req);
	return 0;
}

int op_set_target(struct conn *c, struct request *req)
{
	return -ENOSYS;
}

int op_get_domain_path(struct conn *c, struct request *req)
{
	unsigned int domid;
	char path[32];
	int rc;

	rc = domid_arg(req, &domid);
	if (rc)
		return rc;
	path_domain_home(domid, path, sizeof(path));
	reply_string(c, req, path);
	return 0;
}

int op_is_domain_introduced(struct conn *c, struct request *req)
{
	unsigned int domid;
	int rc;

	rc = domid_arg(req, &domid);
	if (rc)
		return rc;
	reply_string(c, req, domain_is_introduced(domid) ? "T" : "F");
	return 0;
}

/* <command>|[<parameters>|]: check, help, print|<text>. */
int op_control(struct conn *c, struct request *req)
{
	const char *args[2];
	int count = request_strings(req, args, 2);

	if (count < 1)
		return -EINVAL;
	if (!strcmp(args[0], "help") && count == 1) {
		reply_string(c, req, "check\nhelp\nprint <text>\n");
	} else if (!strcmp(args[0], "check") && count == 1) {
		reply_ok(c, req);
	} else if (!strcmp(args[0], "print") && count == 2) {
		log_msg("control: %s", args[1]);
		reply_ok(c, req);
	} else {
		return -EINVAL;
	}
	return 0;
}
