import Firmware
import Foundation
@testable import PolicyFile
import SMCCC
import Testing

/// The package's root directory, to reach `examples/`.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func decodeYAML(_ text: String) throws -> FirmwarePolicy { try PolicyFile.decode(text, syntax: .yaml, file: "p.yaml") }
func decodeTOML(_ text: String) throws -> FirmwarePolicy { try PolicyFile.decode(text, syntax: .toml, file: "p.toml") }

/// The error message a document produces, or nil if it decodes.
func errorMessage(_ text: String, _ syntax: PolicyFile.Syntax) -> String? {
    do {
        _ = try PolicyFile.decode(text, syntax: syntax, file: syntax == .yaml ? "p.yaml" : "p.toml")
        return nil
    } catch {
        return error.description
    }
}

@Suite struct PolicyFileDecodingTests {
    @Test func emptyDocumentIsTheDefaultPolicy() throws {
        #expect(try decodeYAML("") == FirmwarePolicy())
        #expect(try decodeYAML("# nothing\n") == FirmwarePolicy())
        #expect(try decodeTOML("") == FirmwarePolicy())
    }

    @Test func everySetting() throws {
        let policy = try decodeYAML("""
            conduits: both
            smc: psci
            psci:
              version: "1.1"
              mode: builtin
              system-suspend: false
            smccc:
              version: 1.2
              soc-id: { jep106-bank: 1, jep106-id: 0x97, soc: 0x1234, revision: 7 }
            services:
              trng: false
              kvm-ptp: false
              discover-impl-ver: true
            trng:
              seed: 0x5eed
            ranges:
              - range: 0x82000000-0x8200ffff
                action: forward
                handler: board
              - base: 0x83000000
                count: 16
                action: undefined
              - id: 0xc4000053
                action: deny
            """)
        #expect(policy.conduits == .both)
        #expect(policy.smcRouting == .filtered)
        #expect(policy.psciVersion == .v1_1)
        #expect(!policy.systemSuspend)
        #expect(policy.smcccVersion == .v1_2)
        #expect(policy.socIdentity == SoCIdentity(jep106Bank: 1, jep106Identification: 0x97, socID: 0x1234, revision: 7))
        #expect(policy.features == FeatureBitmaps(standard: 0, standardHypervisor: 1, vendorHypervisor: 1, vendorHypervisor2: 1))
        #expect(policy.entropy == .seeded(0x5EED))
        let ranges = policy.filter.entries.filter { !$0.isReserved }
        #expect(ranges.map(\.range) == [
            FunctionIDRange(first: 0x8200_0000, last: 0x8200_FFFF),
            FunctionIDRange(first: 0x8300_0000, last: 0x8300_000F),
            FunctionIDRange(first: 0xC400_0053, last: 0xC400_0053),
        ])
        #expect(ranges.map(\.action) == [.forward, .undefined, .deny])
        #expect(ranges[0].handler == "board")
        #expect(ranges[0].origin == "p.yaml:17")
    }

    @Test func yamlAndTOMLSayTheSameThing() throws {
        let yaml = try decodeYAML("""
            smc: forward-all
            psci: { version: "1.0" }
            smccc: { soc-id: none }
            ranges:
              - range: 0x82000000-0x820000ff
                action: deny
            """)
        let toml = try decodeTOML("""
            smc = "forward-all"
            [psci]
            version = "1.0"
            [smccc]
            soc-id = "none"
            [[ranges]]
            range = "0x82000000-0x820000ff"
            action = "deny"
            """)
        #expect(yaml.conduits == toml.conduits)
        #expect(yaml.smcRouting == .forwardAll && toml.smcRouting == .forwardAll)
        #expect(yaml.psciVersion == toml.psciVersion)
        #expect(yaml.socIdentity == nil && toml.socIdentity == nil)
        #expect(yaml.filter.entries.map(\.range) == toml.filter.entries.map(\.range))
    }

    @Test func tomlIntegersAndFloats() throws {
        let policy = try decodeTOML("""
            [psci]
            version = 1.2
            [[ranges]]
            base = 0x82000000
            count = 256
            action = "deny"
            """)
        #expect(policy.psciVersion == .v1_2)
        #expect(policy.filter.entries.contains { $0.range == FunctionIDRange(first: 0x8200_0000, last: 0x8200_00FF) })
    }

    @Test func everyExampleIsValid() throws {
        let examples = try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("examples").path)
        #expect(examples.count >= 4)
        for name in examples {
            let policy = try PolicyFile.load(path: packageRoot.appendingPathComponent("examples/\(name)").path)
            _ = try policy.effectiveFilter()
        }
    }
}

