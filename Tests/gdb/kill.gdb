# scripts/gdb-test.sh: a step of one thread while the other is held (vCont;s:1 resumes only
# vCPU 0, stopped in main while vCPU 1 sits at its breakpoint), then gdb's own kill (vKill).
set pagination off
set confirm off
target remote 127.0.0.1:1234
break secondary_main
continue
thread 1
stepi
p $pc
kill
