// Firmware-call cost per policy action, measured by the guest: 1,000,000 calls each of a
// built-in service (PSCI_VERSION: handle), a denied range (0x83000000: deny) and a forwarded
// one (0x82000001: forward to the VMM's board handler), timed with CNTVCT_EL0. Run on Conduit
// with Guests/conformance/policy.yaml; on QEMU every call is answered by its PSCI code.
#include "../common/guest.h"

#define CALLS 1000000

static uint64_t counter(void) {
    uint64_t value;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(value));
    return value;
}

static uint64_t frequency(void) {
    uint64_t value;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(value));
    return value;
}

static void measure(const char *name, uint32_t function) {
    uint64_t start = counter();
    uint64_t last = 0;
    for (int n = 0; n < CALLS; n++) last = hvc_call(function, 0, 0, 0);
    uint64_t ticks = counter() - start;
    // Nanoseconds per call, to one decimal: ticks * 1e9 / frequency / CALLS.
    uint64_t tenths = ticks * 10000000000ull / frequency() / CALLS;
    puts_uart("actions: ");
    puts_uart(name);
    puts_uart(" ");
    put_dec(tenths / 10);
    putc_uart('.');
    put_dec(tenths % 10);
    puts_uart(" ns per call (x0 = ");
    put_hex(last);
    puts_uart(")\n");
}

int main(void) {
    measure("handle  PSCI_VERSION    ", 0x84000000u);
    measure("deny    0x83000000      ", 0x83000000u);
    measure("forward 0x82000001      ", 0x82000001u);
    return 0;
}
