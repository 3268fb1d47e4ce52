/// A JSON value. Numbers keep their literal text so that an id such as
/// `12345678901234567890` or `1.50` is echoed back exactly as it came.
public enum JSON: Sendable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSON])
    /// An object as parsed, or as built from a dictionary.
    case object([String: JSON])
    /// An object built from a literal (`["id": 1, …]`): its members in the order it is
    /// written in, by the keys' UTF-8 bytes, so that answers are built and written with
    /// no hashing and no sorting. Equal to the `.object` with the same members; read it
    /// through `subscript`, `object` or `members`, never by matching `.object`.
    case sortedMembers([Member])

    public typealias Member = (key: String, value: JSON)

    public static func int(_ n: some BinaryInteger) -> JSON {
        guard let n = Int64(exactly: n) else { return .number(String(n)) }
        return .number(decimal(n))
    }

    /// The digits of `n`, written straight into the string's storage: `String(n)` goes
    /// through the generic radix path, a measurable part of every answer that carries ids and times.
    static func decimal(_ n: Int64) -> String {
        String(unsafeUninitializedCapacity: 20) { buffer in
            var magnitude = n.magnitude
            var end = 20
            var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, on the stack
            return withUnsafeMutableBytes(of: &digits) { scratch in
                repeat {
                    end -= 1
                    scratch[end] = UInt8(truncatingIfNeeded: magnitude % 10) + 48
                    magnitude /= 10
                } while magnitude > 0
                var count = 0
                if n < 0 { buffer[0] = UInt8(ascii: "-"); count = 1 }
                for k in end..<20 {
                    buffer[count] = scratch[k]
                    count += 1
                }
                return count
            }
        }
    }

    public subscript(key: String) -> JSON? {
        switch self {
        case .object(let o): return o[key]
        case .sortedMembers(let members): return members.first { $0.key == key }?.value
        default: return nil
        }
    }

    /// An object's members in serialization order (by the keys' UTF-8 bytes); nil if not an object.
    public var members: [Member]? {
        switch self {
        case .object(let o): return JSON.inKeyOrder(o)
        case .sortedMembers(let members): return members
        default: return nil
        }
    }

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var object: [String: JSON]? {
        switch self {
        case .object(let o): return o
        case .sortedMembers(let members): return Dictionary(members, uniquingKeysWith: { _, last in last })
        default: return nil
        }
    }

    public var array: [JSON]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The value as a whole number, when it is one that fits (`5` and `5.0` do, `5.5` does not).
    public var int64: Int64? {
        guard case .number(let literal) = self else { return nil }
        if let n = Int64(literal) { return n }
        guard let d = Double(literal), d.rounded() == d, d >= -9.2e18, d <= 9.2e18 else { return nil }
        return Int64(d)
    }

    public var double: Double? {
        guard case .number(let literal) = self else { return nil }
        return Double(literal)
    }

    /// The name of the value's type, for messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object, .sortedMembers: "object"
        }
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(String(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    /// Literals written in key order (as the request path's are) are taken as they are;
    /// any other order is sorted once, here. A repeated key: the last one wins.
    public init(dictionaryLiteral elements: (String, JSON)...) {
        var inOrder = true
        for k in elements.indices.dropFirst() where !JSON.utf8Precedes(elements[k - 1].0, elements[k].0) {
            inOrder = false
            break
        }
        if inOrder {
            // Labels are not part of a tuple's layout: the same array, seen with them.
            self = .sortedMembers(unsafeBitCast(elements, to: [Member].self))
        } else {
            self = .sortedMembers(JSON.inKeyOrder(Dictionary(elements, uniquingKeysWith: { _, last in last })))
        }
    }

    /// A dictionary's members by the keys' UTF-8 bytes (code point order: Python's `sort_keys`).
    static func inKeyOrder(_ object: [String: JSON]) -> [Member] {
        object.sorted { utf8Precedes($0.key, $1.key) }
    }

    /// Byte order of the UTF-8 forms (code point order: Python's `sort_keys`), straight
    /// from the strings' storage.
    static func utf8Precedes(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                for k in 0..<min(x.count, y.count) where x[k] != y[k] { return x[k] < y[k] }
                return x.count < y.count
            }
        }
    }
}

extension JSON: Equatable {
    /// Objects are equal when their members are, whichever way each was built.
    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a == b
        case (.object, .sortedMembers), (.sortedMembers, .object), (.sortedMembers, .sortedMembers):
            lhs.object == rhs.object
        default: false
        }
    }
}
