import Testing
@testable import AuthJSON

@Suite struct JSONParserTests {
    private func parse(_ text: String) throws -> JSON { try JSONParser.parse(text) }

    private func rejects(_ bytes: [UInt8]) -> JSONParseError? {
        do {
            _ = try JSONParser.parse(bytes)
            return nil
        } catch {
            return error
        }
    }

    private func rejects(_ text: String) -> JSONParseError? { rejects(Array(text.utf8)) }

    @Test func objectsAndArraysParse() throws {
        let v = try parse(#" { "a" : [1, true, false, null, "x"], "b": {} , "c": [] } "#)
        #expect(v == .object([
            "a": .array([.number("1"), .bool(true), .bool(false), .null, .string("x")]),
            "b": .object([:]),
            "c": .array([]),
        ]))
    }

    @Test func escapesAreDecoded() throws {
        let v = try parse(#""q\"b\\s\/n\nr\rt\tb\bf\fu\u00e9""#)
        #expect(v == .string("q\"b\\s/n\nr\rt\tb\u{08}f\u{0C}u\u{e9}"))
    }

    @Test func surrogatePairBecomesOneScalar() throws {
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try parse(#""\uD834\uDD1E""#) == .string("\u{1D11E}"))
    }

    @Test func rawNonASCIIIsKept() throws {
        #expect(try parse("\"héllo ✓\"") == .string("héllo ✓"))
    }

    @Test func numbersKeepTheirLiteral() throws {
        for literal in ["12345678901234567890", "1.50", "-0", "1e10", "2.5E-3", "0"] {
            let v = try parse(literal)
            #expect(v == .number(literal))
            #expect(v.text == literal)
        }
        let wrapped = try parse(#"{"id":12345678901234567890,"x":1.50}"#)
        #expect(wrapped.text == #"{"id":12345678901234567890,"x":1.50}"#)
    }

    @Test func trailingGarbageIsRejected() {
        #expect(rejects("{} x")?.message == "unexpected data after the JSON value")
        #expect(rejects("1 2") != nil)
        #expect(rejects("[1]]") != nil)
    }

    @Test func duplicateKeysAreRejected() {
        #expect(rejects(#"{"a":1,"a":2}"#)?.message == #"duplicate key "a""#)
    }

    @Test func invalidUTF8IsRejected() {
        #expect(rejects([0x22, 0xFF, 0x22])?.message == "invalid UTF-8 in string")
        // Also on the slow path, after an escape.
        #expect(rejects([0x22, 0x5C, 0x6E, 0xC3, 0x22])?.message == "invalid UTF-8 in string")
        #expect(rejects([0xFF]) != nil)
    }

    @Test func loneSurrogatesAreRejected() {
        #expect(rejects(#""\ud800""#)?.message == "unpaired surrogate in string")
        #expect(rejects(#""\udc00""#)?.message == "unpaired surrogate in string")
        #expect(rejects(#""\ud800\u0041""#)?.message == "unpaired surrogate in string")
    }

    @Test func rawControlCharacterInStringIsRejected() {
        #expect(rejects([0x22, 0x61, 0x0A, 0x22]) != nil)
        #expect(rejects([0x22, 0x5C, 0x6E, 0x01, 0x22])?.message == "control character in string")
    }

    @Test func badEscapesAreRejected() {
        #expect(rejects(#""\x""#)?.message == "invalid escape in string")
        #expect(rejects(#""\u12g4""#)?.message == #"invalid \u escape"#)
        #expect(rejects(#""abc"#)?.message == "unterminated string")
    }

    @Test func nestingOf64IsAcceptedAnd65Refused() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try parse(ok)
        let objects = String(repeating: #"{"a":"#, count: 63) + "{}" + String(repeating: "}", count: 63)
        _ = try parse(objects)
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(rejects(deep)?.message == "nesting deeper than 64 levels")
        let deepObjects = String(repeating: #"{"a":"#, count: 64) + "{}" + String(repeating: "}", count: 64)
        #expect(rejects(deepObjects) != nil)
    }

    @Test func invalidNumbersAreRejected() {
        for bad in ["01", "-01", "NaN", "Infinity", "-", "1.", ".5", "1e", "+1", "0x10"] {
            #expect(rejects(bad) != nil, "\(bad) should be refused")
        }
    }

    @Test func invalidLiteralsAndEmptyInputAreRejected() {
        #expect(rejects("tru")?.message == "unexpected end of input")
        #expect(rejects("nul1")?.message == "invalid literal")
        #expect(rejects("")?.message == "unexpected end of input")
        #expect(rejects("   ") != nil)
        #expect(rejects("[1,]") != nil)
        #expect(rejects(#"{"a":1,}"#) != nil)
        #expect(rejects("{1:2}")?.message == "expected a string key")
    }

    @Test func serializerEscapesQuotesBackslashesAndControls() {
        let s = JSON.string("a\"b\\c\nd\re\tf\u{01}g\u{1F}h\u{7F}")
        #expect(s.text == #""a\"b\\c\nd\re\tf\u0001g\u001fh\u007f""#)
    }

    @Test func serializerKeepsNonASCII() {
        #expect(JSON.string("é✓😀").text == "\"é✓😀\"")
        #expect(JSON.string("é").serialized() == [0x22, 0xC3, 0xA9, 0x22])
    }

    @Test func serializerSortsKeysAndIsCompact() {
        let v: JSON = ["b": 1, "a": [true, .null], "c": ["z": "y", "m": 2]]
        #expect(v.text == #"{"a":[true,null],"b":1,"c":{"m":2,"z":"y"}}"#)
    }

    @Test func serializedOutputParsesBackToTheSameValue() throws {
        let v: JSON = ["k": "line\nbreak \"q\" \u{0}", "n": .number("-1.25e+3"), "e": [[], [:]]]
        #expect(try JSONParser.parse(v.serialized()) == v)
    }

    @Test func int64AcceptsWholeNumbersOnly() {
        #expect(JSON.number("5").int64 == 5)
        #expect(JSON.number("5.0").int64 == 5)
        #expect(JSON.number("5.5").int64 == nil)
        #expect(JSON.number("12345678901234567890").int64 == nil)
        #expect(JSON.string("5").int64 == nil)
    }

    /// Literals become member lists in key order; they equal, read and serialize like
    /// the same object parsed or built from a dictionary, whatever order they were written in.
    @Test func literalObjectsMatchDictionaryObjects() throws {
        let inOrder: JSON = ["a": 1, "b": ["x": true], "é": "accent", "z": .null]
        let shuffled: JSON = ["z": .null, "é": "accent", "a": 1, "b": ["x": true]]
        let parsed = try JSONParser.parse(#"{"z":null,"b":{"x":true},"a":1,"é":"accent"}"#)
        let dictionary = JSON.object(["b": .object(["x": true]), "z": .null, "a": 1, "é": "accent"])
        for value in [inOrder, shuffled, parsed, dictionary] {
            #expect(value == parsed)
            #expect(value.text == #"{"a":1,"b":{"x":true},"z":null,"é":"accent"}"#)
            #expect(value["b"]?["x"] == true)
            #expect(value["missing"] == nil)
            #expect(value.object?.count == 4)
            #expect(value.members?.map(\.key) == ["a", "b", "z", "é"])
            #expect(value.typeName == "object")
        }
        #expect(inOrder != ["a": 1, "b": ["x": true], "é": "accent", "z": false])
        let repeated: JSON = ["k": 1, "a": 0, "k": 2]
        #expect(repeated.text == #"{"a":0,"k":2}"#)
    }

    @Test func integersAreWrittenInDecimal() {
        for n: Int64 in [0, 7, -7, 10, 99, 100, 1_700_000_000, -1_234_567_890_123, .max, .min] {
            #expect(JSON.int(n) == .number(String(n)))
        }
        #expect(JSON.int(UInt64.max) == .number("18446744073709551615"))
        #expect(JSON.int(Int32(-5)).text == "-5")
    }
}
