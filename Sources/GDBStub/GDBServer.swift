import AArch64
import Firmware
import Machine
import SMCCC

/// A GDB remote serial protocol stub for a ``VirtMachine`` (QEMU's `-s`, `-S`, `-gdb`), in
/// all-stop mode: each vCPU a thread, registers through a target description, memory through the
/// selected vCPU's translation (or physical, after `maint packet Qqemu.PhyMemMode:1` as with
/// QEMU), breakpoints and watchpoints that leave guest memory alone, step, continue, Ctrl-C,
/// detach and kill, no-ack mode; and `monitor` commands for the firmware-call layer (`monitor
/// help`). It runs on the machine's thread as its ``MachineDebugger``: while gdb looks, the
/// machine is still. Nothing gdb sends can crash the VMM: a malformed packet gets an error reply,
/// an unknown one the empty reply the protocol means for "not supported".
public final class GDBServer: MachineDebugger {
    public let address: GDBListenAddress
    private let listener: GDBListener
    private var connection: GDBConnection?
    private var decoder = RSPDecoder()
    /// Packets that arrived while the machine ran, answered once it stops.
    private var queued: [RSPEvent] = []
    private var noAck = false
    /// The next poll stops the machine: a debugger just connected.
    private var stopPending = false
    /// The stop under way is the one for the connection: gdb's `?` hears SIGTRAP, as from QEMU.
    private var attaching = false
    /// gdb resumed the machine and waits for a stop reply.
    private var resumed = false
    private var lastStopReply = "S05"
    /// The vCPU `g`, `p` and `m` act on (gdb's `Hg`).
    private var registerThread = 0
    /// The vCPU `s` and `c` act on (gdb's `Hc`); nil for any or all.
    private var continueThread: Int?
    /// `m`, `M` and `X` take physical addresses (QEMU's `Qqemu.PhyMemMode`).
    private var physicalMemoryMode = false

    /// What `monitor policy` prints: the VM's effective policy table.
    public var policyText: (VirtMachine) -> String = { _ in "no policy report available" }
    /// The sink `monitor trace firmware on` adds to the machine's trace (and `off` and detach
    /// remove): the stub's own, not one the command line installed.
    public var firmwareTraceSink: FirmwareTraceSink?
    /// The command line traces every call already (`--trace firmware`): the monitor leaves the
    /// trace alone.
    public var commandLineTraces = false
    /// Whether the host wants the run over (a signal): waiting for a connection or a packet
    /// gives up.
    public var isCancelled: () -> Bool = { false }
    /// One-line reports of what the stub does (a debugger connected, detached).
    public var log: (String) -> Void = { _ in }

    /// Listens on `address` at once (a port in use is an error now, not when gdb connects).
    public init(address: GDBListenAddress) throws(GDBStubError) {
        self.address = address
        listener = try GDBListener(address)
    }

    /// Blocks until a debugger connects (`-S`); the machine then stops before its first
    /// instruction. False if ``isCancelled`` said to give up.
    public func waitForConnection() -> Bool {
        while !isCancelled() {
            if let connection = listener.accept(waitingMilliseconds: 100) {
                attach(connection)
                return true
            }
        }
        return false
    }

    private func attach(_ connection: GDBConnection) {
        self.connection = connection
        decoder = RSPDecoder()
        queued = []
        noAck = false
        resumed = false
        stopPending = true
        attaching = true
        registerThread = 0
        continueThread = nil
        physicalMemoryMode = false
        lastStopReply = "T05thread:" + threadID(0) + ";"
        log("gdb connected on \(address)")
    }

    // MARK: - MachineDebugger

    public func shouldInterrupt(_ machine: VirtMachine) -> Bool {
        guard let connection else {
            if let connection = listener.accept(waitingMilliseconds: 0) { attach(connection) }
            return takeStopPending()
        }
        var interrupted = false
        for byte in connection.read(waitingMilliseconds: 0) {
            // Only Ctrl-C is meaningful while running in all-stop mode; anything else waits
            // for the stop (a packet sent as the machine started, before gdb saw it stopped).
            switch decoder.feed(byte) {
            case .interrupt?: interrupted = true
            case let event?: if queued.count < Self.maximumQueued { queued.append(event) }
            case nil: break
            }
        }
        if !connection.isOpen {
            detach(machine, reason: "the connection closed")
            return false
        }
        return takeStopPending() || interrupted
    }

