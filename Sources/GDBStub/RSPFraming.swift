/// The GDB remote serial protocol's framing (gdb's "Overview" and "Binary Data" sections):
/// `$payload#cc`, where cc is the payload's byte sum mod 256 in two hex digits; `}` escapes a
/// byte as itself XOR 0x20; `+` and `-` acknowledge (until no-ack mode); a lone 0x03 outside a
/// packet is an interrupt (Ctrl-C).
enum RSPEvent: Equatable {
    /// A packet whose checksum matched, unescaped.
    case packet([UInt8])
    /// A packet whose checksum did not match, or that grew past the limit: gdb resends on `-`.
    case corrupt
    /// 0x03 between packets.
    case interrupt
}

/// Turns the bytes gdb sends into events, a byte at a time, in bounded memory.
struct RSPDecoder {
    /// The largest payload accepted (the `PacketSize` the stub advertises): a longer one is
    /// dropped whole and reported corrupt.
    static let maximumPayload = 0x4000

    private enum State { case idle, payload, escaped, checksumHigh, checksumLow(UInt8) }
    private var state = State.idle
    private var payload: [UInt8] = []
    private var sum: UInt8 = 0
    private var overflowed = false

    /// Feeds one byte; returns the event it completes, if any.
    mutating func feed(_ byte: UInt8) -> RSPEvent? {
        switch state {
        case .idle:
            switch byte {
            case UInt8(ascii: "$"):
                payload.removeAll(keepingCapacity: true)
                sum = 0
                overflowed = false
                state = .payload
            case 0x03:
                return .interrupt
            default:
                break  // acks, and noise between packets
            }
        case .payload:
            switch byte {
            case UInt8(ascii: "#"): state = .checksumHigh
            case UInt8(ascii: "}"):
                sum &+= byte
                state = .escaped
            case UInt8(ascii: "$"):
                // A new packet inside one: the first was cut off.
                payload.removeAll(keepingCapacity: true)
                sum = 0
                overflowed = false
            default:
                sum &+= byte
                append(byte)
            }
        case .escaped:
            sum &+= byte
            append(byte ^ 0x20)
            state = .payload
        case .checksumHigh:
            guard let high = Self.hexValue(byte) else { state = .idle; return .corrupt }
            state = .checksumLow(high)
        case .checksumLow(let high):
            state = .idle
            guard let low = Self.hexValue(byte), high << 4 | low == sum, !overflowed else { return .corrupt }
            return .packet(payload)
        }
        return nil
    }

    private mutating func append(_ byte: UInt8) {
        if payload.count < Self.maximumPayload { payload.append(byte) } else { overflowed = true }
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

enum RSPEncoder {
    /// `payload` framed as a packet, with `$ # } *` escaped so that nothing in it is taken for
    /// framing or run-length encoding.
    static func frame(_ payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "$")]
        bytes.reserveCapacity(payload.count + 4)
        var sum: UInt8 = 0
        for byte in payload {
            switch byte {
            case UInt8(ascii: "$"), UInt8(ascii: "#"), UInt8(ascii: "}"), UInt8(ascii: "*"):
                bytes.append(UInt8(ascii: "}"))
                bytes.append(byte ^ 0x20)
                sum &+= UInt8(ascii: "}") &+ (byte ^ 0x20)
            default:
                bytes.append(byte)
                sum &+= byte
            }
        }
        bytes.append(UInt8(ascii: "#"))
        bytes += Array(hex(sum).utf8)
        return bytes
    }

    static func frame(_ payload: String) -> [UInt8] { frame(Array(payload.utf8)) }

    /// Two lower-case hex digits.
    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 15)]], as: UTF8.self)
    }
}
