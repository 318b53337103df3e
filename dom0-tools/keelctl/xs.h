/* keelctl's xenstore client: Xen's wire protocol over xenstored's Unix socket. */
#ifndef KEELCTL_XS_H
#define KEELCTL_XS_H

#include <stdbool.h>
#include <stdint.h>

#define XS_DEFAULT_SOCKET	"/run/xenstored/socket"
#ifndef XS_REPLY_TIMEOUT_MS	/* the unit tests raise it: their host may be loaded */
#define XS_REPLY_TIMEOUT_MS	10000
#endif

struct xs;

/*
 * Connects to @path, or when NULL to $XENSTORED_PATH or XS_DEFAULT_SOCKET. NULL with a
 * message when that fails.
 */
struct xs *xs_open(const char *path);
void xs_close(struct xs *xs);
/* The socket, to poll() for watch events. */
int xs_fileno(const struct xs *xs);

/* Each returns 0 or -errno (the daemon's error, -ETIMEDOUT, -EPIPE, -EPROTO). */
int xs_read(struct xs *xs, uint32_t tx, const char *path, char **value);
int xs_write(struct xs *xs, uint32_t tx, const char *path, const char *value);
int xs_mkdir(struct xs *xs, uint32_t tx, const char *path);
int xs_rm(struct xs *xs, uint32_t tx, const char *path);
/* The children's names: a NULL-terminated array (xs_free_list() it). */
int xs_directory(struct xs *xs, uint32_t tx, const char *path, char ***names,
		 unsigned int *nr);
/* Permissions as xenstore writes them: "n0", "r5", ... (the first is the owner). */
int xs_get_perms(struct xs *xs, uint32_t tx, const char *path, char ***perms,
		 unsigned int *nr);
int xs_set_perms(struct xs *xs, uint32_t tx, const char *path, const char *const *perms,
		 unsigned int nr);
int xs_watch(struct xs *xs, const char *path, const char *token);
int xs_unwatch(struct xs *xs, const char *path, const char *token);
/*
 * The next watch event: 0, or -ETIMEDOUT after @timeout_ms (< 0: wait for ever). At most
 * XS_EVENTS_MAX events wait in the client; when more came, the newer ones were dropped and,
 * once the queued ones are read, -ENOBUFS says so (once): re-read whatever is watched.
 */
#define XS_EVENTS_MAX	1024
int xs_read_watch(struct xs *xs, char **path, char **token, int timeout_ms);
/* Watch events (or news of dropped ones) are queued in the client: no need to poll for them. */
bool xs_has_events(const struct xs *xs);
int xs_transaction_start(struct xs *xs, uint32_t *tx);
/* Commits (or aborts); -EAGAIN when another change got in the way. */
int xs_transaction_end(struct xs *xs, uint32_t tx, bool commit);
int xs_introduce(struct xs *xs, uint16_t domid, uint64_t mfn, uint32_t port);
int xs_release(struct xs *xs, uint16_t domid);
int xs_is_introduced(struct xs *xs, uint16_t domid, bool *introduced);

void xs_free_list(char **list);

#endif
