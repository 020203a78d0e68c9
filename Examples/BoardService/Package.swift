// swift-tools-version: 6.2
//
// A VMM of your own built on Conduit's libraries: it answers a board's SiP firmware calls with
// its own FirmwareService. The article "Handling a board's firmware calls in your own VMM"
// (Sources/Machine/Machine.docc) walks through Sources/board-service/main.swift.
//
//   scripts/build-guests.sh            # from the repository root: .build/guests/demo.elf
//   swift run --package-path Examples/BoardService board-service .build/guests/demo.elf

import PackageDescription

let package = Package(
    name: "BoardService",
    platforms: [.macOS(.v26)],
    dependencies: [
        .package(name: "Conduit", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "board-service",
            dependencies: [
                .product(name: "Machine", package: "Conduit"),
                .product(name: "Firmware", package: "Conduit"),
                .product(name: "SMCCC", package: "Conduit"),
            ]),
    ]
)
