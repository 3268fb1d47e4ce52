/// One parameter as the transport decoded it through the interface's declaration: its
/// declared name and required-ness, and what the request held (absent, of the right
/// type, or not). The domain names fields in its messages by `name`, so a param's name
/// is written once, where it is declared.
public struct Field<Value: Sendable>: Sendable {
    public enum Input: Sendable {
        case absent
        case value(Value)
        /// Present but of the wrong type; the message says what was expected.
        case invalid(String)
    }

    public let name: String
    /// Whether the interface declares the param required.
    public let isRequired: Bool
    public let input: Input

    public init(_ name: String, required: Bool = false, _ input: Input) {
        self.name = name
        self.isRequired = required
        self.input = input
    }

    public var value: Value? {
        if case .value(let v) = input { return v }
        return nil
    }

    /// The same field, required whatever its declaration says (a param required in one
    /// form of a method only).
    public var requiring: Field {
        Field(name, required: true, input)
    }

    /// The same field with its value transformed.
    public func mapValue<T>(_ transform: (Value) -> T) -> Field<T> {
        switch input {
        case .absent: Field<T>(name, required: isRequired, .absent)
        case .invalid(let m): Field<T>(name, required: isRequired, .invalid(m))
        case .value(let v): Field<T>(name, required: isRequired, .value(transform(v)))
        }
    }

    public var isAbsent: Bool {
        if case .absent = input { return true }
        return false
    }

    /// The value, or nil with a message recorded: a wrong type, or a required param
    /// that is absent.
    public func read(_ errors: inout FieldErrors) -> Value? {
        switch input {
        case .absent:
            if isRequired { errors.add(name, Validation.missing) }
            return nil
        case .invalid(let m): errors.add(name, m); return nil
        case .value(let v): return v
        }
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
