# scripts/gdb-test.sh: gdb-multiarch against Debian's arm64 kernel under `conduit run ... -S`,
# with no symbols: the kernel's first PSCI call is caught, a hardware breakpoint goes on its HVC
# (a kernel virtual address, MMU on), and the kernel's next call through it stops there.
set pagination off
set confirm off
set architecture aarch64
target remote GDB_SOCKET
info threads
monitor catch firmware 0x84000000-0x8400001f
continue
p/x $x0
p/x $CurrentEL
p/x $SCTLR_EL1 & 1
set $hvc = $pc - 4
x/i $hvc
continue
monitor catch firmware off
hbreak *$hvc
continue
p $pc == $hvc
p/x $x0
delete
continue
