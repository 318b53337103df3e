/* keelctl's small helpers: messages, whole-file reads, numbers, time, UUIDs. */
#ifndef KEELCTL_UTIL_H
#define KEELCTL_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define __printf(a, b) __attribute__((format(printf, a, b)))

/* Where messages go: stderr, or a memory stream in tests. */
extern FILE *kc_errf;
/* Run before each message, when set (create's progress line clears itself). */
extern void (*kc_message_hook)(void);

/* "keelctl: MESSAGE\n" and "keelctl: warning: MESSAGE\n" on kc_errf. */
void kc_err(const char *fmt, ...) __printf(1, 2);
void kc_warn(const char *fmt, ...) __printf(1, 2);

/* Allocation that cannot fail: dom0-tools/lib/alloc.h (keelctl exits on out-of-memory). */
#include "alloc.h"

/*
 * Reads all of @path (at most @max bytes) into a new buffer with a NUL after it. Returns 0,
 * or -errno (-EFBIG when larger than @max) without a message.
 */
int read_whole_file(const char *path, size_t max, uint8_t **buf, size_t *len);
/* The same from the current offset of the open file @fd, which stays open. */
int read_whole_fd(int fd, size_t max, uint8_t **buf, size_t *len);

/* mkdir -p: @path and its missing parents (mode 0755); 0 or -errno. */
int mkdir_parents(const char *path);

/* Parses all of @s as an unsigned number (decimal, 0x hex, 0 octal, as strtoull base 0). */
bool parse_u64(const char *s, uint64_t *v);

/* A domain id argument: a decimal number below 0x7ff0. */
bool parse_domid(const char *s, uint16_t *domid);

/* Monotonic time in nanoseconds and in milliseconds. */
uint64_t now_ns(void);
uint64_t now_ms(void);
void sleep_ms(unsigned int ms);

/* A random (version 4) UUID as 36 characters and a NUL; 0 or -errno. */
int uuid_generate(char out[37]);
/* Is @s a UUID in the 8-4-4-4-12 hex form? */
bool uuid_valid(const char *s);

/* The symbolic name of an errno value ("EINVAL"), or "E?". */
const char *errno_name(int err);

#endif
