// Where PSCI CPU_ON starts the secondary CPUs: X0 is the context ID, here the CPU's index.
// Each gets its 16 KiB stack from guest.ld's secondary stacks, then runs secondary_main(index).
    .include "entry.inc"
    .text
    .global secondary_entry
secondary_entry:
    secondary_cpu_entry vectors_for_secondaries, secondary_main
1:  wfi
    b       1b

    .balign 2048
vectors_for_secondaries:
    .rept 16
    .balign 128
    b       .
    .endr
