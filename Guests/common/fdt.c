#include "fdt.h"

static int equal(const char *a, const char *b) {
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}

static int starts_with(const char *s, const char *prefix) {
    while (*prefix) if (*s++ != *prefix++) return 0;
    return 1;
}

int fdt_walk(const void *blob, fdt_visitor visit, void *context) {
    const uint8_t *base = blob;
    if (fdt_be32(base) != 0xD00DFEEDu) return 0;
    const uint8_t *structure = base + fdt_be32(base + 8);
    const char *strings = (const char *)base + fdt_be32(base + 12);
    const char *names[16] = {0};
    int depth = -1;
    const uint8_t *p = structure;
    for (;;) {
        uint32_t token = fdt_be32(p);
        p += 4;
        if (token == 1) {  // FDT_BEGIN_NODE
            depth++;
            if (depth < 16) names[depth] = (const char *)p;
            while (*p) p++;
            p = (const uint8_t *)(((uintptr_t)p + 4) & ~(uintptr_t)3);
        } else if (token == 2) {  // FDT_END_NODE
            depth--;
        } else if (token == 3) {  // FDT_PROP
            uint32_t length = fdt_be32(p);
            uint32_t name = fdt_be32(p + 4);
            p += 8;
            visit(depth >= 0 && depth < 16 ? names[depth] : "", depth, strings + name, p, length, context);
            p = (const uint8_t *)(((uintptr_t)p + length + 3) & ~(uintptr_t)3);
        } else if (token == 4) {  // FDT_NOP
        } else {
            return 1;  // FDT_END
        }
    }
}

static void collect(const char *node, int depth, const char *property, const uint8_t *value, uint32_t length,
                    void *context) {
    struct firmware_info *info = context;
    if (depth == 2 && starts_with(node, "cpu@") && equal(property, "reg") && info->cpu_count < 64) {
        uint64_t mpidr = fdt_be32(value);
        if (length == 8) mpidr = mpidr << 32 | fdt_be32(value + 4);
        info->mpidr[info->cpu_count++] = mpidr;
    }
    if (depth == 2 && equal(node, "highbank-sip")) info->board_firmware = 1;
    if (depth == 2 && equal(node, "monitor")) info->firmware_blob = 1;
    if (depth == 1 && equal(node, "psci")) {
        info->has_psci = 1;
        if (equal(property, "method")) info->psci_uses_smc = equal((const char *)value, "smc");
        if (equal(property, "compatible")) {
            for (const char *s = (const char *)value; s < (const char *)value + length; s++) {
                if (starts_with(s, "arm,psci-1.0")) info->psci_1_0 = 1;
                while (*s) s++;
            }
        }
    }
}

int read_firmware_info(const void *blob, struct firmware_info *info) {
    info->cpu_count = 0;
    info->has_psci = 0;
    info->psci_uses_smc = 0;
    info->psci_1_0 = 0;
    info->board_firmware = 0;
    info->firmware_blob = 0;
    return fdt_walk(blob, collect, info);
}
