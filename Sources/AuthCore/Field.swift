/// One parameter as the transport found it: absent, of the right type, or not.
public enum Field<Value: Sendable>: Sendable {
    case absent
    case value(Value)
    /// Present but of the wrong type; the message says what was expected.
    case invalid(String)

    public var value: Value? {
        if case .value(let v) = self { return v }
        return nil
    }

    public var isAbsent: Bool {
        if case .absent = self { return true }
        return false
    }
}

/// Collects validation messages per field, in the order they were found.
public struct FieldErrors: Sendable {
    public private(set) var fields: [String: [String]] = [:]

    public init() {}

    public var isEmpty: Bool { fields.isEmpty }

    public mutating func add(_ field: String, _ message: String) {
        fields[field, default: []].append(message)
    }

    public mutating func add(_ field: String, _ messages: [String]) {
        for m in messages { add(field, m) }
    }

    /// Throws the collected messages as one invalid-params error.
    public func check() throws(AuthError) {
        if !fields.isEmpty { throw AuthError.invalid(fields) }
    }
}

extension Field {
    /// The value of a required field, or nil with a message recorded.
    public func required(_ name: String, _ errors: inout FieldErrors) -> Value? {
        switch self {
        case .absent: errors.add(name, Validation.missing); return nil
        case .invalid(let m): errors.add(name, m); return nil
        case .value(let v): return v
        }
    }

    /// The value of an optional field, or nil; a wrong type is recorded.
    public func optional(_ name: String, _ errors: inout FieldErrors) -> Value? {
        switch self {
        case .absent: return nil
        case .invalid(let m): errors.add(name, m); return nil
        case .value(let v): return v
        }
    }
}
