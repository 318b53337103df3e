/* Console hardware: the 16550 UART on COM1 and the 0xE9 debug port of Bochs and QEMU. */
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <asm/io.h>
#include <asm/ioapic.h>

#define COM1 0x3f8
#define UART_THR 0	/* transmit holding */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7
#define UART_DLL 0	/* with LCR.DLAB */
#define UART_DLM 1
#define UART_IER_RDI 0x01	/* interrupt on received data */
#define UART_MCR_DTR_RTS 0x03
#define UART_MCR_OUT2 0x08	/* on a PC: the IRQ line's gate */
#define UART_LSR_DR 0x01
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_TX_SPINS 100000

#define E9_PORT 0xe9

static bool uart_probe(u16 base)
{
	outb(base + UART_SCR, 0x5a);
	if (inb(base + UART_SCR) != 0x5a)
		return false;
	outb(base + UART_IER, 0x00);	/* no interrupts */
	outb(base + UART_LCR, 0x80);	/* DLAB */
	outb(base + UART_DLL, 1);	/* 115200 baud */
	outb(base + UART_DLM, 0);
	outb(base + UART_LCR, 0x03);	/* 8N1 */
	outb(base + UART_FCR, 0x07);	/* FIFO on, cleared; input at every byte */
	outb(base + UART_MCR, UART_MCR_DTR_RTS);
	return true;
}

static void uart_putc(u16 base, char c)
{
	for (int i = 0; i < UART_TX_SPINS; i++)
		if (inb(base + UART_LSR) & UART_LSR_THRE)
			break;
	outb(base + UART_THR, c);
}

static bool com1_present;
static int com1_vector;		/* routed to arch_console_input_irq()'s @fn */
static void (*com1_input)(void *data);

int arch_console_getc(void)
{
	if (!com1_present || !(inb(COM1 + UART_LSR) & UART_LSR_DR))
		return -1;
	return inb(COM1 + UART_THR);	/* the receive buffer, same offset */
}

static void com1_irq(unsigned int vector, void *data)
{
	com1_input(data);
}

int arch_console_input_irq(void (*fn)(void *data), void *data)
{
	int vector;

	if (!fn) {
		if (!com1_vector)
			return 0;
		outb(COM1 + UART_IER, 0);
		outb(COM1 + UART_MCR, UART_MCR_DTR_RTS);
		ioapic_route_com1(0);
		irq_vector_free_sync(com1_vector);
		com1_vector = 0;
		return 0;
	}
	if (!com1_present || com1_vector)
		return -ENODEV;
	com1_input = fn;
	vector = irq_vector_alloc(com1_irq, data);
	if (vector < 0)
		return vector;
	if (ioapic_route_com1(vector)) {
		irq_vector_free(vector);
		return -ENODEV;
	}
	com1_vector = vector;
	outb(COM1 + UART_IER, UART_IER_RDI);
	outb(COM1 + UART_MCR, UART_MCR_DTR_RTS | UART_MCR_OUT2);
	return 0;
}

u32 arch_console_probe(void)
{
	u32 found = 0;

	if (uart_probe(COM1)) {
		found |= CONSOLE_COM1;
		com1_present = true;
	}
	if (inb(E9_PORT) == E9_PORT)
		found |= CONSOLE_E9;
	return found;
}

void arch_console_write(u32 sinks, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (sinks & CONSOLE_COM1) {
			if (s[i] == '\n')
				uart_putc(COM1, '\r');
			uart_putc(COM1, s[i]);
		}
		if (sinks & CONSOLE_E9)
			outb(E9_PORT, s[i]);
	}
}

/* Wait until COM1 has shifted out its last byte, so nothing is lost at power-off. */
void x86_console_flush(void)
{
	for (int i = 0; i < UART_TX_SPINS; i++)
		if (inb(COM1 + UART_LSR) & UART_LSR_TEMT)
			break;
}
