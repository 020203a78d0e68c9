// What perf does to a process, through the guest kernel's armv8_pmuv3 driver: count the user-space
// instructions and the branches (raw event 0x21, BR_RETIRED) of a loop of known length
// (PMEVTYPER filtered by exception level), count the same loop's kernel work too when it makes
// system calls, and take an overflow interrupt every 100000 events (perf sampling; attr.sigtrap
// turns each overflow into a SIGTRAP here).
// Built static by scripts/linux-guest.sh into the kit's initramfs as /bin/pmu-probe; prints one
// line per check and "pmu-probe: ok" when every check passed. Without INST_RETIRED (QEMU's TCG
// counts instructions only with -icount) it uses CPU_CYCLES and checks only that counts move;
// where the PMU does not implement BR_RETIRED (the driver lists the events PMCEID0/1 advertise
// in sysfs; a raw event it does not list opens but counts nothing) it says so and skips that check.
#include <errno.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { LOOP = 1000000, SYSCALLS = 2000, PERIOD = 100000 };

#ifndef TRAP_PERF
#define TRAP_PERF 6  // include/uapi/asm-generic/siginfo.h; glibc 2.36 does not name it
#endif

static volatile int overflows;

static void on_trap(int sig, siginfo_t *info, void *context) {
    (void)sig;
    (void)context;
    if (info->si_code == TRAP_PERF) overflows++;
}

static int open_event(uint32_t type, uint64_t config, int exclude_kernel, uint64_t period) {
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = type;
    attr.config = config;
    attr.disabled = 1;
    attr.exclude_kernel = exclude_kernel;
    attr.exclude_hv = 1;
    if (period) {
        attr.sample_period = period;
        attr.sigtrap = 1;
        attr.remove_on_exec = 1;
    }
    return (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
}

static int open_counter(uint64_t config, int exclude_kernel, uint64_t period) {
    return open_event(PERF_TYPE_HARDWARE, config, exclude_kernel, period);
}

// 2 * n instructions at EL0.
__attribute__((noinline)) static void spin(long n) {
    __asm__ volatile("1: subs %0, %0, #1\n\tb.ne 1b" : "+r"(n) : : "cc");
}

__attribute__((noinline)) static void calls(int n) {
    for (int i = 0; i < n; i++) syscall(SYS_getppid);
}

// The count of `fd` over `work(n)`.
static long long measure(int fd, void (*work)(long), long n) {
    long long count = -1;
    ioctl(fd, PERF_EVENT_IOC_RESET, 0);
    ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
    work(n);
    ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
    if (read(fd, &count, sizeof count) != sizeof count) return -1;
    return count;
}

static void calls_long(long n) { calls((int)n); }

int main(void) {
    int failures = 0;
    uint64_t event = PERF_COUNT_HW_INSTRUCTIONS;
    const char *name = "instructions";
    int fd = open_counter(event, 1, 0);
    if (fd < 0 && errno == ENOENT) {
        event = PERF_COUNT_HW_CPU_CYCLES;
        name = "cycles";
        fd = open_counter(event, 1, 0);
    }
    if (fd < 0) {
        printf("pmu-probe: perf_event_open: %s\n", strerror(errno));
        return 1;
    }
    int exact = event == PERF_COUNT_HW_INSTRUCTIONS;

    long long user = measure(fd, spin, LOOP);
    // The loop, the ioctl wrappers' user-space halves, nothing from EL1.
    int ok = exact ? user >= 2 * LOOP && user < 2 * LOOP + 10000 : user > 0;
    printf("pmu-probe: %s:u of a %d-instruction loop: %lld %s\n", name, 2 * LOOP, user, ok ? "ok" : "FAILED");
    failures += !ok;

    // The PMU is armv8_pmuv3 when the device tree describes it, armv8_pmuv3_0 through ACPI.
    int branches = -1;
    if (access("/sys/bus/event_source/devices/armv8_pmuv3/events/br_retired", F_OK) != 0
        && access("/sys/bus/event_source/devices/armv8_pmuv3_0/events/br_retired", F_OK) != 0) {
        printf("pmu-probe: BR_RETIRED: not advertised by PMCEID0/1, not checked\n");
    } else if ((branches = open_event(PERF_TYPE_RAW, 0x21, 1, 0)) < 0) {
        printf("pmu-probe: BR_RETIRED (raw 0x21): %s FAILED\n", strerror(errno));
        failures++;
    } else {
        long long count = measure(branches, spin, LOOP);
        close(branches);
        ok = count >= LOOP && count < LOOP + 2000;
        printf("pmu-probe: BR_RETIRED:u of a loop of %d branches: %lld %s\n", LOOP, count, ok ? "ok" : "FAILED");
        failures += !ok;
    }

    long long userCalls = measure(fd, calls_long, SYSCALLS);
    close(fd);
    fd = open_counter(event, 0, 0);
    long long allCalls = fd < 0 ? -1 : measure(fd, calls_long, SYSCALLS);
    if (fd >= 0) close(fd);
    ok = userCalls > 0 && allCalls > userCalls;
    printf("pmu-probe: %s of %d getppid calls: %lld at EL0, %lld at EL0 and EL1 %s\n", name, SYSCALLS, userCalls,
           allCalls, ok ? "ok" : "FAILED");
    failures += !ok;

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_trap;
    action.sa_flags = SA_SIGINFO;
    sigaction(SIGTRAP, &action, 0);
    fd = open_counter(event, 1, PERIOD);
    if (fd < 0) {
        printf("pmu-probe: sampling: perf_event_open: %s FAILED\n", strerror(errno));
        failures++;
    } else {
        measure(fd, spin, 5 * LOOP);
        close(fd);
        // 10^7 instructions: 100 overflows of a 10^5 period.
        ok = exact ? overflows >= 95 && overflows <= 105 : overflows > 0;
        printf("pmu-probe: overflow interrupts every %d %s:u over %d instructions: %d %s\n", PERIOD, name,
               10 * LOOP, overflows, ok ? "ok" : "FAILED");
        failures += !ok;
    }
    if (failures == 0) printf("pmu-probe: ok\n");
    return failures != 0;
}