    /// Packets kept from while the machine ran (gdb sends none in all-stop mode; a flood is
    /// dropped, not stored).
    static let maximumQueued = 16

    private func takeStopPending() -> Bool {
        defer { stopPending = false }
        return stopPending
    }

    public func machineStopped(_ machine: VirtMachine, _ event: DebugStopEvent) -> DebugResumption {
        guard let connection, connection.isOpen else { return .resume }
        // A stop ends every step asked for: the vCPUs that did not get to theirs forget them.
        for cpu in machine.cpus { cpu.cancelHostStep() }
        machine.heldVCPUs = []
        var (thread, signal, extra, note) = describe(event, machine)
        if attaching, case .interrupted = event { signal = 5 }
        attaching = false
        registerThread = thread
        lastStopReply = "T" + RSPEncoder.hex(signal) + extra + "thread:" + threadID(thread) + ";"
        if resumed {
            if let note { sendConsole(note) }
            send(lastStopReply)
            resumed = false
        }
        return serve(machine)
    }

    /// The machine ended (`exit`): a debugger waiting for a stop hears that the process exited,
    /// with status 0 for a power-off or reset and 1 for anything else, and why.
    public func machineExited(_ exit: MachineExit, reason: String) {
        guard let connection, connection.isOpen else { return }
        if resumed {
            sendConsole("Conduit: the machine stopped: \(reason)\n")
            switch exit {
            case .systemOff, .reset, .quit: send("W00")
            default: send("W01")
            }
        }
        self.connection = nil
    }

    // MARK: - Serving packets while stopped

    private enum Action {
        case reply(String)
        case resume
        case kill
        case detach
    }

    /// Answers packets until gdb resumes, detaches or kills.
    private func serve(_ machine: VirtMachine) -> DebugResumption {
        var events = queued
        queued = []
        while true {
            guard let connection, connection.isOpen else {
                detach(machine, reason: "the connection closed")
                return .resume
            }
            if isCancelled() { return .resume }  // the run loop's own checks end the run
            if events.isEmpty {
                for byte in connection.read(waitingMilliseconds: 100) {
                    if let event = decoder.feed(byte) { events.append(event) }
                }
                continue
            }
            let event = events.removeFirst()
            switch event {
            case .interrupt:
                continue  // already stopped
            case .corrupt:
                if !noAck { connection.write([UInt8(ascii: "-")]) }
            case .packet(let payload):
                if !noAck { connection.write([UInt8(ascii: "+")]) }
                switch handle(payload, machine) {
                case .reply(let text): send(text)
                case .resume:
                    resumed = true
                    return .resume
                case .kill:
                    log("gdb killed the guest")
                    self.connection = nil
                    return .kill
                case .detach:
                    send("OK")
                    detach(machine, reason: "gdb detached")
                    return .resume
                }
            }
        }
    }

    /// Forgets the debugger: its breakpoints, watchpoints, steps and catches go; the guest runs on.
    private func detach(_ machine: VirtMachine, reason: String) {
        for cpu in machine.cpus { cpu.clearHostDebug() }
        machine.firmwareCallCatches.removeAll()
        machine.heldVCPUs = []
        // The trace gdb turned on goes with it; one from the command line stays.
        if let sink = firmwareTraceSink { machine.traceSinks.removeAll { $0 === sink } }
        connection = nil
        resumed = false
        log("\(reason); the guest runs on (the stub still listens on \(address))")
    }

