// Conduit's demo guest: reads the device tree, starts every CPU through PSCI CPU_ON, prints
// from each, calls a board service the VMM forwards and one the policy denies, and powers off.
#include "../common/guest.h"
#include "../common/fdt.h"
#include "../common/smccc.h"


// A ticket lock so that CPUs print whole lines (LDAXR/STLXR through the compiler's atomics).
static volatile uint32_t next_ticket, now_serving;
static volatile uint32_t cpus_started;

static void lock(void) {
    uint32_t ticket = __atomic_fetch_add(&next_ticket, 1, __ATOMIC_ACQUIRE);
    while (__atomic_load_n(&now_serving, __ATOMIC_ACQUIRE) != ticket) __asm__ volatile("wfe");
}

static void unlock(void) {
    __atomic_store_n(&now_serving, now_serving + 1, __ATOMIC_RELEASE);
    __asm__ volatile("dsb ish; sev");
}

static struct firmware_info info;

static uint64_t read_mpidr(void) {
    uint64_t value;
    __asm__ volatile("mrs %0, mpidr_el1" : "=r"(value));
    return value;
}

void secondary_main(uint64_t index) {
    enable_mmu();
    lock();
    puts_uart("  cpu ");
    put_dec(index);
    puts_uart(": hello from MPIDR ");
    put_hex(read_mpidr() & 0xFF00FFFFFFull);
    puts_uart(", started by PSCI CPU_ON\n");
    unlock();
    __atomic_fetch_add(&cpus_started, 1, __ATOMIC_RELEASE);
    smccc_call(PSCI_CPU_OFF, 0, 0, 0);
    puts_uart("  CPU_OFF returned: firmware bug\n");
}

extern void secondary_entry(void);

static void show(const char *what, uint64_t value) {
    puts_uart(what);
    put_hex(value);
    puts_uart((int64_t)value == -1 ? " (NOT_SUPPORTED)\n" : "\n");
}

int main(void) {
    enable_mmu();
    puts_uart("Conduit demo guest\n");
    if (!read_firmware_info((const void *)FDT_ELF_ADDRESS, &info)) {
        puts_uart("no device tree at 0x40000000\n");
        return 1;
    }
    if (!info.has_psci) {
        puts_uart("the device tree says there is no PSCI: staying on one CPU\n");
        return 0;
    }
    smccc_use_smc = info.psci_uses_smc;
    puts_uart("device tree: ");
    put_dec((uint64_t)info.cpu_count);
    puts_uart(" CPUs, PSCI through ");
    puts_uart(smccc_use_smc ? "SMC\n" : "HVC\n");
    uint64_t version = smccc_call(PSCI_VERSION, 0, 0, 0).x0;
    puts_uart("PSCI_VERSION: ");
    put_dec(version >> 16);
    putc_uart('.');
    put_dec(version & 0xFFFF);
    puts_uart("\n");
    show("SMCCC_VERSION: ", smccc_call(SMCCC_VERSION, 0, 0, 0).x0);

    uint64_t self = read_mpidr() & 0xFF00FFFFFFull;
    int started = 0;
    for (int n = 0; n < info.cpu_count; n++) {
        if (info.mpidr[n] == self) continue;
        int64_t status = (int64_t)smccc_call(PSCI_CPU_ON_64, info.mpidr[n], (uint64_t)secondary_entry, (uint64_t)n).x0;
        if (status == 0) started++;
        else {
            lock();
            puts_uart("  CPU_ON failed for MPIDR ");
            put_hex(info.mpidr[n]);
            puts_uart("\n");
            unlock();
        }
    }
    while (__atomic_load_n(&cpus_started, __ATOMIC_ACQUIRE) < (uint32_t)started) __asm__ volatile("yield");
    // Wait until each has really powered off: AFFINITY_INFO reports OFF (1).
    for (int n = 0; n < info.cpu_count; n++) {
        if (info.mpidr[n] == self) continue;
        while (smccc_call(PSCI_AFFINITY_INFO_64, info.mpidr[n], 0, 0).x0 != 1) __asm__ volatile("yield");
    }
    lock();
    puts_uart("all ");
    put_dec((uint64_t)started + 1);
    puts_uart(" CPUs ran; the secondaries are off again\n");
    unlock();

    if (info.board_firmware && info.firmware_blob) {
        // --machine highbank64: the same SoC query answered by the VMM (SMC32 SiP, forward) and
        // by the guest-side firmware blob (SMC64 SiP, firmware), through SMC as /firmware says.
        struct smccc_result vmm = smccc_smc(0x82000004u, 0, 0, 0);
        struct smccc_result blob = smccc_smc(0xC2000004u, 0, 0, 0);
        show("SoC query 0x82000004 (board services in the VMM): status ", vmm.x0);
        show("  SoC ID ", vmm.x1);
        show("SoC query 0xC2000004 (the guest-side firmware blob): status ", blob.x0);
        show("  SoC ID ", blob.x1);
        smccc_smc(0x82000001u, 1, 0, 0);
        smccc_smc(0xC2000001u, 1, 0, 0);
        show("L2 enabled both ways; the VMM reads back L2 control ", smccc_smc(0x82000005u, 0, 0, 0).x1);
        show("  and the firmware blob reads back ", smccc_smc(0xC2000005u, 0, 0, 0).x1);
        show("a faulting firmware function (0xC2000012): ", smccc_smc(0xC2000012u, 0, 0, 0).x0);
    } else {
        // A board service the VMM forwards (SiP range, owner 2).
        struct smccc_result board = smccc_call(0x82000001u, 0, 0, 0);
        show("board service 0x82000001 (forwarded to the VMM): ", board.x0);
        show("  x1 = ", board.x1);
    }
    show("OEM service 0x83000000 (denied): ", smccc_call(0x83000000u, 0, 0, 0).x0);
    show("TRNG_RND64 (64 bits): status ", smccc_call(TRNG_RND64, 64, 0, 0).x0);
    puts_uart("powering off with PSCI SYSTEM_OFF\n");
    return 0;
}
