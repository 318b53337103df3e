/* A queue's persistent grants: a hash of mapped grants, bounded per queue and fairly per daemon. */
#include <errno.h>
#include <stdlib.h>
#include "pgnt.h"

#define PAGE	4096u

static unsigned int bucket(const struct bb_pgnt_table *t, uint32_t gref)
{
	return (uint32_t)(gref * 2654435761u) >> 7 & t->hmask;
}

/* Sets the dom_tables of every table of @domid in @b to @n. */
static void set_dom_tables(struct bb_pgnt_budget *b, uint16_t domid, unsigned int n)
{
	struct bb_pgnt_table *o;

	for (o = b->tables; o; o = o->bnext)
		if (o->domid == domid)
			o->dom_tables = n;
}

/* Links @t (its domid set) into @b, counting its domain. */
static void join(struct bb_pgnt_table *t, struct bb_pgnt_budget *b)
{
	struct bb_pgnt_table *o;
	unsigned int same = 0;

	for (o = b->tables; o; o = o->bnext)
		same += o->domid == t->domid;
	b->domains += !same;
	t->budget = b;
	t->bnext = b->tables;
	b->tables = t;
	set_dom_tables(b, t->domid, same + 1);
}

/* Unlinks @t from its budget, if it is in one. */
static void leave(struct bb_pgnt_table *t)
{
	struct bb_pgnt_budget *b = t->budget;
	struct bb_pgnt_table **pp;

	if (!b)
		return;
	for (pp = &b->tables; *pp; pp = &(*pp)->bnext)
		if (*pp == t) {
			*pp = t->bnext;
			break;
		}
	if (t->dom_tables == 1)
		b->domains--;
	else
		set_dom_tables(b, t->domid, t->dom_tables - 1);
	t->budget = NULL;
}

int bb_pgnt_init(struct bb_pgnt_table *t, struct xenbe_env *env, uint16_t domid,
		 unsigned int max, struct bb_pgnt_budget *budget)
{
	unsigned int i, nb = 1, m = max ? max : 1;

	while (nb < 2 * max)
		nb <<= 1;
	t->env = env;
	t->domid = domid;
	t->max = max;
	t->n = t->held = 0;
	join(t, budget);
	t->hmask = nb - 1;
	t->ents = calloc(m, sizeof(*t->ents));
	t->hash = calloc(nb, sizeof(*t->hash));
	t->refs = calloc(m, sizeof(*t->refs));
	t->fresh = calloc(m, sizeof(*t->fresh));
	t->stat_maps = t->stat_hits = t->stat_calls = 0;
	t->free = NULL;
	t->lru.next = t->lru.prev = &t->lru;
	t->idle_first = t->idle_last = NULL;
	if (!t->ents || !t->hash || !t->refs || !t->fresh) {
		bb_pgnt_fini(t);
		return -ENOMEM;
	}
	for (i = max; i-- > 0;) {
		t->ents[i].hnext = t->free;
		t->free = &t->ents[i];
	}
	return 0;
}

/*
 * The LRU list holds exactly the mapped entries no request pins, the one let go last first:
 * evicting an entry takes the list's tail, however many pinned ones the table holds.
 */
static void lru_del(struct bb_pgnt *p)
{
	if (!p->prev)
		return;
	p->prev->next = p->next;
	p->next->prev = p->prev;
	p->prev = p->next = NULL;
}

static void lru_add(struct bb_pgnt_table *t, struct bb_pgnt *p)
{
	p->next = t->lru.next;
	p->prev = &t->lru;
	t->lru.next->prev = p;
	t->lru.next = p;
}

/* @c's last pin is gone: to the end of its table's idle list (the most recently let go). */
static void idle_add(struct bb_pgnt_chunk *c)
{
	struct bb_pgnt_table *t = c->t;

	c->idle = true;
	c->inext = NULL;
	c->iprev = t->idle_last;
	if (t->idle_last)
		t->idle_last->inext = c;
	else
		t->idle_first = c;
	t->idle_last = c;
}

static void idle_del(struct bb_pgnt_chunk *c)
{
	struct bb_pgnt_table *t = c->t;

	if (!c->idle)
		return;
	if (c->iprev)
		c->iprev->inext = c->inext;
	else
		t->idle_first = c->inext;
	if (c->inext)
		c->inext->iprev = c->iprev;
	else
		t->idle_last = c->iprev;
	c->iprev = c->inext = NULL;
	c->idle = false;
}

