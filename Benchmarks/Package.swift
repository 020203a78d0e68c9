// swift-tools-version: 6.2
//
// Conduit's benchmarks: a separate package so that the main build and CI do not compile the
// benchmark library. Run with `scripts/bench.sh` (release build).

import PackageDescription

let package = Package(
    name: "ConduitBenchmarks",
    platforms: [.macOS(.v26)],
    dependencies: [
        .package(name: "Conduit", path: ".."),
        .package(url: "https://github.com/google/swift-benchmark", from: "0.1.2"),
    ],
    targets: [
        .executableTarget(
            name: "FirmwareBenchmarks",
            dependencies: [
                .product(name: "Firmware", package: "Conduit"),
                .product(name: "SMCCC", package: "Conduit"),
                .product(name: "Benchmark", package: "swift-benchmark"),
            ]
        ),
    ]
)
