/* The daemon's log: a file given with --log, else standard error. */
#ifndef XENSTORED_LOG_H
#define XENSTORED_LOG_H

/* Appends to @path from now on; -errno if it cannot be opened. */
int log_open(const char *path);
void log_close(void);
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
