/* Starting another vCPU of a test guest in 64-bit mode (ap64.h): INIT, startup IPI, the trampoline. */
#include "guest.h"
#include "ap64.h"

#define APIC_ICR 0x830
#define ICR_DEST(apic_id) ((u64)(apic_id) << 32)
#define ICR_INIT_ASSERT 0xc500
#define ICR_INIT_DEASSERT 0x8500
#define ICR_STARTUP 0x0600
#define AP64_MAX_VCPUS 16
#define WAIT_SPINS 100000000UL

extern const u8 ap64_tramp[], ap64_tramp_end[], ap64_tramp_cr3[], ap64_tramp_entry[];
void ap64_entry(void);

/* Read by ap64_entry. */
u64 ap64_stack_top;
struct {
	u16 limit;
	u64 base;
} __packed ap64_idtr;

static u8 stacks[AP64_MAX_VCPUS][AP64_STACK_SIZE] __aligned(16);
static void (*volatile ap_fn)(void *arg);
static void *volatile ap_arg;
static volatile bool ap_running;

void ap64_main(void);
void ap64_main(void)
{
	void (*fn)(void *) = ap_fn;
	void *arg = ap_arg;

	ap_running = true;
	fn(arg);
}

static void *tramp_slot(const u8 *sym)
{
	return (void *)(uptr)(AP64_BASE + (sym - ap64_tramp));
}

int ap64_start(unsigned int vcpu, void (*fn)(void *arg), void *arg)
{
	if (!vcpu || vcpu >= AP64_MAX_VCPUS)
		return -EINVAL;
	memcpy((void *)AP64_BASE, ap64_tramp, ap64_tramp_end - ap64_tramp);
	*(u64 *)tramp_slot(ap64_tramp_cr3) = read_cr3();
	*(u64 *)tramp_slot(ap64_tramp_entry) = (uptr)ap64_entry;
	ap64_stack_top = (uptr)&stacks[vcpu][AP64_STACK_SIZE];
	asm volatile("sidt %0" : "=m"(ap64_idtr));
	ap_fn = fn;
	ap_arg = arg;
	ap_running = false;
	asm volatile("" ::: "memory");
	wrmsr(APIC_ICR, ICR_DEST(vcpu) | ICR_INIT_ASSERT);
	wrmsr(APIC_ICR, ICR_DEST(vcpu) | ICR_INIT_DEASSERT);
	wrmsr(APIC_ICR, ICR_DEST(vcpu) | ICR_STARTUP | (AP64_BASE >> 12));
	/* PAUSE: on one host CPU the new vCPU runs when this one yields. */
	for (unsigned long i = 0; i < WAIT_SPINS; i++) {
		if (ap_running)
			return 0;
		asm volatile("pause");
	}
	return -ETIMEDOUT;
}
