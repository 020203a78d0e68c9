import CommandLineSupport
import Firmware
import Foundation
import Machine
import PolicyFile

/// The parsers that read what a user gives Conduit, as fuzz targets: each takes arbitrary bytes
/// and must return, whatever they are, without trapping, hanging or allocating without bound
/// (issue 11). Built two ways:
///
/// - with libFuzzer (`scripts/fuzz-inputs.sh`: `-sanitize=fuzzer -DFUZZING`), where
///   `CONDUIT_FUZZ_TARGET` names the target and libFuzzer drives it;
/// - as a plain program, `conduit-fuzz-inputs TARGET FILE|DIRECTORY...`, which runs each file
///   through the target once: how CI replays the seed corpora in `Fuzz/corpus/TARGET`.
enum FuzzTarget: String, CaseIterable {
    /// ELF files through the ELF parser and the boot planner.
    case elf
    /// arm64 Linux Image headers (and raw images) through the boot planner.
    case image
    /// Flattened device trees: parsed, patched for a `virt` machine as `--dtb` does, serialised
    /// and parsed again (which must succeed).
    case deviceTree = "device-tree"
    /// Policy files in YAML and TOML, through the decoder and KVM's filter rules.
    case policyYAML = "policy-yaml"
    case policyTOML = "policy-toml"
    /// `conduit decode`'s function-ID text and its description.
    case functionID = "function-id"
    /// `-m` sizes and `--timeout` durations.
    case size
    case duration

    func run(_ bytes: [UInt8]) {
        switch self {
        case .elf:
            _ = try? ELFImage(bytes, window: VirtMemoryMap.ramBase..<VirtMemoryMap.ramBase + Self.ramSize)
            plan(bytes)
        case .image:
            // Aim at the Image header: its magic at 56 makes the planner read text_offset and
            // image_size from the input.
            var image = bytes
            if image.count >= 64 { image.replaceSubrange(56..<60, with: [0x41, 0x52, 0x4D, 0x64]) }
            plan(image)
        case .deviceTree:
            guard let root = try? FlattenedDeviceTree.parse(bytes) else { return }
            _ = VirtDeviceTree.patch(root, configuration: Self.machine.configuration, router: Self.machine.router,
                                     chosen: VirtDeviceTree.Chosen(bootArguments: "console=ttyAMA0", initrd: (0x4400_0000, 0x4410_0000)))
            let blob = FlattenedDeviceTree.serialize(root)
            guard (try? FlattenedDeviceTree.parse(blob)) != nil else { fatalError("a patched tree does not parse again") }
        case .policyYAML, .policyTOML:
            let text = String(decoding: bytes, as: UTF8.self)
            if let policy = try? PolicyFile.decode(text, syntax: self == .policyYAML ? .yaml : .toml, file: "fuzz") {
                _ = try? policy.effectiveFilter()
            }
        case .functionID:
            let text = String(decoding: bytes, as: UTF8.self)
            if let value = CommandLineValues.registerValue(text) { _ = FunctionIDDescription(x0: value).text }
            if bytes.count >= 8 {
                let raw = bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << UInt64($1.offset * 8) }
                _ = FunctionIDDescription(x0: raw).text
            }
        case .size:
            _ = try? CommandLineValues.size(String(decoding: bytes, as: UTF8.self), flag: "-m")
        case .duration:
            _ = try? CommandLineValues.seconds(String(decoding: bytes, as: UTF8.self), flag: "--timeout")
        }
    }

    static let ramSize: UInt64 = 64 << 20

    private func plan(_ bytes: [UInt8]) {
        let loader = KernelLoader(ramSize: Self.ramSize)
        _ = try? loader.plan(kernel: bytes, kernelName: "fuzz", initrd: [1, 2, 3]) { _ in [UInt8](repeating: 0, count: 64) }
    }

    /// A `virt` machine to patch trees for, built once.
    nonisolated(unsafe) static let machine: VirtMachine = {
        var configuration = MachineConfiguration()
        configuration.ramSize = ramSize
        configuration.cpuCount = 2
        do { return try VirtMachine(configuration, transmit: { _ in }) } catch { fatalError("the fuzz machine: \(error)") }
    }()
}

#if FUZZING
nonisolated(unsafe) var selectedTarget: FuzzTarget = .elf

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    let name = ProcessInfo.processInfo.environment["CONDUIT_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(Data("set CONDUIT_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
        exit(1)
    }
    selectedTarget = target
    if target == .deviceTree { _ = FuzzTarget.machine }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    selectedTarget.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

/// libFuzzer's entry for programs that have their own main (FuzzerDriver.cpp).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

/// SwiftPM links an executable's `main` to `<module>_main`: here that is libFuzzer's driver.
@_cdecl("conduit_fuzz_inputs_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzerTestOneInput(data, size) }
}
#else
@main
struct ReplayCorpus {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name), arguments.count >= 2 else {
            OutputFile.report("usage: conduit-fuzz-inputs TARGET FILE|DIRECTORY... (targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))")
            exit(1)
        }
        var count = 0
        for path in arguments.dropFirst() {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                OutputFile.report("\(path): does not exist")
                exit(1)
            }
            let files = isDirectory.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { "\(path)/\($0)" } : [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                target.run([UInt8](data))
                count += 1
            }
        }
        OutputFile.standardOutput.write("conduit-fuzz-inputs \(name): \(count) inputs, no trap\n")
    }
}
#endif
