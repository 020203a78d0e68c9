import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import GDBStub

/// The stub's pieces that need no socket: framing, hex, addresses, the monitor's ranges and the
/// target description. `scripts/gdb-test.sh` runs the whole stub against gdb-multiarch.
@Suite struct GDBStubTests {
    static func decode(_ text: String) -> [RSPEvent] {
        var decoder = RSPDecoder()
        return Array(text.utf8).compactMap { decoder.feed($0) }
    }

    @Test func framingRoundTripsWithEscapes() {
        let payload: [UInt8] = Array("a$b#c}d*e".utf8)
        let framed = RSPEncoder.frame(payload)
        // Every framing character inside is escaped: one '$' and one '#' remain, at the ends.
        #expect(framed.filter { $0 == UInt8(ascii: "$") }.count == 1)
        #expect(framed.filter { $0 == UInt8(ascii: "#") }.count == 1)
        var decoder = RSPDecoder()
        #expect(framed.compactMap { decoder.feed($0) } == [.packet(payload)])
    }

    @Test func checksumsAreChecked() {
        #expect(Self.decode("$g#67") == [.packet(Array("g".utf8))])
        #expect(Self.decode("$g#68") == [.corrupt])
        #expect(Self.decode("$g#zz") == [.corrupt])
        #expect(Self.decode("+-$?#3f") == [.packet(Array("?".utf8))])
    }

    @Test func interruptsOnlyBetweenPackets() {
        #expect(Self.decode("\u{03}") == [.interrupt])
        // Inside a packet, 0x03 is a byte of it.
        let inside = RSPEncoder.frame([0x03])
        var decoder = RSPDecoder()
        #expect(inside.compactMap { decoder.feed($0) } == [.packet([0x03])])
    }

    @Test func oversizedPacketsAreRefusedInBoundedMemory() {
        let text = "$" + String(repeating: "0", count: RSPDecoder.maximumPayload + 1) + "#00"
        var decoder = RSPDecoder()
        var sum: UInt8 = 0
        for _ in 0...RSPDecoder.maximumPayload { sum &+= UInt8(ascii: "0") }
        let framed = Array(text.dropLast(2).utf8) + Array(RSPEncoder.hex(sum).utf8)
        #expect(framed.compactMap { decoder.feed($0) } == [.corrupt])
    }

    @Test func hexNumbersNeverOverflow() {
        #expect(GDBHex.number(Array("ffffffffffffffff".utf8)) == .max)
        #expect(GDBHex.number(Array("1ffffffffffffffff".utf8)) == nil)
        #expect(GDBHex.number(Array("".utf8)) == nil)
        #expect(GDBHex.number(Array("12g".utf8)) == nil)
        #expect(GDBHex.decode(Array("0aFf".utf8)) == [0x0A, 0xFF])
        #expect(GDBHex.decode(Array("0".utf8)) == nil)
        #expect(GDBHex.littleEndian(0x1122, size: 4) == "22110000")
    }

    @Test func listenAddressesInQEMUSpelling() throws {
        #expect(try GDBListenAddress(parsing: "tcp::1234") == .tcp(host: "127.0.0.1", port: 1234))
        #expect(try GDBListenAddress(parsing: "1234") == .tcp(host: "127.0.0.1", port: 1234))
        #expect(try GDBListenAddress(parsing: "tcp:0.0.0.0:4321") == .tcp(host: "0.0.0.0", port: 4321))
        #expect(try GDBListenAddress(parsing: "tcp:localhost:9,server=on") == .tcp(host: "127.0.0.1", port: 9))
        #expect(try GDBListenAddress(parsing: "unix:/tmp/x.sock,server=on,wait=off") == .unix(path: "/tmp/x.sock"))
        for bad in ["tcp::0", "tcp::65536", "tcp::http", "", "unix:", "unix:" + String(repeating: "a", count: 200)] {
            #expect(throws: GDBStubError.self) { try GDBListenAddress(parsing: bad) }
        }
    }

    @Test func monitorRanges() {
        #expect(GDBMonitor.parseRange("0x84000000-0x8400001f") == 0x8400_0000...0x8400_001F)
        #expect(GDBMonitor.parseRange("0x84000000") == 0x8400_0000...0x8400_0000)
        #expect(GDBMonitor.parseRange("16-32") == 16...32)
        #expect(GDBMonitor.parseRange("5-1") == nil)
        #expect(GDBMonitor.parseRange("0x100000000") == nil)
        #expect(GDBMonitor.parseRange("1-2-3") == nil)
        #expect(GDBMonitor.parseRange("-") == nil)
    }

    /// The description is XML a parser accepts, and its registers are the `g` packet's, in order
    /// and size.
    @Test func targetDescriptionMatchesTheRegisterMap() throws {
        final class Collector: NSObject, XMLParserDelegate {
            var registers: [(name: String, bits: Int)] = []
            func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?,
                        qualifiedName: String?, attributes: [String: String] = [:]) {
                if element == "reg", let name = attributes["name"], let bits = attributes["bitsize"].flatMap({ Int($0) }) {
                    registers.append((name, bits))
                }
            }
        }
        let parser = XMLParser(data: Data(AArch64RegisterMap.targetXML.utf8))
        let collector = Collector()
        parser.delegate = collector
        #expect(parser.parse())
        #expect(collector.registers.map(\.name) == AArch64RegisterMap.registers.map(\.name))
        #expect(collector.registers.map(\.bits) == AArch64RegisterMap.registers.map { $0.size * 8 })
        #expect(collector.registers.count == 68 + AArch64RegisterMap.systemRegisters.count)
    }
}