/*
 * A request pins @p: it leaves the LRU list, and its map the idle list with the map's first
 * pin. Unpinned, both come back as the most recently let go. An entry still being mapped
 * (no chunk yet) is on neither.
 */
static void pin(struct bb_pgnt *p)
{
	if (p->pins++ || !p->chunk)
		return;
	lru_del(p);
	if (!p->chunk->pinned++)
		idle_del(p->chunk);
}

void bb_pgnt_put(struct bb_pgnt *p)
{
	if (--p->pins || !p->chunk)
		return;
	lru_add(p->chunk->t, p);
	if (!--p->chunk->pinned)
		idle_add(p->chunk);
}

/* Takes @p off the hash (and the LRU list), back to the free list. */
static void drop(struct bb_pgnt_table *t, struct bb_pgnt *p)
{
	struct bb_pgnt **pp = &t->hash[bucket(t, p->gref)];

	while (*pp != p)
		pp = &(*pp)->hnext;
	*pp = p->hnext;
	lru_del(p);
	p->hnext = t->free;
	t->free = p;
}

/* Unmaps @p's page; its chunk's grants stop counting when the last of them is gone. */
static void evict(struct bb_pgnt_table *t, struct bb_pgnt *p)
{
	struct bb_pgnt_chunk *c = p->chunk;

	drop(t, p);
	t->env->ops->gnt_unmap(t->env->priv, p->addr, 1);
	c->ents[p->cidx] = NULL;
	p->addr = NULL;
	p->chunk = NULL;
	t->n--;
	if (!--c->live) {
		idle_del(c);
		t->held -= c->n;
		t->budget->held -= c->n;
		free(c);
	}
}

void bb_pgnt_fini(struct bb_pgnt_table *t)
{
	unsigned int i;

	for (i = 0; t->ents && i < t->max; i++)
		if (t->ents[i].addr)
			evict(t, &t->ents[i]);
	leave(t);
	free(t->ents);
	free(t->hash);
	free(t->refs);
	free(t->fresh);
	t->ents = NULL;
	t->hash = NULL;
	t->refs = NULL;
	t->fresh = NULL;
}

/* Evicts the entry nobody has pinned for the longest: false when there is none. O(1). */
static bool evict_one(struct bb_pgnt_table *t)
{
	if (t->lru.prev == &t->lru)
		return false;
	evict(t, t->lru.prev);
	return true;
}

unsigned int bb_pgnt_share(const struct bb_pgnt_table *t)
{
	const struct bb_pgnt_budget *b = t->budget;
	unsigned int share = b->max / (b->domains ? b->domains : 1) /
			     (t->dom_tables ? t->dom_tables : 1);

	return share ? share : 1;
}

/* The map of @t that no request has pinned for the longest (all of it can go), or NULL. O(1). */
static struct bb_pgnt_chunk *free_chunk(struct bb_pgnt_table *t)
{
	return t->idle_first;
}

/* Evicts every page of @c, one of @t's idle maps: its grants stop counting. O(its pages). */
static void evict_chunk(struct bb_pgnt_table *t, struct bb_pgnt_chunk *c)
{
	unsigned int i, left = c->live;

	/* @c is freed with its last page: not looked at after it. */
	for (i = 0; left; i++)
		if (c->ents[i]) {
			left--;
			evict(t, c->ents[i]);
		}
}

/* Room for @k more in the daemon's budget? */
static bool budget_room(const struct bb_pgnt_table *t, unsigned int k)
{
	return t->budget->held + k <= t->budget->max;
}

/*
 * Gives back @o's unpinned maps, the one let go longest ago first, until @t has room for @k
 * in the budget or @o is down to its share (or has none left). True when one went.
 */
static bool take_back(struct bb_pgnt_table *t, unsigned int k, struct bb_pgnt_table *o)
{
	struct bb_pgnt_chunk *c;
	bool took = false;

	while (!budget_room(t, k) && o->held > bb_pgnt_share(o) && (c = free_chunk(o))) {
		evict_chunk(o, c);
		took = true;
	}
	return took;
}

/*
 * The budget is spent: if @t, with @k more, stays within its share, gives back whole unpinned
 * maps of the others above their share (evicting single pages of maps a request still pins
 * would free nothing): first from the one furthest above its share, then, if that was not
 * enough, from any other above its own. At most two walks of the tables per call whatever
 * the maps' sizes (a hostile guest's single-grant maps spread over many queues would
 * otherwise cost a walk per map). False when @t would pass its share, or nothing went.
 */