/// Bad policy files exit with one line naming the file, the line and the field.
@Suite struct PolicyFileErrorTests {
    @Test func overlappingRanges() {
        let yaml = """
            ranges:
              - range: 0x84000000-0x8400001f
                action: deny
              - id: 0x84000003
                action: forward
            """
        #expect(errorMessage(yaml, .yaml)
            == "p.yaml:4: ranges[1]: range 0x84000003 overlaps range 0x84000000-0x8400001f (p.yaml:2); ranges must not overlap")
        let toml = """
            [[ranges]]
            range = "0x82000000-0x8200ffff"
            action = "forward"

            [[ranges]]
            base = 0x82000100
            count = 16
            action = "deny"
            """
        #expect(errorMessage(toml, .toml)
            == "p.toml:5: ranges[1]: range 0x82000100-0x8200010f overlaps range 0x82000000-0x8200ffff (p.toml:1); ranges must not overlap")
    }

    @Test func unknownAction() {
        #expect(errorMessage("ranges:\n  - id: 0x82000000\n    action: allow\n", .yaml)
            == "p.yaml:3: ranges[0].action: unknown value 'allow' (expected handle, deny, forward, undefined, firmware)")
        #expect(errorMessage("ranges:\n  - id: 0x82000000\n    action: forwrd\n", .yaml)?.hasSuffix("did you mean 'forward'?") == true)
        #expect(errorMessage("[[ranges]]\nid = 0x82000000\naction = \"allow\"\n", .toml)
            == "p.toml:3: ranges[0].action: unknown value 'allow' (expected handle, deny, forward, undefined, firmware)")
    }

    @Test func forwardedReservedRange() {
        #expect(errorMessage("ranges:\n  - range: 0x80000000-0x80000010\n    action: forward\n", .yaml)
            == "p.yaml:2: ranges[0]: range 0x80000000-0x80000010 overlaps 0x80000000-0x8000ffff, which is reserved "
            + "for the Arm Architecture Calls: Conduit always handles them itself, so they cannot be denied, forwarded or remapped")
        #expect(errorMessage("[[ranges]]\nid = 0xc0000001\naction = \"deny\"\n", .toml)?.hasPrefix("p.toml:1: ranges[0]: range 0xc0000001 overlaps 0xc0000000-0xc000ffff") == true)
    }

    @Test func syntaxErrors() {
        #expect(errorMessage("psci:\n  version: 1.3\n  mode: [builtin\n", .yaml) == "p.yaml:4:1: YAML syntax error: did not find expected ',' or ']'")
        let toml = errorMessage("[psci]\nversion = \"1.3\"\nmode = \n", .toml)
        #expect(toml?.hasPrefix("p.toml:3:8: TOML syntax error:") == true)
        #expect(errorMessage("a: b\na: c\n", .yaml)?.hasPrefix("p.yaml:") == true)
    }

    @Test(arguments: [
        ("conduit: hvc\n", "p.yaml:1: conduit: unknown key 'conduit' (did you mean 'conduits'?); known here: conduits, smc, psci, smccc, services, trng, ranges"),
        ("conduits: hvx\n", "p.yaml:1: conduits: unknown conduit 'hvx' (expected hvc, smc or both)"),
        ("psci:\n  version: \"0.1\"\n", "p.yaml:2: psci.version: PSCI version '0.1' is not offered (0.2, 1.0, 1.1, 1.2 or 1.3)"),
        ("smccc:\n  version: 1.3\n", "p.yaml:2: smccc.version: SMCCC version 1.3 is not offered (1.1 or 1.2)"),
        ("psci:\n  mode: off\n", "p.yaml:2: psci.mode: unknown value 'off' (expected builtin, forward)"),
        ("services:\n  trng: maybe\n", "p.yaml:2: services.trng: 'maybe' is not true or false"),
        ("ranges:\n  - base: 0x82000000\n    count: 0\n    action: deny\n",
         "p.yaml:3: ranges[0].count: range at 0x82000000 is empty: it must cover at least one function ID"),
        ("ranges:\n  - base: 0xffffffff\n    count: 2\n    action: deny\n",
         "p.yaml:3: ranges[0].count: range at 0xffffffff with 2 function IDs runs past 0xffffffff"),
        ("ranges:\n  - range: 0x90-0x80\n    action: deny\n", "p.yaml:2: ranges[0].range: '0x90-0x80' ends before it starts"),
        ("ranges:\n  - range: 0x82000000\n    action: deny\n",
         "p.yaml:2: ranges[0].range: '0x82000000' is not FIRST-LAST with 32-bit IDs (e.g. 0x82000000-0x8200ffff)"),
        ("ranges:\n  - id: 0x82000000\n", "p.yaml:2: ranges[0]: missing 'action' (handle, deny, forward, undefined or firmware)"),
        ("ranges:\n  - id: 0x82000000\n    base: 1\n    action: deny\n", "p.yaml:2: ranges[0]: give only one of 'range', 'base' and 'id'"),
        ("ranges:\n  - id: 0x182000000\n    action: deny\n", "p.yaml:2: ranges[0].id: 0x182000000 is larger than the maximum, 0xffffffff"),
        ("ranges:\n  - id: 0x82000000\n    action: deny\n    handler: x\n", "p.yaml:4: ranges[0].handler: only a 'forward' range names a handler"),
        ("conduits: hvc\nsmc: psci\n", "p.yaml:2: smc: 'smc: psci' contradicts 'conduits: hvc' on line 1; give one of them, or make them agree"),
        ("psci: 1.3\n", "p.yaml:1: psci: expected a table of keys, found a value"),
        ("ranges: 5\n", "p.yaml:1: ranges: expected a list of ranges, found a value"),
        ("trng:\n  seed: lots\n", "p.yaml:2: trng.seed: 'lots' is not a number (decimal, or hex with 0x)"),
    ])
    func fieldErrors(yaml: String, message: String) {
        #expect(errorMessage(yaml, .yaml) == message)
    }

    @Test func psciForwardAgainstAnExplicitPSCIRangeFailsWhenChecked() throws {
        let policy = try decodeYAML("psci:\n  mode: forward\nranges:\n  - id: 0x84000001\n    action: deny\n")
        #expect(throws: PolicyError.self) { try policy.effectiveFilter() }
    }

    @Test func unreadableFiles() {
        #expect(throws: PolicyFileError.self) { try PolicyFile.load(path: "/nonexistent/policy.yaml") }
        do {
            _ = try PolicyFile.load(path: "/etc/hostname")
        } catch {
            #expect(error.description == "/etc/hostname: cannot tell the syntax: name the file .yaml, .yml or .toml")
        }
    }
}

