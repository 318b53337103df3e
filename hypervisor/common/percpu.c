/* The per-CPU state of every physical CPU. */
#include <keel/percpu.h>

struct pcpu *pcpus[MAX_CPUS];
unsigned int nr_cpus = 1;