static bool evict_for(struct bb_pgnt_table *t, unsigned int k)
{
	struct bb_pgnt_table *o, *hog = NULL;
	unsigned int most = 0;
	bool took;

	if (t->held + k > bb_pgnt_share(t))
		return false;
	t->budget->stat_walks++;
	for (o = t->budget->tables; o; o = o->bnext) {
		unsigned int share = bb_pgnt_share(o);

		if (o != t && o->held > share && o->held - share > most && free_chunk(o)) {
			most = o->held - share;
			hog = o;
		}
	}
	if (!hog)
		return false;
	took = take_back(t, k, hog);
	t->budget->stat_walks += !budget_room(t, k);
	for (o = t->budget->tables; o && !budget_room(t, k); o = o->bnext)
		if (o != t && o != hog)
			took |= take_back(t, k, o);
	return took;
}

static struct bb_pgnt *lookup(struct bb_pgnt_table *t, uint32_t gref)
{
	struct bb_pgnt *p;

	for (p = t->hash[bucket(t, gref)]; p; p = p->hnext)
		if (p->gref == gref)
			return p;
	return NULL;
}

/* Undoes a failed bb_pgnt_get_n: the first @i pinned, the @k fresh entries dropped. */
static int unwind(struct bb_pgnt_table *t, struct bb_pgnt **out, unsigned int i, unsigned int k,
		  int err)
{
	while (i--)
		bb_pgnt_put(out[i]);
	while (k--)
		drop(t, t->fresh[k]);
	return err;
}

int bb_pgnt_get_n(struct bb_pgnt_table *t, const uint32_t *grefs, unsigned int n,
		  struct bb_pgnt **out)
{
	struct bb_pgnt_chunk *c;
	unsigned int i, k = 0;
	bool others = true;
	uint8_t *base;

	/* Hits pinned; each grant seen for the first time gets an entry, still unmapped. */
	for (i = 0; i < n; i++) {
		struct bb_pgnt *p = lookup(t, grefs[i]);

		if (!p) {
			if (!t->free && !evict_one(t))
				return unwind(t, out, i, k, -ENOSPC);
			p = t->free;
			t->free = p->hnext;
			p->gref = grefs[i];
			p->pins = 0;
			p->addr = NULL;
			p->chunk = NULL;
			p->prev = p->next = NULL;	/* pinned: off the LRU list */
			p->hnext = t->hash[bucket(t, p->gref)];
			t->hash[bucket(t, p->gref)] = p;
			t->refs[k] = p->gref;
			t->fresh[k++] = p;
		} else if (p->addr) {
			t->stat_hits++;
		}
		pin(p);
		out[i] = p;
	}
	if (!k)
		return 0;
	/*
	 * Room for k more grants held, in this queue and in the daemon: from the others while
	 * they have maps to give back and we are within our share, then from our own, a whole
	 * unpinned map at a time (single pages of a map free nothing while the rest is held).
	 */
	while (t->held + k > t->max || t->budget->held + k > t->budget->max) {
		if (others && t->held + k <= t->max && evict_for(t, k))
			continue;
		others = false;
		c = free_chunk(t);
		if (!c)
			return unwind(t, out, n, k, -ENOSPC);
		evict_chunk(t, c);
	}
	base = t->env->ops->gnt_map(t->env->priv, t->domid, t->refs, k, true);
	c = base ? malloc(sizeof(*c) + k * sizeof(c->ents[0])) : NULL;
	if (!c) {
		if (base)
			t->env->ops->gnt_unmap(t->env->priv, base, k);
		return unwind(t, out, n, k, base ? -ENOMEM : -EFAULT);
	}
	c->t = t;
	c->n = c->live = c->pinned = k;	/* fresh entries are distinct, each pinned */
	c->iprev = c->inext = NULL;	/* not idle: pinned */
	c->idle = false;
	for (i = 0; i < k; i++) {
		t->fresh[i]->addr = base + (size_t)i * PAGE;
		t->fresh[i]->chunk = c;
		t->fresh[i]->cidx = i;
		c->ents[i] = t->fresh[i];
	}
	t->n += k;
	t->held += k;
	t->budget->held += k;
	t->stat_maps += k;
	t->stat_calls++;
	return 0;
}

struct bb_pgnt *bb_pgnt_get(struct bb_pgnt_table *t, uint32_t gref, int *err)
{
	struct bb_pgnt *p;

	*err = bb_pgnt_get_n(t, &gref, 1, &p);
	return *err ? NULL : p;
}
