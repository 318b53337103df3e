/* sched_op hypercall: sub-op numbers, shutdown reasons and struct sched_shutdown (Xen's values). */
#ifndef PUBLIC_SCHED_H
#define PUBLIC_SCHED_H

#include <keel/types.h>

#define SCHEDOP_yield 0
#define SCHEDOP_block 1
#define SCHEDOP_shutdown 2
#define SCHEDOP_poll 3
#define SCHEDOP_remote_shutdown 4
#define SCHEDOP_shutdown_code 5
#define SCHEDOP_watchdog 6
#define SCHEDOP_pin_override 7

/* Shutdown reasons (struct sched_shutdown.reason). */
#define SHUTDOWN_poweroff 0
#define SHUTDOWN_reboot 1
#define SHUTDOWN_suspend 2
#define SHUTDOWN_crash 3
#define SHUTDOWN_watchdog 4
#define SHUTDOWN_soft_reset 5
#define SHUTDOWN_MAX 5

/* SCHEDOP_shutdown and SCHEDOP_shutdown_code. */
struct sched_shutdown {
	unsigned int reason;
};

/* SCHEDOP_poll: block until a port is pending or the absolute timeout (0: none). */
struct sched_poll {
	u64 ports;		/* guest handle of evtchn_port_t[nr_ports] */
	unsigned int nr_ports;
	u64 timeout;
};

#endif
