import AuthCore
import AuthJSON
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A request's named params, read through its method's declaration: each read gives the
/// domain a `Field` with the declared name and required-ness, and a name the method does
/// not declare cannot be read (it traps, so every test that calls the method finds it).
/// A wrong type becomes a field message that the domain reports at its validation step.
public struct Params: Sendable {
    public let method: RPCMethod
    public let values: [String: JSON]

    public init(_ method: RPCMethod, _ values: [String: JSON]) {
        self.method = method
        self.values = values
    }

    public func string(_ param: ParamSpec) -> Field<String> {
        let declared = declaration(param)
        return switch values[declared.name] {
        case nil: field(declared, .absent)
        case .string(let s)?: field(declared, .value(s))
        default: field(declared, .invalid(Validation.notString))
        }
    }

    public func strings(_ param: ParamSpec) -> Field<[String]> {
        let declared = declaration(param)
        switch values[declared.name] {
        case nil: return field(declared, .absent)
        case .array(let items)?:
            var out: [String] = []
            for item in items {
                guard case .string(let s) = item else { return field(declared, .invalid("Not a valid list of strings.")) }
                out.append(s)
            }
            return field(declared, .value(out))
        default: return field(declared, .invalid("Not a valid list of strings."))
        }
    }

    public func int(_ param: ParamSpec) -> Field<Int64> {
        let declared = declaration(param)
        switch values[declared.name] {
        case nil: return field(declared, .absent)
        case let v?:
            if let n = v.int64 { return field(declared, .value(n)) }
            // Like marshmallow's Integer: a string of digits is accepted.
            if case .string(let s) = v, let n = Int64(s) { return field(declared, .value(n)) }
            return field(declared, .invalid(Validation.notInteger))
        }
    }

    public func date(_ param: ParamSpec) -> Field<Date> {
        let declared = declaration(param)
        switch values[declared.name] {
        case nil, .null?: return field(declared, .absent)
        case .string(let s)?:
            if let d = RFC3339.parse(s) { return field(declared, .value(d)) }
            return field(declared, .invalid("Not a valid datetime."))
        default: return field(declared, .invalid("Not a valid datetime."))
        }
    }

    public func bool(_ param: ParamSpec) -> Field<Bool> {
        let declared = declaration(param)
        return switch values[declared.name] {
        case nil, .null?: field(declared, .absent)
        case .bool(let b)?: field(declared, .value(b))
        default: field(declared, .invalid(Validation.notBoolean))
        }
    }

    /// An array of objects, each read as params of the same method (`users.import`'s rows).
    public func rows(_ param: ParamSpec) -> Field<[Params]> {
        let declared = declaration(param)
        guard let value = values[declared.name] else { return field(declared, .absent) }
        guard case .array(let items) = value else { return field(declared, .invalid(Validation.notList)) }
        var rows: [Params] = []
        for item in items {
            guard let object = item.object else { return field(declared, .invalid(Validation.notObjects)) }
            rows.append(Params(method, object))
        }
        return field(declared, .value(rows))
    }

    /// The method's own declaration of the param (its required-ness is the method's).
    private func declaration(_ param: ParamSpec) -> ParamSpec {
        guard let declared = method.spec.param(named: param.name) else {
            preconditionFailure("\(method.rawValue) declares no param \(param.name)")
        }
        return declared
    }

    private func field<Value>(_ declared: ParamSpec, _ input: Field<Value>.Input) -> Field<Value> {
        Field(declared.name, required: declared.required, input)
    }
}
