import AuthCore
import AuthJSON
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Named params, read into the domain's `Field`s; a wrong type becomes a field message
/// that the domain reports at its validation step.
public struct Params: Sendable {
    public var values: [String: JSON]

    public init(_ values: [String: JSON]) { self.values = values }

    public func string(_ name: String) -> Field<String> {
        switch values[name] {
        case nil: .absent
        case .string(let s)?: .value(s)
        default: .invalid(Validation.notString)
        }
    }

    public func int(_ name: String) -> Field<Int64> {
        switch values[name] {
        case nil: return .absent
        case let v?:
            if let n = v.int64 { return .value(n) }
            // Like marshmallow's Integer: a string of digits is accepted.
            if case .string(let s) = v, let n = Int64(s) { return .value(n) }
            return .invalid(Validation.notInteger)
        }
    }

    public func date(_ name: String) -> Field<Date> {
        switch values[name] {
        case nil, .null?: return .absent
        case .string(let s)?:
            if let d = RFC3339.parse(s) { return .value(d) }
            return .invalid("Not a valid datetime.")
        default: return .invalid("Not a valid datetime.")
        }
    }
}
