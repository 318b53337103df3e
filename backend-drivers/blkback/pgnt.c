/* A queue's persistent grants: a hash of mapped grants, bounded per queue and daemon-wide. */
#include <errno.h>
#include <stdlib.h>
#include "pgnt.h"

static unsigned int bucket(const struct bb_pgnt_table *t, uint32_t gref)
{
	return (uint32_t)(gref * 2654435761u) >> 7 & t->hmask;
}

int bb_pgnt_init(struct bb_pgnt_table *t, struct xenbe_env *env, uint16_t domid,
		 unsigned int max, unsigned int *total, unsigned int total_max)
{
	unsigned int i, nb = 1;

	while (nb < 2 * max)
		nb <<= 1;
	t->env = env;
	t->domid = domid;
	t->max = max;
	t->n = 0;
	t->total = total;
	t->total_max = total_max;
	t->hmask = nb - 1;
	t->ents = calloc(max ? max : 1, sizeof(*t->ents));
	t->hash = calloc(nb, sizeof(*t->hash));
	t->stat_maps = t->stat_hits = 0;
	if (!t->ents || !t->hash) {
		free(t->ents);
		free(t->hash);
		t->ents = NULL;
		t->hash = NULL;
		return -ENOMEM;
	}
	t->free = NULL;
	for (i = max; i-- > 0;) {
		t->ents[i].hnext = t->free;
		t->free = &t->ents[i];
	}
	t->lru.next = t->lru.prev = &t->lru;
	return 0;
}

static void lru_del(struct bb_pgnt *p)
{
	p->prev->next = p->next;
	p->next->prev = p->prev;
}

static void lru_add(struct bb_pgnt_table *t, struct bb_pgnt *p)
{
	p->next = t->lru.next;
	p->prev = &t->lru;
	t->lru.next->prev = p;
	t->lru.next = p;
}

/* Unmaps @p and takes it off the hash and the LRU list (it is then the caller's). */
static void evict(struct bb_pgnt_table *t, struct bb_pgnt *p)
{
	struct bb_pgnt **pp = &t->hash[bucket(t, p->gref)];

	while (*pp != p)
		pp = &(*pp)->hnext;
	*pp = p->hnext;
	lru_del(p);
	t->env->ops->gnt_unmap(t->env->priv, p->addr, 1);
	p->addr = NULL;
	t->n--;
	(*t->total)--;
}

void bb_pgnt_fini(struct bb_pgnt_table *t)
{
	if (!t->ents)
		return;
	while (t->lru.next != &t->lru)
		evict(t, t->lru.next);
	free(t->ents);
	free(t->hash);
	t->ents = NULL;
	t->hash = NULL;
}

/* The least recently used entry nobody pins, or NULL. */
static struct bb_pgnt *victim(struct bb_pgnt_table *t)
{
	struct bb_pgnt *p;

	for (p = t->lru.prev; p != &t->lru; p = p->prev)
		if (!p->pins)
			return p;
	return NULL;
}

struct bb_pgnt *bb_pgnt_get(struct bb_pgnt_table *t, uint32_t gref, int *err)
{
	struct bb_pgnt *p;
	unsigned int b = bucket(t, gref);

	for (p = t->hash[b]; p; p = p->hnext) {
		if (p->gref == gref) {
			lru_del(p);
			lru_add(t, p);
			p->pins++;
			t->stat_hits++;
			return p;
		}
	}
	if (t->free && *t->total < t->total_max) {
		p = t->free;
		t->free = p->hnext;
	} else {
		p = victim(t);
		if (!p) {
			*err = -ENOSPC;
			return NULL;
		}
		evict(t, p);
	}
	p->addr = t->env->ops->gnt_map(t->env->priv, t->domid, &gref, 1, true);
	if (!p->addr) {
		p->hnext = t->free;
		t->free = p;
		*err = -EFAULT;
		return NULL;
	}
	p->gref = gref;
	p->pins = 1;
	p->hnext = t->hash[b];
	t->hash[b] = p;
	lru_add(t, p);
	t->n++;
	(*t->total)++;
	t->stat_maps++;
	return p;
}

void bb_pgnt_put(struct bb_pgnt *p)
{
	p->pins--;
}
