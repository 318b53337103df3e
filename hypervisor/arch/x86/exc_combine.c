/* Both backends' rule for an exception raised while another is delivered: #DF or a triple fault. */
#include <asm/hvm.h>
#include <asm/vmcs.h>

/* Exception classes (SDM Vol. 3A, 6.15; APM Vol. 2, 8.2.9). */
static bool contributory(unsigned int vector)
{
	return vector == 0 || (vector >= 10 && vector <= 13);
}

int exc_combine(unsigned int first, unsigned int second)
{
	bool second_df = contributory(second) || second == X86_EXC_PF;

	if (first == X86_EXC_DF && second_df)
		return EXC_TRIPLE_FAULT;
	if ((contributory(first) && contributory(second)) ||
	    (first == X86_EXC_PF && second_df))
		return X86_EXC_DF;
	return second;
}