/// Documents a careless parser would trap, recurse or expand on (issue 11).
@Suite struct HostilePolicyTests {
    @Test func anchorsAndAliasesAreRefused() {
        let laughs = """
            a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
            b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
            c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
            ranges: [*c]
            """
        #expect(errorMessage(laughs, .yaml) == "p.yaml:1: YAML anchors and aliases (&a) are not allowed in policy files")
        #expect(errorMessage("psci: &p\n  version: \"1.3\"\n", .yaml) == "p.yaml:1: YAML anchors and aliases (&p) are not allowed in policy files")
        #expect(errorMessage("conduits: hvc\nsmc: *x\n", .yaml) == "p.yaml:2: YAML anchors and aliases (*x) are not allowed in policy files")
        // An ampersand or asterisk inside a scalar is text, not an anchor.
        #expect(errorMessage("ranges:\n  - id: 0x84000014 # a&b *c\n    action: deny\n", .yaml) == nil)
        #expect(errorMessage("psci:\n  mode: \"&builtin\"\n", .yaml)?.contains("unknown value '&builtin'") == true)
    }

    @Test func deepYAMLIsRefusedBeforeParsing() {
        let documents = [
            "a: " + String(repeating: "[", count: 100_000),
            String(repeating: "- ", count: 100_000) + "x",
            String(repeating: "{a: ", count: 100_000),
            String(repeating: "? ", count: 100_000) + "x",
            String(repeating: " ", count: 200) + "a: b",
        ]
        for text in documents {
            #expect(errorMessage(text, .yaml)?.contains("nested more than 64 levels deep") == true, "\(text.prefix(20))")
        }
    }

    @Test func flowCollectionsDeepInALineAreFine() {
        // Long flow mappings reach far columns without nesting.
        let text = "smccc:\n  soc-id: { jep106-bank: 1, jep106-id: 0x97, soc: 0x1234, revision: 7 }   # a comment [ [ [\n"
        #expect(errorMessage(text, .yaml) == nil)
        // Quoted scalars may hold brackets and span lines.
        #expect(errorMessage("psci:\n  mode: \"[[[[\n  [[[[\"\n", .yaml)?.contains("unknown value") == true)
    }

