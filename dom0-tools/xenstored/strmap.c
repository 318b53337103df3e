/* A hash table from strings to pointers, chained, doubling when it gets full, keyed hash. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include "alloc.h"
#include "strmap.h"

#ifndef GRND_INSECURE
#define GRND_INSECURE	0x0004	/* Linux 5.6: without waiting for the pool */
#endif

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

static uint8_t hash_key[16];
static bool hash_keyed;

void strmap_set_key(const uint8_t key[16])
{
	memcpy(hash_key, key, sizeof(hash_key));
	hash_keyed = true;
}

/*
 * A key nobody can guess. The daemon starts early in dom0's boot: take the pool's bytes if
 * it is ready, else what the kernel has without waiting, else the clock, pid and address
 * space layout (still unknown to a guest).
 */
static void make_key(void)
{
	uint64_t fallback[2];
	struct timespec now;

	if (getrandom(hash_key, sizeof(hash_key), GRND_NONBLOCK) != sizeof(hash_key) &&
	    getrandom(hash_key, sizeof(hash_key), GRND_INSECURE) != sizeof(hash_key)) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		fallback[0] = (uint64_t)now.tv_nsec ^ ((uint64_t)getpid() << 32);
		fallback[1] = (uint64_t)now.tv_sec ^ (uint64_t)(uintptr_t)&now;
		memcpy(hash_key, fallback, sizeof(hash_key));
	}
	hash_keyed = true;
}

static uint64_t load_le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t rotl(uint64_t x, int bits)
{
	return x << bits | x >> (64 - bits);
}

struct sip {
	uint64_t v0, v1, v2, v3;
};

static void sip_rounds(struct sip *s, int n)
{
	while (n--) {
		s->v0 += s->v1;
		s->v1 = rotl(s->v1, 13) ^ s->v0;
		s->v0 = rotl(s->v0, 32);
		s->v2 += s->v3;
		s->v3 = rotl(s->v3, 16) ^ s->v2;
		s->v0 += s->v3;
		s->v3 = rotl(s->v3, 21) ^ s->v0;
		s->v2 += s->v1;
		s->v1 = rotl(s->v1, 17) ^ s->v2;
		s->v2 = rotl(s->v2, 32);
	}
}

/* Aumasson and Bernstein's SipHash: 2 rounds per 8-byte word, 4 to finish. */
uint64_t strmap_siphash(const uint8_t key[16], const void *data, size_t len)
{
	uint64_t k0 = load_le64(key), k1 = load_le64(key + 8), m;
	struct sip s = {
		k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL,
		k0 ^ 0x6c7967656e657261ULL, k1 ^ 0x7465646279746573ULL,
	};
	const uint8_t *p = data;
	uint8_t last[8] = { 0 };
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		m = load_le64(p + i);
		s.v3 ^= m;
		sip_rounds(&s, 2);
		s.v0 ^= m;
	}
	memcpy(last, p + i, len - i);
	last[7] = (uint8_t)len;
	m = load_le64(last);
	s.v3 ^= m;
	sip_rounds(&s, 2);
	s.v0 ^= m;
	s.v2 ^= 0xff;
	sip_rounds(&s, 4);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

static uint64_t hash(const char *key)
{
	return strmap_siphash(hash_key, key, strlen(key));
}

struct strmap *strmap_new(void)
{
	struct strmap *map = xcalloc(1, sizeof(*map));

	if (!hash_keyed)
		make_key();
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

unsigned int strmap_longest_chain(const struct strmap *map)
{
	unsigned int i, len, longest = 0;
	struct strmap_entry *e;

	for (i = 0; i < map->nr_buckets; i++) {
		for (len = 0, e = map->buckets[i]; e; e = e->next)
			len++;
		if (len > longest)
			longest = len;
	}
	return longest;
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
