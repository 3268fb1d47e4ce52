/// The value of every setting of `Table`, read as `settings.bcryptCost` through the
/// declaration's key path, with where each came from.
@dynamicMemberLookup
public struct ResolvedSettings<Table: SettingsTable>: Sendable, CustomStringConvertible {
    private var entries: [String: SettingEntry] = [:]
    /// What was found and not used, to be logged once logging is set up.
    public let warnings: [String]

    /// Each setting from the first layer that gives it, else its default. A bad value is
    /// an error naming its source: `--bcrypt-cost must be …` when the option gave it,
    /// `AUTHD_BCRYPT_COST must be …` when the environment did.
    public init(_ layers: SettingLayers) throws(SettingError) {
        var layers = layers
        for setting in Table.all {
            // Every AnySetting is a Setting, which is Resolvable; the split keeps `entry` internal.
            entries[setting.name] = try (setting as! any Resolvable).entry(&layers)
        }
        warnings = layers.warnings
    }

    public subscript<Value>(dynamicMember key: KeyPath<Table, Setting<Value>>) -> Value {
        get { entries[Table()[keyPath: key].name]!.value as! Value }
        set { entries[Table()[keyPath: key].name] = SettingEntry(value: newValue, source: nil) }
    }

    /// Where a setting's value came from; nil for its default (or a value set in code).
    public func source<Value>(of key: KeyPath<Table, Setting<Value>>) -> SettingSource? {
        entries[Table()[keyPath: key].name]?.source
    }

    /// The settings a restart would be needed to apply: those not reloadable whose values differ.
    public func restartOnlyChanges(to new: ResolvedSettings) -> [String] {
        Table.all.filter { !$0.isReloadable && !Self.same(entries[$0.name]!.value, new.entries[$0.name]!.value) }.map(\.key)
    }

    /// `self` with the reloadable settings taken from `new`.
    public func applyingReloadable(from new: ResolvedSettings) -> ResolvedSettings {
        var applied = self
        for setting in Table.all where setting.isReloadable { applied.entries[setting.name] = new.entries[setting.name] }
        return applied
    }

    private static func same<A: Equatable>(_ a: A, _ b: any Sendable & Equatable) -> Bool { (b as? A) == a }

    /// Every setting and its value; a secret or hidden one shows only whether it is set.
    public var description: String {
        Table.all.map { setting in
            var value: Any = entries[setting.name]!.value
            let mirror = Mirror(reflecting: value)
            if mirror.displayStyle == .optional {
                guard let wrapped = mirror.children.first?.value else { return "\(setting.key)=unset" }
                value = wrapped
            }
            return "\(setting.key)=\(setting.isHidden ? "(secret)" : "\(value)")"
        }.joined(separator: " ")
    }
}

/// One setting's value and where it came from (nil: its default, or set in code).
struct SettingEntry: Sendable {
    var value: any Sendable & Equatable
    var source: SettingSource?
}

/// The typed half of resolving, reached from the type-erased table.
protocol Resolvable {
    func entry(_ layers: inout SettingLayers) throws(SettingError) -> SettingEntry
}

extension Setting: Resolvable {
    func entry(_ layers: inout SettingLayers) throws(SettingError) -> SettingEntry {
        guard let found = layers.lookUp(self) else { return SettingEntry(value: defaultValue, source: nil) }
        let (texts, source) = found
        do throws(SettingError.Problem) {
            return SettingEntry(value: try parse(texts), source: source)
        } catch {
            throw SettingError("\(source) \(error.text)")
        }
    }
}
