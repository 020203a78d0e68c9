# scripts/gdb-test.sh: gdb-multiarch in batch mode against `conduit run demo.elf -smp 2 -s -S`.
# A command that fails ends the batch, and the script checks what gdb printed.
set pagination off
set confirm off
target remote 127.0.0.1:1234
info threads
break main
continue
info registers x0 x1 sp pc cpsr
# SIMD&FP: written through P, read back through p and g.
set $v2.d.u[1] = 0x1122334455667788
set $v3.s.f[0] = 1.5
p/x $v2.d.u
p $v3.s.f[0]
p/x $fpcr
p/x $SCTLR_EL1
x/2i $pc
x/4xw $sp
monitor xp 0x40200000 16
stepi
p $pc
watch *(unsigned int *)&cpus_started
monitor catch firmware 0x84000000-0x8400001f
monitor catch firmware
monitor policy
monitor trace firmware on
delete 1
continue
continue
continue
monitor catch firmware off
delete
continue
