/* Generic SMP: the maxcpus= option and the life of an application processor once it is up. */
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/param.h>
#include <keel/percpu.h>
#include <keel/schedule.h>
#include <keel/smp.h>

unsigned int smp_max_cpus = MAX_CPUS;

static int parse_maxcpus(const char *value)
{
	u64 n;

	if (!value || parse_uint(value, &value, &n) || *value || n == 0)
		return -EINVAL;
	smp_max_cpus = MIN(n, (u64)MAX_CPUS);
	return 0;
}
custom_param("maxcpus", parse_maxcpus);

void smp_ap_main(void)
{
	smp_mb();	/* everything the CPU set up is seen before it is online */
	WRITE_ONCE(this_cpu()->online, true);
	/* Asleep until the boot CPU has the scheduler ready (it kicks us). */
	while (!scheduler_running())
		arch_idle();
	schedule_loop();
}