    private func handle(_ payload: [UInt8], _ machine: VirtMachine) -> Action {
        guard let first = payload.first else { return .reply("") }
        let body = payload.dropFirst()
        let text = String(decoding: payload, as: UTF8.self)
        switch first {
        case UInt8(ascii: "?"): return .reply(lastStopReply)
        case UInt8(ascii: "g"): return .reply(readAllRegisters(machine))
        case UInt8(ascii: "G"): return .reply(writeAllRegisters(body, machine))
        case UInt8(ascii: "p"): return .reply(readRegister(body, machine))
        case UInt8(ascii: "P"): return .reply(writeRegister(body, machine))
        case UInt8(ascii: "m"): return .reply(readMemory(body, machine))
        case UInt8(ascii: "M"): return .reply(writeMemory(body, hex: true, machine))
        case UInt8(ascii: "X"): return .reply(writeMemory(body, hex: false, machine))
        case UInt8(ascii: "Z"), UInt8(ascii: "z"): return .reply(point(body, insert: first == UInt8(ascii: "Z"), machine))
        case UInt8(ascii: "H"): return .reply(selectThread(body, machine))
        case UInt8(ascii: "T"): return .reply(vcpu(body, machine) != nil ? "OK" : "E01")
        case UInt8(ascii: "c"), UInt8(ascii: "s"), UInt8(ascii: "C"), UInt8(ascii: "S"):
            return resume(first, body, machine)
        case UInt8(ascii: "D"): return .detach
        case UInt8(ascii: "k"): return .kill
        case UInt8(ascii: "v"): return verbose(text, machine)
        case UInt8(ascii: "q"), UInt8(ascii: "Q"): return .reply(query(text, machine))
        default: return .reply("")
        }
    }

    // MARK: - Threads

    /// gdb's thread ID of vCPU `index` (threads count from 1).
    private func threadID(_ index: Int) -> String { String(index + 1, radix: 16) }

    /// The vCPU a thread ID names; nil for an unknown thread or a malformed ID.
    private func vcpu<S: Collection>(_ text: S, _ machine: VirtMachine) -> Int? where S.Element == UInt8 {
        guard let id = GDBHex.number(text), id >= 1, id <= UInt64(machine.cpus.count) else { return nil }
        return Int(id) - 1
    }

    private func selectThread(_ body: ArraySlice<UInt8>, _ machine: VirtMachine) -> String {
        guard let kind = body.first else { return "E01" }
        let id = body.dropFirst()
        let all = Array(id) == Array("-1".utf8) || Array(id) == Array("0".utf8)
        let index = all ? nil : vcpu(id, machine)
        guard all || index != nil else { return "E01" }
        switch kind {
        case UInt8(ascii: "g"): registerThread = index ?? registerThread
        case UInt8(ascii: "c"): continueThread = index
        default: return "E01"
        }
        return "OK"
    }

    private func threadInfo(_ index: Int, _ machine: VirtMachine) -> String {
        let cpu = machine.cpus[index]
        return "vCPU \(index), MPIDR \(hex(cpu.identity.mpidr)), \(machine.power(of: index)), EL\(cpu.el)"
    }

    // MARK: - Registers

    private func registerCPU(_ machine: VirtMachine) -> AArch64CPU { machine.cpus[registerThread] }

    private func readAllRegisters(_ machine: VirtMachine) -> String {
        let cpu = registerCPU(machine)
        return AArch64RegisterMap.registers.map { AArch64RegisterMap.read($0, of: cpu) }.joined()
    }

    private func writeAllRegisters(_ body: ArraySlice<UInt8>, _ machine: VirtMachine) -> String {
        guard let bytes = GDBHex.decode(body),
              bytes.count == AArch64RegisterMap.registers.reduce(0, { $0 + $1.size }) else { return "E01" }
        let cpu = registerCPU(machine)
        var offset = 0
        for register in AArch64RegisterMap.registers {
            let value = bytes[offset..<(offset + register.size)]
            offset += register.size
            // Only what changed: writing a system register as MSR does can have effects.
            if GDBHex.encode(value) != AArch64RegisterMap.read(register, of: cpu) {
                _ = AArch64RegisterMap.write(register, value, to: cpu)
            }
        }
        return "OK"
    }

    private func readRegister(_ body: ArraySlice<UInt8>, _ machine: VirtMachine) -> String {
        guard let number = GDBHex.number(body), number < UInt64(AArch64RegisterMap.registers.count) else { return "E01" }
        return AArch64RegisterMap.read(AArch64RegisterMap.registers[Int(number)], of: registerCPU(machine))
    }

