/* Software timers: a deadline-ordered list fired from the main loop; the earliest arms the hardware timer. */
#include <keel/arch.h>
#include <keel/timer.h>

static struct timer *timer_list;

void timer_init(struct timer *t, void (*fn)(void *data), void *data)
{
	t->fn = fn;
	t->data = data;
	t->next = NULL;
	t->active = false;
	t->expires = TIMER_NONE;
}

void timer_stop(struct timer *t)
{
	struct timer **p;

	if (!t->active)
		return;
	for (p = &timer_list; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			break;
		}
	}
	t->active = false;
	t->next = NULL;
}

void timer_set(struct timer *t, u64 expires)
{
	struct timer **p;

	timer_stop(t);
	t->expires = expires;
	for (p = &timer_list; *p && (*p)->expires <= expires; p = &(*p)->next)
		;
	t->next = *p;
	*p = t;
	t->active = true;
	/* A new earliest deadline must reach the hardware even while a guest runs. */
	if (timer_list == t)
		arch_timer_program(expires);
}

void timers_run(u64 now)
{
	while (timer_list && timer_list->expires <= now) {
		struct timer *t = timer_list;

		timer_list = t->next;
		t->next = NULL;
		t->active = false;
		t->fn(t->data);
	}
}

u64 timers_next_deadline(void)
{
	return timer_list ? timer_list->expires : TIMER_NONE;
}
