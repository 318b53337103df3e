/* A hash table from strings to pointers: the store's node table and transactions' views. */
#ifndef XENSTORED_STRMAP_H
#define XENSTORED_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap;

/*
 * Keys are hashed with SipHash-2-4 under a key of this process, from getrandom() when the
 * first map is made: paths a guest picks cannot be made to collide. Tests and fuzzers may
 * set it, before any map exists.
 */
void strmap_set_key(const uint8_t key[16]);
/* SipHash-2-4 of @len bytes at @data under @key. */
uint64_t strmap_siphash(const uint8_t key[16], const void *data, size_t len);

struct strmap *strmap_new(void);
/* Frees the table, and each value through @free_value unless it is NULL. */
void strmap_free(struct strmap *map, void (*free_value)(void *value));
void *strmap_get(const struct strmap *map, const char *key);
/* Adds or replaces @key's value (the key is copied). */
void strmap_put(struct strmap *map, const char *key, void *value);
/* Removes @key and returns its value, or NULL if it was not there. */
void *strmap_remove(struct strmap *map, const char *key);
unsigned int strmap_count(const struct strmap *map);
/* The most entries one bucket holds (for tests). */
unsigned int strmap_longest_chain(const struct strmap *map);
/* Calls @fn for every entry; @fn must not add or remove entries. */
void strmap_foreach(const struct strmap *map,
		    void (*fn)(const char *key, void *value, void *arg), void *arg);

#endif
