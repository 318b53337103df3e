/* A hash table from strings to pointers: the store's node table and transactions' views. */
#ifndef XENSTORED_STRMAP_H
#define XENSTORED_STRMAP_H

struct strmap;

struct strmap *strmap_new(void);
/* Frees the table, and each value through @free_value unless it is NULL. */
void strmap_free(struct strmap *map, void (*free_value)(void *value));
void *strmap_get(const struct strmap *map, const char *key);
/* Adds or replaces @key's value (the key is copied). */
void strmap_put(struct strmap *map, const char *key, void *value);
/* Removes @key and returns its value, or NULL if it was not there. */
void *strmap_remove(struct strmap *map, const char *key);
unsigned int strmap_count(const struct strmap *map);
/* Calls @fn for every entry; @fn must not add or remove entries. */
void strmap_foreach(const struct strmap *map,
		    void (*fn)(const char *key, void *value, void *arg), void *arg);

#endif
