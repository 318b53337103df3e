/* The exception-fixup table: look up a faulting RIP, record the fault and resume at the fixup. */
#include "extable.h"

extern const struct ex_entry __start_ex_table[], __stop_ex_table[];

volatile struct fault_record last_fault = { .vector = NO_FAULT };

void fault_reset(void)
{
	last_fault.vector = NO_FAULT;
	last_fault.error_code = 0;
	last_fault.rip = 0;
	last_fault.cr2 = 0;
}

bool extable_fixup(struct cpu_regs *regs)
{
	for (const struct ex_entry *e = __start_ex_table;
	     e < __stop_ex_table; e++) {
		if (e->fault != regs->rip)
			continue;
		last_fault.vector = (int)regs->vector;
		last_fault.error_code = regs->error_code;
		last_fault.rip = regs->rip;
		last_fault.cr2 = regs->vector == 14 ? read_cr2() : 0;
		regs->rip = e->fixup;
		return true;
	}
	return false;
}
