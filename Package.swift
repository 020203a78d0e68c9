// swift-tools-version: 6.2
//
// Conduit: an ARM virtual machine monitor whose centre is how guest SMC/HVC firmware calls are
// handled. See README.md and ../shared/ARCHITECTURE.md for the layers.

import PackageDescription

let package = Package(
    name: "Conduit",
    platforms: [.macOS(.v26)],
    products: [
        .executable(name: "conduit", targets: ["conduit"]),
        .library(name: "SMCCC", targets: ["SMCCC"]),
        .library(name: "Firmware", targets: ["Firmware"]),
        .library(name: "PolicyFile", targets: ["PolicyFile"]),
        .library(name: "AArch64", targets: ["AArch64"]),
        .library(name: "Machine", targets: ["Machine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        // `swift package generate-documentation`: the libraries' DocC catalogs (scripts/docs.sh).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        // Value types only; also compiles as Embedded Swift for the guest-side firmware
        // (see scripts/build-embedded-smccc.sh). No Foundation, no existentials.
        .target(name: "SMCCC"),

        // The call router, the per-VM policy and the built-in services.
        .target(name: "Firmware", dependencies: ["SMCCC"]),

        // The AArch64 CPU: decoder, interpreter, system registers, exceptions, MMU, TLB.
        // It knows nothing of firmware: HVC and SMC at EL1 stop it with a firmware-call exit.
        .target(name: "AArch64", exclude: ["ISA"], plugins: ["ISATables"]),

        // QEMU's `virt` board: memory map, GIC, PL011, PL031, timers, boot, device tree, the
        // scheduler, and the firmware router wired to the vCPUs.
        .target(name: "Machine", dependencies: ["AArch64", "Firmware", "SMCCC"]),
        // The gdbstub: GDB's remote serial protocol for a VirtMachine (-s, -S, -gdb).
        .target(name: "GDBStub", dependencies: ["Machine", "AArch64", "Firmware", "SMCCC"]),

        // Unicorn, for differential testing only (Debian's libunicorn-dev; scripts/setup.sh).
        .target(name: "CUnicorn", linkerSettings: [.linkedLibrary("unicorn")]),
        // Random instruction streams run on Conduit and on Unicorn, compared state by state.
        .target(name: "DifferentialTesting", dependencies: ["AArch64", "CUnicorn"]),
        .executableTarget(
            name: "conduit-difftest",
            dependencies: [
                "DifferentialTesting", "AArch64", "CommandLineSupport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Random words from random CPU and MMU state: no guest input may trap or hang the host.
        .executableTarget(
            name: "conduit-fuzz",
            dependencies: [
                "DifferentialTesting", "AArch64", "CommandLineSupport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // The parsers of user input as fuzz targets: libFuzzer with scripts/fuzz-inputs.sh, or
        // a replay of the seed corpora (Fuzz/corpus) as a plain program.
        .executableTarget(
            name: "conduit-fuzz-inputs",
            dependencies: ["Machine", "PolicyFile", "Firmware", "CommandLineSupport"]
        ),

        // Policy files (YAML or TOML) decoded into a `FirmwarePolicy`.
        .target(
            name: "PolicyFile",
            dependencies: [
                "Firmware",
                .product(name: "Yams", package: "Yams"),
            ]
        ),

        // What every Conduit program's entry shares: one-line errors, documented statuses, and
        // outputs that never trap (a closed pipe, a full disk).
        .target(
            name: "CommandLineSupport",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        // The command line, as a library so that tests can drive it. The demo guest is built
        // from Guests/ and embedded at build time (Plugins/EmbedGuests).
        .target(
            name: "ConduitCLI",
            dependencies: [
                "SMCCC", "Firmware", "PolicyFile", "Machine", "GDBStub", "CommandLineSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            plugins: ["EmbedGuests"]
        ),
        .executableTarget(name: "guest-embedder"),
        // Generates decoders and tables from the encoding tables (ISA/*.isa) of a target.
        .executableTarget(name: "isa-generator"),
        .plugin(name: "ISATables", capability: .buildTool(), dependencies: ["isa-generator"]),
        .plugin(name: "EmbedGuests", capability: .buildTool(), dependencies: ["guest-embedder"]),
        .executableTarget(name: "conduit", dependencies: ["ConduitCLI"]),

        .testTarget(name: "SMCCCTests", dependencies: ["SMCCC"]),
        .testTarget(name: "FirmwareTests", dependencies: ["Firmware", "SMCCC"]),
        .testTarget(name: "PolicyFileTests", dependencies: ["PolicyFile", "Firmware"]),
        // Test helpers shared by test targets: assembling snippets with the toolchain's clang.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // Golden/ is read from the source tree by path (GoldenEncodingTests), not a resource.
        .testTarget(name: "AArch64Tests", dependencies: ["AArch64", "TestSupport"], exclude: ["Golden"]),
        .testTarget(name: "MachineTests", dependencies: ["Machine", "AArch64", "Firmware", "SMCCC", "TestSupport"]),
        .testTarget(name: "DifferentialTests", dependencies: ["DifferentialTesting"]),
        .testTarget(name: "GDBStubTests", dependencies: ["GDBStub"]),
        .testTarget(name: "ConduitCLITests", dependencies: ["ConduitCLI", "Firmware", "PolicyFile"]),
    ]
)
