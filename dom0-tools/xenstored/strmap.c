/* A hash table from strings to pointers, chained, doubling when it gets full. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "strmap.h"

#define MIN_BUCKETS	64

struct strmap_entry {
	struct strmap_entry *next;
	void *value;
	char key[];
};

struct strmap {
	struct strmap_entry **buckets;
	unsigned int nr_buckets;	/* a power of two */
	unsigned int count;
};

/* FNV-1a. */
static uint32_t hash(const char *key)
{
	uint32_t h = 2166136261u;

	while (*key)
		h = (h ^ (unsigned char)*key++) * 16777619u;
	return h;
}

struct strmap *strmap_new(void)
{
	struct strmap *map = xcalloc(1, sizeof(*map));

	map->nr_buckets = MIN_BUCKETS;
	map->buckets = xcalloc(map->nr_buckets, sizeof(*map->buckets));
	return map;
}

void strmap_free(struct strmap *map, void (*free_value)(void *value))
{
	struct strmap_entry *e, *next;
	unsigned int i;

	if (!map)
		return;
	for (i = 0; i < map->nr_buckets; i++) {
		for (e = map->buckets[i]; e; e = next) {
			next = e->next;
			if (free_value)
				free_value(e->value);
			free(e);
		}
	}
	free(map->buckets);
	free(map);
}

static struct strmap_entry **find(const struct strmap *map, const char *key)
{
	struct strmap_entry **p = &map->buckets[hash(key) & (map->nr_buckets - 1)];

	while (*p && strcmp((*p)->key, key))
		p = &(*p)->next;
	return p;
}

void *strmap_get(const struct strmap *map, const char *key)
{
	struct strmap_entry *e = *find(map, key);

	return e ? e->value : NULL;
}

static void grow(struct strmap *map)
{
	unsigned int i, nr = map->nr_buckets * 2;
	struct strmap_entry **buckets = xcalloc(nr, sizeof(*buckets));
	struct strmap_entry *e, *next;

	for (i = 0; i < map->nr_buckets; i++) {
		for (e = map->buckets[i]; e; e = next) {
			next = e->next;
			e->next = buckets[hash(e->key) & (nr - 1)];
			buckets[hash(e->key) & (nr - 1)] = e;
		}
	}
	free(map->buckets);
	map->buckets = buckets;
	map->nr_buckets = nr;
}

void strmap_put(struct strmap *map, const char *key, void *value)
{
	struct strmap_entry **p = find(map, key), *e;
	size_t len;

	if (*p) {
		(*p)->value = value;
		return;
	}
	len = strlen(key) + 1;
	e = xmalloc(sizeof(*e) + len);
	memcpy(e->key, key, len);
	e->value = value;
	e->next = NULL;
	*p = e;
	if (++map->count > map->nr_buckets)
		grow(map);
}

void *strmap_remove(struct strmap *map, const char *key)
{
	struct strmap_entry **p = find(map, key), *e = *p;
	void *value;

	if (!e)
		return NULL;
	*p = e->next;
	value = e->value;
	free(e);
	map->count--;
	return value;
}

unsigned int strmap_count(const struct strmap *map)
{
	return map->count;
}

void strmap_foreach(const struct strmap *map,
		    void (*fn)(const char *key, void *value, void *arg), void *arg)
{
	struct strmap_entry *e;
	unsigned int i;

	for (i = 0; i < map->nr_buckets; i++)
		for (e = map->buckets[i]; e; e = e->next)
			fn(e->key, e->value, arg);
}
