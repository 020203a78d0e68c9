// A minimal flattened-device-tree reader for bare-metal guests (DTSpec 0.4, chapter 5): enough
// to find the CPUs and the PSCI method the VMM promises.
#pragma once
#include <stdint.h>

// Where QEMU's and Conduit's boot loaders put the device tree for ELF guests.
#define FDT_ELF_ADDRESS 0x40000000ull

// Calls visit(path_depth_name, property, value, length) for every property; returns 0 if the
// blob is not a device tree.
typedef void (*fdt_visitor)(const char *node, int depth, const char *property, const uint8_t *value,
                            uint32_t length, void *context);
int fdt_walk(const void *blob, fdt_visitor visit, void *context);

static inline uint32_t fdt_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

// What a guest needs to know about its firmware.
struct firmware_info {
    int cpu_count;
    uint64_t mpidr[64];
    int has_psci;
    int psci_uses_smc;  // method = "smc"
    int psci_1_0;       // compatible lists "arm,psci-1.0"
    int board_firmware; // /firmware/highbank-sip: board services in the VMM
    int firmware_blob;  // /firmware/monitor: a guest-side firmware blob
};

int read_firmware_info(const void *blob, struct firmware_info *info);