    private func writeRegister(_ body: ArraySlice<UInt8>, _ machine: VirtMachine) -> String {
        guard let equals = body.firstIndex(of: UInt8(ascii: "=")),
              let number = GDBHex.number(body[..<equals]), number < UInt64(AArch64RegisterMap.registers.count),
              let bytes = GDBHex.decode(body[body.index(after: equals)...]) else { return "E01" }
        let register = AArch64RegisterMap.registers[Int(number)]
        return AArch64RegisterMap.write(register, bytes[...], to: registerCPU(machine)) ? "OK" : "E01"
    }

    // MARK: - Memory

    /// The most `m` returns at once; gdb asks again for the rest.
    static let maximumRead = 0x1000

    /// `addr,len` (and what follows a `:`, for writes).
    private func addressAndLength(_ text: ArraySlice<UInt8>) -> (address: UInt64, length: UInt64)? {
        guard let comma = text.firstIndex(of: UInt8(ascii: ",")),
              let address = GDBHex.number(text[..<comma]),
              let length = GDBHex.number(text[text.index(after: comma)...]) else { return nil }
        return (address, length)
    }

    private func readMemory(_ body: ArraySlice<UInt8>, _ machine: VirtMachine) -> String {
        guard let (address, length) = addressAndLength(body) else { return "E01" }
        let count = Int(min(length, UInt64(Self.maximumRead)))
        let bytes: [UInt8]?
        if physicalMemoryMode {
            bytes = machine.memory.read(count: count, at: address)
        } else {
            bytes = registerCPU(machine).debugRead(address, count: count)
        }
        guard let bytes else { return "E0e" }  // EFAULT: gdb says "Cannot access memory"
        return GDBHex.encode(bytes)
    }

    private func writeMemory(_ body: ArraySlice<UInt8>, hex: Bool, _ machine: VirtMachine) -> String {
        guard let colon = body.firstIndex(of: UInt8(ascii: ":")),
              let (address, length) = addressAndLength(body[..<colon]) else { return "E01" }
        let data = body[body.index(after: colon)...]
        guard let bytes = hex ? GDBHex.decode(data) : Array(data), UInt64(bytes.count) == length else { return "E01" }
        if bytes.isEmpty { return "OK" }  // gdb's probe for X
        let written = physicalMemoryMode ? machine.memory.write(bytes, at: address)
                                         : registerCPU(machine).debugWrite(bytes, at: address)
        return written ? "OK" : "E0e"
    }

    // MARK: - Breakpoints and watchpoints

    private func point(_ body: ArraySlice<UInt8>, insert: Bool, _ machine: VirtMachine) -> String {
        let fields = body.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        guard fields.count >= 3, fields[0].count == 1, let type = fields[0].first,
              let address = GDBHex.number(fields[1]), let length = GDBHex.number(fields[2].prefix { $0 != UInt8(ascii: ";") }) else {
            return "E01"
        }
        switch type {
        case UInt8(ascii: "0"), UInt8(ascii: "1"):
            // Kind 4: an A64 instruction. Breakpoints are per address in every vCPU, as gdb's are.
            let hardware = type == UInt8(ascii: "1")
            for cpu in machine.cpus {
                if insert { cpu.insertHostBreakpoint(at: address, hardware: hardware) } else { cpu.removeHostBreakpoint(at: address, hardware: hardware) }
            }
            return "OK"
        case UInt8(ascii: "2"), UInt8(ascii: "3"), UInt8(ascii: "4"):
            guard length > 0, length <= 1 << 20 else { return "E01" }
            let kind: HostWatchpoint.Kind = type == UInt8(ascii: "2") ? .write : type == UInt8(ascii: "3") ? .read : .access
            let watchpoint = HostWatchpoint(address: address, length: length, kind: kind)
            for cpu in machine.cpus {
                if insert { cpu.insertHostWatchpoint(watchpoint) } else { cpu.removeHostWatchpoint(watchpoint) }
            }
            return "OK"
        default:
            return ""
        }
    }

    // MARK: - Running

