// Console output, exception reports and the MMU set-up shared by every bare-metal guest.
#include "guest.h"

// The conduit SMCCC calls and SYSTEM_OFF use: 0 for HVC (the default policy's), 1 for SMC.
// Guests that read the device tree set it from /psci's method.
int smccc_use_smc;

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

void put_result(const char *label, uint64_t value) {
    puts_uart(label);
    put_hex(value);
    putc_uart('\n');
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
