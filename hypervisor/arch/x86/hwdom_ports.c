/* A hardware dom0's ports: its I/O bitmap, the trapped accesses, and the machine's own off and reset. */
#include <keel/assert.h>
#include <keel/bootinfo.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/page_alloc.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <asm/hwdom_ports.h>
#include <asm/io.h>
#include <public/sched.h>

#define CF9_RESET 0x06		/* RST_CPU | SYS_RST: a hard reset */
#define PM1_SLP_BITS 0x3c00	/* SLP_TYP and SLP_EN */
#define PM1_SLP_EN BIT(13)

/* What dom0's last power-off or reset asked of the machine; keel acts on it at its stop. */
static struct {
	bool hwdom;		/* a hardware dom0 was set up: the machine is its */
	u16 pm1_cnt[2];		/* ports; 0: none */
	u16 off_cnt[2];
	bool poweroff;
	u16 reset_port;
	u8 reset_value;
} machine;

static u32 hw_in(u16 port, unsigned int size)
{
	return size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
}

static void hw_out(u16 port, unsigned int size, u32 val)
{
	if (size == 1)
		outb(port, val);
	else if (size == 2)
		outw(port, val);
	else
		outl(port, val);
}

static const struct port_hw host_ports = { hw_in, hw_out };

static void read_host_fadt(struct domain *d, struct fadt_ports *f)
{
	struct acpi_walk w;

	memset(f, 0, sizeof(*f));
	if (!boot_info.rsdp_phys ||
	    acpi_walk_init(&w, boot_info.rsdp_phys, acpi_map_firmware, NULL) ||
	    fadt_read(&w, f)) {
		pr_warn("d%u: no usable FADT: PM1, PM timer and RESET_REG are not trapped\n",
			d->id);
		return;
	}
	pr_info("d%u: FADT PM1a_CNT %#x PM1b_CNT %#x PM_TMR %#x RESET %#x=%#x SCI %u SMI_CMD %#x, %u P_BLKs\n",
		d->id, f->pm1a_cnt, f->pm1b_cnt, f->pm_tmr, f->reset_port,
		f->reset_value, f->sci, f->smi_cmd, f->nr_pblks);
	if (!f->s5_known)
		pr_warn("d%u: no \\_S5 in the DSDT: every sleep request powers off\n",
			d->id);
	machine.pm1_cnt[0] = f->pm1a_cnt;
	machine.pm1_cnt[1] = f->pm1b_cnt;
	/* dom0 may power off by hypercall: \_S5 then, unless it writes PM1 itself. */
	machine.poweroff = f->s5_known;
	machine.off_cnt[0] = (f->s5_typ_a << 10) | PM1_SLP_EN;
	machine.off_cnt[1] = (f->s5_typ_b << 10) | PM1_SLP_EN;
	machine.reset_port = f->reset_port;
	machine.reset_value = f->reset_value;
}

int hwdom_ports_init(struct domain *d)
{
	struct fadt_ports fadt;
	struct hwdom_ports *p;

	ASSERT(!d->arch.hwdom_ports);
	/* The VMCS takes its bitmap when a vCPU is first set up (vmcs.c). */
	ASSERT(!d->vcpus[0]->arch.vmcs);
	read_host_fadt(d, &fadt);
	machine.hwdom = true;
	p = alloc_page();
	if (!p)
		return -ENOMEM;
	hwdom_ports_setup(p, &fadt);
	/* Four pages: SVM's I/O permission map is the same bits and a third page, all exits. */
	p->bitmap = alloc_pages(2);
	if (!p->bitmap) {
		free_page(p);
		return -ENOMEM;
	}
	hwdom_io_bitmap_fill(p, p->bitmap);
	memset(p->bitmap + IO_BITMAP_BYTES, 0xff, IO_BITMAP_BYTES);
	d->arch.hwdom_ports = p;
	return 0;
}

void hwdom_ports_free(struct domain *d)
{
	struct hwdom_ports *p = d->arch.hwdom_ports;

	if (!p)
		return;
	free_pages(p->bitmap, 2);
	free_page(p);
	d->arch.hwdom_ports = NULL;
}

bool hwdom_portio(struct vcpu *v, u16 port, unsigned int size, bool in,
		  u32 *val)
{
	struct hwdom_ports *p = v->domain->arch.hwdom_ports;
	static unsigned int refused;

	switch (hwdom_port_access(p, port, size, in, val, &host_ports)) {
	case HWDOM_IO_NOT_MINE:
		return false;
	case HWDOM_IO_POWEROFF:
		machine.off_cnt[0] = p->off_cnt[0];
		machine.off_cnt[1] = p->off_cnt[1];
		machine.poweroff = true;
		domain_shutdown(v->domain, SHUTDOWN_poweroff);
		break;
	case HWDOM_IO_REBOOT:
		domain_shutdown(v->domain, SHUTDOWN_reboot);
		break;
	case HWDOM_IO_REFUSED:
		if (refused++ < 10)
			pr_warn("d%u: refused sleep request %#x to port %#x (only S5 is)\n",
				v->domain->id, *val, port);
		break;
	case HWDOM_IO_DONE:
		break;
	}
	return true;
}

void hwdom_machine_off(bool reboot)
{
	if (!machine.hwdom)
		return;
	if (!reboot && machine.poweroff) {
		for (int i = 1; i >= 0; i--)	/* PM1b first: PM1a's write is the one that acts */
			if (machine.pm1_cnt[i])
				outw(machine.pm1_cnt[i],
				     (inw(machine.pm1_cnt[i]) & ~PM1_SLP_BITS) |
				     machine.off_cnt[i]);
		return;
	}
	if (!reboot)
		return;
	if (machine.reset_port)
		outb(machine.reset_port, machine.reset_value);
	outb(0xcf9, CF9_RESET);
}
