#include "cunicorn.h"

uc_err conduit_uc_set_cpu_model(uc_engine *uc, int model) {
    return uc_ctl(uc, UC_CTL_WRITE(UC_CTL_CPU_MODEL, 1), model);
}

uc_err conduit_uc_remove_cache(uc_engine *uc, uint64_t begin, uint64_t end) {
    return uc_ctl(uc, UC_CTL_WRITE(UC_CTL_TB_REMOVE_CACHE, 2), begin, end);
}

uc_err conduit_uc_flush_tb(uc_engine *uc) {
    return uc_ctl(uc, UC_CTL_WRITE(UC_CTL_TB_FLUSH, 0));
}

uc_err conduit_uc_hook_interrupts(uc_engine *uc, uc_hook *hook, conduit_uc_interrupt_callback callback, void *user_data) {
    return uc_hook_add(uc, hook, UC_HOOK_INTR, (void *)callback, user_data, 1, 0);
}