    /// `c`, `s`, `C sig`, `S sig`, each with an optional address to resume at. Signals mean
    /// nothing to a whole machine and are ignored.
    private func resume(_ command: UInt8, _ body: ArraySlice<UInt8>, _ machine: VirtMachine) -> Action {
        var rest = body
        if command == UInt8(ascii: "C") || command == UInt8(ascii: "S") {
            guard let semicolon = rest.firstIndex(of: UInt8(ascii: ";")) else {
                guard GDBHex.number(rest) != nil else { return .reply("E01") }
                rest = []
                return step(command == UInt8(ascii: "S"), at: nil, machine)
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        var address: UInt64?
        if !rest.isEmpty {
            guard let value = GDBHex.number(rest) else { return .reply("E01") }
            address = value
        }
        return step(command == UInt8(ascii: "s") || command == UInt8(ascii: "S"), at: address, machine)
    }

    private func step(_ stepping: Bool, at address: UInt64?, _ machine: VirtMachine) -> Action {
        let index = continueThread ?? registerThread
        if let address { machine.cpus[index].setPC(address) }
        guard stepping else { return .resume }
        return resume(stepping: [index], continuing: [], machine)
    }

    /// Resumes the machine with the vCPUs in `stepping` to step and those in `continuing` to
    /// run; the rest stay stopped. If no vCPU that is to move is powered on, none is held:
    /// holding the rest would leave nothing that could run, and the stepped vCPU would never
    /// reach its step.
    private func resume(stepping: Set<Int>, continuing: Set<Int>, _ machine: VirtMachine) -> Action {
        for index in stepping { machine.cpus[index].requestHostStep() }
        let moving = stepping.union(continuing)
        let held = Set(machine.cpus.indices).subtracting(moving)
        let anyOn = moving.contains { machine.power(of: $0) == .on }
        machine.heldVCPUs = anyOn ? held : []
        return .resume
    }

    /// `vCont;ACTION[:THREAD];...`: each thread takes the first action that names it, or else
    /// the first action without a thread (`-1` is all); threads no action covers stay stopped.
    /// `c` and `C` continue, `s` and `S` step (signals mean nothing to a machine), `t` stops.
    private func vCont(_ actions: Substring, _ machine: VirtMachine) -> Action {
        var chosen: [Int: Character] = [:]
        var fallback: Character?
        for action in actions.split(separator: ";") {
            let parts = action.split(separator: ":", maxSplits: 1)
            guard let verb = parts.first?.first, "cCsSt".contains(verb) else { return .reply("E01") }
            if parts.count == 2 && parts[1] != "-1" {
                guard let index = vcpu(Array(parts[1].utf8), machine) else { return .reply("E01") }
                if chosen[index] == nil { chosen[index] = verb }
            } else if fallback == nil {
                fallback = verb
            }
        }
        var stepping: Set<Int> = []
        var continuing: Set<Int> = []
        for index in machine.cpus.indices {
            switch chosen[index] ?? fallback {
            case "s"?, "S"?: stepping.insert(index)
            case "c"?, "C"?: continuing.insert(index)
            default: break
            }
        }
        guard !stepping.isEmpty || !continuing.isEmpty else { return .reply("E01") }
        return resume(stepping: stepping, continuing: continuing, machine)
    }

    private func verbose(_ text: String, _ machine: VirtMachine) -> Action {
        if text == "vCont?" { return .reply("vCont;c;C;s;S") }
        if text.hasPrefix("vCont;") { return vCont(text.dropFirst(6), machine) }
        if text.hasPrefix("vKill") {
            send("OK")  // gdb's kill waits for it
            return .kill
        }
        return .reply("")  // vMustReplyEmpty and everything else not supported
    }

    // MARK: - Queries

    private func query(_ text: String, _ machine: VirtMachine) -> String {
        if text.hasPrefix("qSupported") {
            return "PacketSize=\(String(RSPDecoder.maximumPayload, radix: 16));qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+;vContSupported+"
        }
        if text == "QStartNoAckMode" {
            // This packet was acknowledged; from its OK on, neither side acknowledges.
            noAck = true
            return "OK"
        }
        if text == "qAttached" { return "1" }
        if text == "qC" { return "QC" + threadID(registerThread) }
        if text == "qfThreadInfo" { return "m" + machine.cpus.indices.map(threadID).joined(separator: ",") }
        if text == "qsThreadInfo" { return "l" }
        if text.hasPrefix("qThreadExtraInfo,") {
            guard let index = vcpu(Array(text.dropFirst(17).utf8), machine) else { return "E01" }
            return GDBHex.encode(text: threadInfo(index, machine))
        }
        if text.hasPrefix("qXfer:features:read:") { return features(text.dropFirst(20)) }
        if text.hasPrefix("qRcmd,") {
            guard let bytes = GDBHex.decode(Array(text.dropFirst(6).utf8)) else { return "E01" }
            let output = GDBMonitor(server: self, machine: machine).run(String(decoding: bytes, as: UTF8.self))
            sendConsole(output)
            return "OK"
        }
        if text.hasPrefix("Qqemu.PhyMemMode:") {
            switch text.dropFirst(17) {
            case "0": physicalMemoryMode = false
            case "1": physicalMemoryMode = true
            default: return "E01"
            }
            return "OK"
        }
        if text == "qqemu.PhyMemMode" { return physicalMemoryMode ? "1" : "0" }
        if text.hasPrefix("qSymbol") { return "OK" }
        return ""
    }

    /// `qXfer:features:read:ANNEX:OFFSET,LENGTH`: a piece of the target description.
    private func features(_ request: Substring) -> String {
        guard let colon = request.firstIndex(of: ":"), request[..<colon] == "target.xml" else { return "E00" }
        guard let (offset, length) = addressAndLength(Array(request[request.index(after: colon)...].utf8)[...]) else { return "E01" }
        let xml = Array(AArch64RegisterMap.targetXML.utf8)
        guard offset <= UInt64(xml.count) else { return "E01" }
        let start = Int(offset)
        let end = start + Int(min(length, UInt64(xml.count - start), UInt64(RSPDecoder.maximumPayload / 2)))
        return (end == xml.count ? "l" : "m") + String(decoding: xml[start..<end], as: UTF8.self)
    }

    // MARK: - Stops

    /// The stopped thread, the signal, the stop reason fields and what gdb should print.
    private func describe(_ event: DebugStopEvent, _ machine: VirtMachine) -> (Int, UInt8, String, String?) {
        let sigtrap: UInt8 = 5
        switch event {
        case .vcpu(let index, .breakpoint(_, let hardware)):
            return (index, sigtrap, hardware ? "hwbreak:;" : "swbreak:;", nil)
        case .vcpu(let index, .watchpoint(let kind, let address)):
            let name: String
            switch kind {
            case .write: name = "watch"
            case .read: name = "rwatch"
            case .access: name = "awatch"
            }
            return (index, sigtrap, "\(name):\(String(address, radix: 16));", nil)
        case .vcpu(let index, .stepped):
            return (index, sigtrap, "", nil)
        case .interrupted:
            return (registerThread, 2, "", nil)  // SIGINT, as for Ctrl-C
        case .firmwareCall(let index, let conduit, let functionID):
            let x = machine.cpus[index].generalRegisters
            let arguments = (1...3).map { "x\($0)=\(hex(x[$0]))" }.joined(separator: " ")
            let name = FirmwareTraceRecord.name(of: FunctionID(functionID))
            return (index, sigtrap, "", "Conduit: vCPU \(index) \(conduit) \(name) [\(hex(UInt64(functionID)))] \(arguments): caught before its answer\n")
        case .firmwareCallAnswered(let record):
            return (record.vcpu, sigtrap, "", "Conduit: answered: \(record.traceLine)\n")
        }
    }

    // MARK: - Output

    private func send(_ payload: String) {
        connection?.write(RSPEncoder.frame(payload))
    }

    /// Text for gdb's console, as `O` packets of at most 1 KiB of text each.
    private func sendConsole(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let chunk = bytes.prefix(1024)
            send("O" + GDBHex.encode(chunk))
            bytes = bytes.dropFirst(chunk.count)
        }
    }
}

func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }
