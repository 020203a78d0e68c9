// Firmware-call cost per policy action, measured by the guest: 1,000,000 calls each of a
// built-in service (PSCI_VERSION: handle), a denied range (0x83000000: deny) and a forwarded
// one (0x82000001: forward to the VMM's board handler), timed with CNTVCT_EL0. Run on Conduit
// with Guests/conformance/policy.yaml; on QEMU every call is answered by its PSCI code. Under
// --machine highbank64 it also times the SiP SoC query through SMC, answered by the VMM and by
// the guest-side firmware blob.
#include "../common/guest.h"
#include "../common/fdt.h"
#include "../common/smccc.h"


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

static void measure(const char *name, uint32_t function, int use_smc, int calls) {
    uint64_t start = counter();
    uint64_t last = 0;
    for (int n = 0; n < calls; n++) last = use_smc ? smccc_smc(function, 0, 0, 0).x0 : hvc_call(function, 0, 0, 0);
    uint64_t ticks = counter() - start;
    // Nanoseconds per call, to one decimal: ticks * 1e9 / frequency / CALLS.
    uint64_t tenths = ticks * 10000000000ull / frequency() / (uint64_t)calls;
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
    measure("handle  PSCI_VERSION    ", 0x84000000u, 0, CALLS);
    measure("deny    0x83000000      ", 0x83000000u, 0, CALLS);
    measure("forward 0x82000001      ", 0x82000001u, 0, CALLS);
    struct firmware_info info;
    if (read_firmware_info((const void *)FDT_ELF_ADDRESS, &info) && info.board_firmware && info.firmware_blob) {
        // --machine highbank64: the SiP SoC query through SMC, answered by the VMM and by the blob.
        measure("handle  PSCI_VERSION (SMC)", 0x84000000u, 1, CALLS);
        measure("forward SiP 0x82000004 (SMC)", 0x82000004u, 1, CALLS);
        measure("firmware SiP 0xC2000004 (SMC)", 0xC2000004u, 1, CALLS / 10);
    }
    return 0;
}
