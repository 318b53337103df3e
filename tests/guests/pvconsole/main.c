/*
 * pvconsole: the PV console keel serves for dom0, used the way Linux's
 * hvc_xen uses it: HVM_PARAM_CONSOLE_PFN/EVTCHN name a ring page and an
 * event channel; the guest fills out[], advances out_prod and sends an
 * event, and keel must print the text as "(d0)" lines and consume it
 * (out_cons catches up). 6 KiB of numbered lines — three times the ring —
 * check that keel drains as the guest refills. Then a guest corrupting
 * the indices (out_prod far ahead) must get its output dropped with a
 * warning while keel keeps running.
 */
#include "guest.h"
#include "xencons.h"
#include <public/console.h>
#include <public/event_channel.h>
#include <public/hvm_op.h>

int guest_main(const char *cmdline)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF,
				   .index = HVM_PARAM_CONSOLE_PFN };
	volatile struct xencons_interface *ring;
	struct evtchn_send send;
	char line[64];

	if (!CHECK(xencons_init(), "no PV console"))
		return test_result("pvconsole");
	xencons_write("pvconsole: hello through the ring\n", 34);
	for (int i = 0; i < 120; i++) {
		int n = snprintf(line, sizeof(line),
				 "pvconsole: line %03d of the ring test.......\n", i);
		CHECK(xencons_write(line, n) == n, "short write of line %d", i);
	}
	HYPERVISOR_hvm_op(HVMOP_get_param, &p);
	ring = (volatile struct xencons_interface *)(p.value << 12);
	CHECK(ring->out_cons == ring->out_prod, "keel left %u bytes in the ring",
	      ring->out_prod - ring->out_cons);

	/* Hostile indices: keel must drop, not overrun. */
	ring->out_prod = ring->out_cons + 100000;
	p.index = HVM_PARAM_CONSOLE_EVTCHN;
	HYPERVISOR_hvm_op(HVMOP_get_param, &p);
	send.port = p.value;
	CHECK(HYPERVISOR_event_channel_op(EVTCHNOP_send, &send) == 0,
	      "send on the console port failed");
	CHECK(ring->out_cons == ring->out_prod, "corrupt ring not reset");
	xencons_write("pvconsole: still alive\n", 23);
	return test_result("pvconsole");
}
