// Console output, exception reports and the MMU set-up shared by every bare-metal guest.
#include "guest.h"

void putc_uart(char c) {
    // QEMU's and Conduit's PL011 never fill the transmit FIFO, but a real one would.
    while (*UART_FR & (1u << 5)) {}
    *UART_DR = (uint32_t)(unsigned char)c;
}

void puts_uart(const char *s) {
    while (*s) putc_uart(*s++);
}

void put_hex(uint64_t value) {
    puts_uart("0x");
    int started = 0;
    for (int shift = 60; shift >= 0; shift -= 4) {
        unsigned digit = (value >> shift) & 0xF;
        if (digit || started || shift == 0) {
            putc_uart("0123456789abcdef"[digit]);
            started = 1;
        }
    }
}

void put_dec(uint64_t value) {
    char digits[21];
    int n = 0;
    do { digits[n++] = (char)('0' + value % 10); value /= 10; } while (value);
    while (n) putc_uart(digits[--n]);
}

void report_exception(uint64_t vector, uint64_t esr, uint64_t far, uint64_t elr) {
    puts_uart("unexpected exception: vector ");
    put_dec(vector);
    puts_uart(" ESR ");
    put_hex(esr);
    puts_uart(" FAR ");
    put_hex(far);
    puts_uart(" ELR ");
    put_hex(elr);
    puts_uart("\n");
}

// Level 1 table for a 39-bit address space (T0SZ = 25): entry n maps n GiB.
static uint64_t level1[512] __attribute__((aligned(4096)));

void enable_mmu(void) {
    // MAIR: attribute 0 = Device-nGnRnE, attribute 1 = Normal write-back (DDI0487 D8.5).
    const uint64_t mair = 0x00ull | 0xFFull << 8;
    // Block descriptor: valid (bit 0), block (bit 1 clear), AttrIndx 4:2, AF (bit 10),
    // SH inner shareable (9:8 = 3) for normal memory; UXN/PXN on the device block.
    level1[0] = 0x00000000ull | 1 | (0ull << 2) | (1ull << 10) | (1ull << 54) | (1ull << 53);
    level1[1] = 0x40000000ull | 1 | (1ull << 2) | (3ull << 8) | (1ull << 10);
    // TCR: T0SZ = 25, inner and outer write-back, inner shareable, 4K granule, EPD1 (no
    // TTBR1 walks), IPS = 40 bits.
    const uint64_t tcr = 25 | (1ull << 8) | (1ull << 10) | (3ull << 12) | (1ull << 23) | (2ull << 32);
    __asm__ volatile(
        "msr mair_el1, %0\n"
        "msr tcr_el1, %1\n"
        "msr ttbr0_el1, %2\n"
        "isb\n"
        "tlbi vmalle1\n"
        "dsb nsh\n"
        "isb\n"
        "mrs x9, sctlr_el1\n"
        "orr x9, x9, #(1 << 0)\n"   // M
        "orr x9, x9, #(1 << 2)\n"   // C
        "orr x9, x9, #(1 << 12)\n"  // I
        "msr sctlr_el1, x9\n"
        "isb\n"
        :
        : "r"(mair), "r"(tcr), "r"((uint64_t)level1)
        : "x9", "memory");
}

// The compiler may call these for struct and array initialisation even in freestanding code.
void *memset(void *destination, int value, size_t count) {
    unsigned char *d = destination;
    while (count--) *d++ = (unsigned char)value;
    return destination;
}

void *memcpy(void *destination, const void *source, size_t count) {
    unsigned char *d = destination;
    const unsigned char *s = source;
    while (count--) *d++ = *s++;
    return destination;
}
