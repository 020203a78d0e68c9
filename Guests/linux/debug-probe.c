// What gdb does to a process, through the guest kernel's ptrace: single-step a child
// (PTRACE_SINGLESTEP: MDSCR_EL1.SS and SPSR_EL1.SS), stop it at a hardware breakpoint
// (NT_ARM_HW_BREAK: DBGBCR/DBGBVR) and at a hardware watchpoint (NT_ARM_HW_WATCH: DBGWCR/DBGWVR).
// Built static by scripts/linux-guest.sh into the kit's initramfs as /bin/debug-probe; prints one
// line per check and "debug-probe: ok" when every check passed.
#include <elf.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>
#include <asm/ptrace.h>

static volatile uint64_t watched;

__attribute__((noinline)) static void target(void) {
    __asm__ volatile("nop");
}

static void child(void) {
    ptrace(PTRACE_TRACEME, 0, 0, 0);
    raise(SIGSTOP);
    for (int i = 0; i < 3; i++) target();
    watched = 0x1234;
    _exit(0);
}

static uint64_t child_pc(pid_t pid) {
    struct user_pt_regs regs;
    struct iovec io = {&regs, sizeof regs};
    if (ptrace(PTRACE_GETREGSET, pid, (void *)NT_PRSTATUS, &io) != 0) return 0;
    return regs.pc;
}

// One debug register pair through NT_ARM_HW_BREAK or NT_ARM_HW_WATCH. The control word is the
// DBGBCR/DBGWCR layout: BAS (byte mask) in bits 12:5, LSC in 4:3, PAC/PMC in 2:1 (EL0 = 0b10), E.
static int set_debug_register(pid_t pid, int regset, uint64_t address, uint32_t control) {
    struct user_hwdebug_state state;
    memset(&state, 0, sizeof state);
    state.dbg_regs[0].addr = address;
    state.dbg_regs[0].ctrl = control;
    struct iovec io = {&state, offsetof(struct user_hwdebug_state, dbg_regs) + sizeof state.dbg_regs[0]};
    return ptrace(PTRACE_SETREGSET, pid, (void *)(uintptr_t)regset, &io);
}

static int stopped_by_trap(pid_t pid) {
    int status;
    if (waitpid(pid, &status, 0) != pid) return 0;
    return WIFSTOPPED(status) && WSTOPSIG(status) == SIGTRAP;
}

int main(void) {
    int failures = 0;
    pid_t pid = fork();
    if (pid == 0) child();
    int status;
    waitpid(pid, &status, 0);  // the child's SIGSTOP

    // Five single steps: each stops with SIGTRAP at a new PC.
    int steps = 0;
    uint64_t pc = child_pc(pid);
    for (int i = 0; i < 5; i++) {
        if (ptrace(PTRACE_SINGLESTEP, pid, 0, 0) != 0 || !stopped_by_trap(pid)) break;
        uint64_t next = child_pc(pid);
        if (next == pc) break;
        pc = next;
        steps++;
    }
    printf("debug-probe: single-step %s (%d of 5 steps)\n", steps == 5 ? "ok" : "FAILED", steps);
    failures += steps != 5;

    // A hardware breakpoint at target(): the child stops there, each of the three calls.
    int hits = 0;
    if (set_debug_register(pid, NT_ARM_HW_BREAK, (uint64_t)(uintptr_t)target, 0xF << 5 | 0b10 << 1 | 1) == 0) {
        for (int i = 0; i < 3; i++) {
            if (ptrace(PTRACE_CONT, pid, 0, 0) != 0 || !stopped_by_trap(pid)) break;
            if (child_pc(pid) != (uint64_t)(uintptr_t)target) break;
            hits++;
            // Step over the breakpoint with it disabled, as gdb does, then re-arm it.
            set_debug_register(pid, NT_ARM_HW_BREAK, (uint64_t)(uintptr_t)target, 0);
            if (ptrace(PTRACE_SINGLESTEP, pid, 0, 0) != 0 || !stopped_by_trap(pid)) break;
            set_debug_register(pid, NT_ARM_HW_BREAK, (uint64_t)(uintptr_t)target, 0xF << 5 | 0b10 << 1 | 1);
        }
        set_debug_register(pid, NT_ARM_HW_BREAK, (uint64_t)(uintptr_t)target, 0);
    }
    printf("debug-probe: hardware breakpoint %s (%d of 3 hits)\n", hits == 3 ? "ok" : "FAILED", hits);
    failures += hits != 3;

    // A write watchpoint on `watched`: the child stops with si_addr naming it.
    siginfo_t info;
    memset(&info, 0, sizeof info);
    int watch = set_debug_register(pid, NT_ARM_HW_WATCH, (uint64_t)(uintptr_t)&watched, 0xFF << 5 | 0b10 << 3 | 0b10 << 1 | 1) == 0
        && ptrace(PTRACE_CONT, pid, 0, 0) == 0 && stopped_by_trap(pid)
        && ptrace(PTRACE_GETSIGINFO, pid, 0, &info) == 0 && info.si_addr == (void *)&watched;
    printf("debug-probe: hardware watchpoint %s (si_addr %p, watched %p)\n", watch ? "ok" : "FAILED", info.si_addr, (void *)&watched);
    failures += !watch;

    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    if (failures == 0) printf("debug-probe: ok\n");
    return failures != 0;
}