    @Test func deepTOMLIsRefused() {
        let documents = [
            String(repeating: "k.", count: 100_000) + "k = 1",
            "[" + String(repeating: "k.", count: 100_000) + "k]",
            "a = " + String(repeating: "[", count: 100_000),
            "a = " + String(repeating: "{b = ", count: 100_000) + "1",
        ]
        for text in documents {
            let message = errorMessage(text, .toml) ?? ""
            #expect(message.hasPrefix("p.toml:1:") && message.contains("TOML syntax error:") && message.contains("more than 64"),
                    "\(message.prefix(120))")
        }
    }

    @Test func dotsInTOMLStringsAndCommentsDoNotCount() {
        let text = "[psci]\nversion = \"" + String(repeating: ".", count: 100) + "\" # " + String(repeating: ".", count: 100) + "\n"
        #expect(errorMessage(text, .toml)?.contains("is not offered") == true)
    }

    /// Inputs on which toml++ (TOMLKit) aborted the process, and other broken TOML; the reader
    /// gives each one located line.
    static let brokenTOML: [(String, String)] = [
        ("a = [}", "p.toml:1:6: TOML syntax error: expected a value, found '}'"),
        ("[=", "p.toml:1:2: TOML syntax error: expected a key, found '='"),
        ("[\u{FFFD}]", "p.toml:1:2: TOML syntax error: expected a key, found byte 0xef"),
        ("a = 1\na = 2", "p.toml:2:1: TOML syntax error: key 'a' is defined more than once"),
        ("[t]\n[t]", "p.toml:2:4: TOML syntax error: table 't' is defined more than once"),
        ("a = {b = 1}\n[a]", "p.toml:2:4: TOML syntax error: table 'a' is defined more than once"),
        ("a = [1]\n[[a]]", "p.toml:2:6: TOML syntax error: 'a' is already defined, and not as an array of tables"),
        ("a = \"x", "p.toml:1:7: TOML syntax error: the string is not closed"),
        ("a = \"\\q\"", "p.toml:1:7: TOML syntax error: unknown escape '\\q'"),
        ("a = 0123", "p.toml:1:5: TOML syntax error: '0123' is not a TOML value (a string needs quotes)"),
        ("a = 9223372036854775808", "p.toml:1:5: TOML syntax error: '9223372036854775808' is not a TOML value (a string needs quotes)"),
        ("a = 1 b = 2", "p.toml:1:7: TOML syntax error: expected the end of the line, found 'b'"),
    ]

    @Test func tomlSyntaxErrors() {
        for (text, message) in Self.brokenTOML { #expect(errorMessage(text, .toml) == message) }
    }

    @Test func tomlValuesAsTheDecoderReadsThem() throws {
        let node = try TOMLReader.parse(#"""
            # comment
            a = 0x82_00_00_00
            b = 0o17
            c = 0b101
            d = -5
            e = 1.2_5
            f = true
            "g h" = 'lit\eral'
            i = """
            two
            lines"""
            j = 1979-05-27T07:32:00Z
            k = [1, [2, 3], {x = 1}]
            [t.u]
            v = "\u00e9"
            [[w]]
            [[w]]
            x.y = 1
            """#)
        func scalar(_ path: [String]) -> String? {
            var current = node
            for key in path {
                guard case .mapping(let pairs) = current.value, let next = pairs.first(where: { $0.key == key })?.node else { return nil }
                current = next
            }
            if case .scalar(let text) = current.value { return text }
            return nil
        }
        #expect(scalar(["a"]) == "2181038080")
        #expect(scalar(["b"]) == "15")
        #expect(scalar(["c"]) == "5")
        #expect(scalar(["d"]) == "-5")
        #expect(scalar(["e"]) == "1.25")
        #expect(scalar(["f"]) == "true")
        #expect(scalar(["g h"]) == #"lit\eral"#)
        #expect(scalar(["i"]) == "two\nlines")
        #expect(scalar(["j"]) == "1979-05-27T07:32:00Z")
        #expect(scalar(["t", "u", "v"]) == "é")
        guard case .mapping(let pairs) = node.value, let w = pairs.first(where: { $0.key == "w" })?.node,
            case .sequence(let items) = w.value else { Issue.record("no [[w]]"); return }
        #expect(items.count == 2)
        #expect(items.map { $0.line } == [16, 17])
        #expect(pairs.first(where: { $0.key == "a" })?.node.line == 2)
    }
}
