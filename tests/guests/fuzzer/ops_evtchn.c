/* The fuzzer's event_channel_op calls: every 2-level and FIFO sub-op, on its own ports, dom0's offer and other domains'. */
#include <public/event_channel.h>
#include "ops.h"

static u16 dom_for_other_op(void)
{
	return chance(60) ? PICK(DOMID_SELF, S.self) : gen_domid();
}

void op_evtchn(void)
{
	u64 cmd = chance(90) ? below(15) : gen_int();
	u32 *w = (u32 *)tmp;
	u64 va, size = 24;
	long rc;

	memset(tmp, 0, 64);
	switch (cmd) {
	case EVTCHNOP_bind_interdomain: {
		struct evtchn_bind_interdomain *b = (void *)tmp;

		b->remote_dom = chance(40) ? 0 : chance(30) ? PICK(DOMID_SELF, S.self, S.peer) :
			       gen_domid();
		b->remote_port = b->remote_dom == 0 && chance(60) ? S.dom0port : gen_port();
		va = put(b, sizeof(*b));
		rc = hc(__HYPERVISOR_event_channel_op, cmd, va, 0, 0, 0);
		if (rc || !put_placed() || !get(b, va, sizeof(*b)))
			return;
		track_port(b->local_port);
		/* dom0 offered us one port, the peer none. */
		if (b->remote_dom == S.peer || (b->remote_dom == 0 && b->remote_port != S.dom0port))
			oracle_fail("bound d%u's port %u", b->remote_dom, b->remote_port);
		return;
	}
	case EVTCHNOP_bind_virq:
		w[0] = chance(80) ? below(NR_VIRQS) : gen_int();
		w[1] = gen_vcpu();
		size = 12;
		break;
	case EVTCHNOP_bind_pirq:
		w[0] = gen_int();
		w[1] = gen_int();
		size = 12;
		break;
	case EVTCHNOP_close:
	case EVTCHNOP_send:
	case EVTCHNOP_unmask:
		w[0] = gen_port();
		size = 4;
		break;
	case EVTCHNOP_status: {
		struct evtchn_status *st = (void *)tmp;

		st->dom = dom_for_other_op();
		st->port = gen_port();
		rc = hc(__HYPERVISOR_event_channel_op, cmd, put(st, sizeof(*st)), 0, 0, 0);
		if (rc >= 0 && put_placed() && other_domain(st->dom))
			oracle_fail("EVTCHNOP_status of d%u's port %u", st->dom, st->port);
		return;
	}
	case EVTCHNOP_alloc_unbound: {
		struct evtchn_alloc_unbound *a = (void *)tmp;

		a->dom = dom_for_other_op();
		a->remote_dom = gen_domid();
		va = put(a, sizeof(*a));
		rc = hc(__HYPERVISOR_event_channel_op, cmd, va, 0, 0, 0);
		if (rc || !put_placed())
			return;
		if (other_domain(a->dom))
			oracle_fail("EVTCHNOP_alloc_unbound in d%u", a->dom);
		if (get(a, va, sizeof(*a)))
			track_port(a->port);
		return;
	}
	case EVTCHNOP_bind_ipi:
		w[0] = gen_vcpu();
		size = 8;
		break;
	case EVTCHNOP_bind_vcpu:
		w[0] = gen_port();
		w[1] = gen_vcpu();
		size = 8;
		break;
	case EVTCHNOP_reset:
		*(u16 *)tmp = dom_for_other_op();
		rc = hc(__HYPERVISOR_event_channel_op, cmd, put(tmp, 2), 0, 0, 0);
		if (rc || !put_placed())
			return;
		if (other_domain(*(u16 *)tmp))
			oracle_fail("EVTCHNOP_reset of d%u", *(u16 *)tmp);
		else
			S.nr_ports = 0;
		return;
	case EVTCHNOP_init_control: {
		struct fz_evtchn_init_control *c = (void *)tmp;

		c->control_gfn = gen_gfn();
		c->offset = chance(60) ? below(512) * 8 : chance(50) ? below(4096) : gen_int();
		c->vcpu = gen_vcpu();
		size = sizeof(*c);
		break;
	}
	case EVTCHNOP_expand_array:
		*(u64 *)tmp = gen_gfn();
		size = 8;
		break;
	case EVTCHNOP_set_priority:
		w[0] = gen_port();
		w[1] = chance(70) ? below(17) : gen_int();
		size = 8;
		break;
	case FZ_EVTCHNOP_set_limit:
		*(u16 *)tmp = dom_for_other_op();
		w[1] = gen_int();
		size = 8;
		break;
	default:
		for (unsigned int i = 0; i < 4; i++)
			((u64 *)tmp)[i] = gen_word();
		size = 32;
		break;
	}
	va = put(tmp, size);
	rc = hc(__HYPERVISOR_event_channel_op, cmd, va, 0, 0, 0);
	/* A new port: bind_virq, bind_pirq, bind_ipi return it after their inputs. */
	if (!rc && (cmd == EVTCHNOP_bind_virq || cmd == EVTCHNOP_bind_pirq ||
		    cmd == EVTCHNOP_bind_ipi) && put_placed() && get(tmp, va, size))
		track_port(w[size / 4 - 1]);
}
