/// Where the stub listens, in QEMU's `-gdb` spelling: `tcp::PORT` (this host's loopback
/// interface), `tcp:HOST:PORT` (an IPv4 address or `localhost`), `unix:PATH`, or a bare `PORT`.
/// `-s` is `tcp::1234`.
public enum GDBListenAddress: Equatable, Sendable, CustomStringConvertible {
    case tcp(host: String, port: UInt16)
    case unix(path: String)

    /// QEMU's `-s`.
    public static let qemuDefault = GDBListenAddress.tcp(host: "127.0.0.1", port: 1234)

    /// Parses `-gdb`'s value; the error says what is wrong with it.
    public init(parsing text: String) throws(GDBStubError) {
        if text.hasPrefix("unix:") {
            // QEMU's socket options (",server=on,wait=off") do not apply: the stub always serves.
            let path = String(text.dropFirst(5).prefix { $0 != "," })
            guard !path.isEmpty else { throw .address(text, "unix: needs a path") }
            guard path.utf8.count < 108 else { throw .address(text, "the socket path is longer than 107 bytes") }
            self = .unix(path: path)
            return
        }
        var rest = Substring(text)
        if rest.hasPrefix("tcp:") { rest = rest.dropFirst(4) }
        rest = rest.prefix { $0 != "," }
        let host: Substring
        let portText: Substring
        if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = ""
            portText = rest
        }
        guard let port = UInt16(portText), port > 0 else {
            throw .address(text, "expected tcp::PORT, tcp:HOST:PORT or unix:PATH, with PORT in 1-65535")
        }
        // QEMU's empty host means every interface; a debugger port open to the network lets
        // anyone read and write the guest, so Conduit listens on loopback unless told otherwise.
        self = .tcp(host: host.isEmpty || host == "localhost" ? "127.0.0.1" : String(host), port: port)
    }

    public var description: String {
        switch self {
        case .tcp(let host, let port): return "tcp:\(host):\(port)"
        case .unix(let path): return "unix:\(path)"
        }
    }
}

/// What can go wrong setting the stub up.
public enum GDBStubError: Error, Equatable, CustomStringConvertible {
    /// A `-gdb` value that is not an address.
    case address(String, String)
    /// The socket could not be opened, bound or listened on.
    case socket(GDBListenAddress, String)

    public var description: String {
        switch self {
        case .address(let text, let problem): return "-gdb: '\(text)': \(problem)"
        case .socket(let address, let problem): return "-gdb \(address): \(problem)"
        }
    }
}
