// Unicorn (QEMU's CPU as a library), the independent implementation Conduit's differential tests
// compare its interpreter against. Debian: libunicorn-dev (scripts/setup.sh installs it).
//
// Unicorn's uc_ctl and uc_hook_add are variadic C functions, which Swift cannot call; these
// wrappers give them fixed signatures.
#ifndef CONDUIT_CUNICORN_H
#define CONDUIT_CUNICORN_H

#include <unicorn/unicorn.h>

typedef void (*conduit_uc_interrupt_callback)(uc_engine *uc, uint32_t intno, void *user_data);

uc_err conduit_uc_set_cpu_model(uc_engine *uc, int model);
uc_err conduit_uc_remove_cache(uc_engine *uc, uint64_t begin, uint64_t end);
uc_err conduit_uc_flush_tb(uc_engine *uc);
uc_err conduit_uc_hook_interrupts(uc_engine *uc, uc_hook *hook, conduit_uc_interrupt_callback callback, void *user_data);

#endif
