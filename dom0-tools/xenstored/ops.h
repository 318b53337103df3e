/* Request handlers: each parses its payload, does the operation, and replies or returns -errno. */
#ifndef XENSTORED_OPS_H
#define XENSTORED_OPS_H

struct conn;
struct request;

int op_read(struct conn *c, struct request *req);
int op_write(struct conn *c, struct request *req);
int op_mkdir(struct conn *c, struct request *req);
int op_rm(struct conn *c, struct request *req);
int op_directory(struct conn *c, struct request *req);
int op_directory_part(struct conn *c, struct request *req);
int op_get_perms(struct conn *c, struct request *req);
int op_set_perms(struct conn *c, struct request *req);
int op_watch(struct conn *c, struct request *req);
int op_unwatch(struct conn *c, struct request *req);
int op_reset_watches(struct conn *c, struct request *req);
int op_transaction_start(struct conn *c, struct request *req);
int op_transaction_end(struct conn *c, struct request *req);
int op_introduce(struct conn *c, struct request *req);
int op_release(struct conn *c, struct request *req);
int op_resume(struct conn *c, struct request *req);
int op_set_target(struct conn *c, struct request *req);
int op_get_domain_path(struct conn *c, struct request *req);
int op_is_domain_introduced(struct conn *c, struct request *req);
int op_control(struct conn *c, struct request *req);

#endif
