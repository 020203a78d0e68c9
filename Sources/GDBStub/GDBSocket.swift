#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The listening socket: one debugger connection at a time, accepted without blocking the
/// machine (``accept(waitingMilliseconds:)``).
final class GDBListener {
    let address: GDBListenAddress
    private let descriptor: Int32

    init(_ address: GDBListenAddress) throws(GDBStubError) {
        self.address = address
        let fd: Int32
        let bound: Bool
        switch address {
        case .tcp(let host, let port):
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            socketAddress.sin_port = port.bigEndian
            guard inet_pton(AF_INET, host, &socketAddress.sin_addr) == 1 else {
                throw .socket(address, "'\(host)' is not an IPv4 address")
            }
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw .socket(address, Self.lastError("socket")) }
            var yes: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
            bound = Self.bind(fd, &socketAddress)
        case .unix(let path):
            var socketAddress = sockaddr_un()
            socketAddress.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &socketAddress.sun_path) { raw in
                for (index, byte) in path.utf8.enumerated() where index < raw.count - 1 { raw[index] = byte }
            }
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw .socket(address, Self.lastError("socket")) }
            unlink(path)  // a socket left by an earlier run
            bound = Self.bind(fd, &socketAddress)
        }
        guard bound else {
            let error = Self.lastError("bind")
            close(fd)
            throw .socket(address, error)
        }
        guard listen(fd, 1) == 0 else {
            let error = Self.lastError("listen")
            close(fd)
            throw .socket(address, error)
        }
        descriptor = fd
    }

    /// Binds `fd` to a `sockaddr_in` or `sockaddr_un`.
    private static func bind<Address>(_ fd: Int32, _ socketAddress: inout Address) -> Bool {
        withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<Address>.size)) }
        } == 0
    }

    deinit {
        close(descriptor)
        if case .unix(let path) = address { unlink(path) }
    }

    /// A connection, if one arrives within `milliseconds` (0: only one already waiting).
    func accept(waitingMilliseconds milliseconds: Int32) -> GDBConnection? {
        guard GDBConnection.poll(descriptor, milliseconds: milliseconds) else { return nil }
        let fd = Glibc.accept(descriptor, nil, nil)
        guard fd >= 0 else { return nil }
        if case .tcp = address {
            // Packets are small and answered one at a time: do not let Nagle hold them back.
            var yes: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
        }
        return GDBConnection(descriptor: fd)
    }

    static func lastError(_ call: String) -> String { "\(call): \(String(cString: strerror(errno)))" }
}

/// One debugger's byte stream.
final class GDBConnection {
    private let descriptor: Int32
    /// False once the peer closed or an error broke the stream.
    private(set) var isOpen = true

    init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close(descriptor) }

    /// Whether `descriptor` is readable within `milliseconds`.
    static func poll(_ descriptor: Int32, milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return Glibc.poll(&entry, 1, milliseconds) > 0
    }

    /// Bytes that arrive within `milliseconds` (0: only those already there); empty if none.
    /// A closed or broken stream marks the connection closed.
    func read(waitingMilliseconds milliseconds: Int32) -> [UInt8] {
        guard isOpen, Self.poll(descriptor, milliseconds: milliseconds) else { return [] }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count <= 0 {
            if count == 0 || (errno != EINTR && errno != EAGAIN) { isOpen = false }
            return []
        }
        return Array(buffer.prefix(count))
    }

    /// Writes all of `bytes`; a failure closes the connection.
    func write(_ bytes: [UInt8]) {
        var offset = 0
        while isOpen && offset < bytes.count {
            let written = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if written > 0 { offset += written } else if written < 0 && errno == EINTR { continue } else { isOpen = false }
        }
    }
}
