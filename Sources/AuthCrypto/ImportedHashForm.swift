/// Which imported crypt(5) strings authd accepts, judged from their form alone (contract
/// §10): no hash is computed, so a hostile import cannot pin a hash thread, and every
/// method's cost is capped so that no login for an imported account costs more than a
/// few times a configured one.
public struct ImportedHashForm: Sendable {
    /// The highest bcrypt cost accepted.
    public var bcryptCostCap: Int
    /// DES and MD5 crypt, re-hashed at the next login.
    public var allowsWeak: Bool

    /// The default cap is max(configured + 2, 14), so Flask-Bcrypt's cost-12 hashes always import.
    public init(configuredCost: Int, bcryptCostCap: Int? = nil, allowsWeak: Bool = false) {
        self.bcryptCostCap = bcryptCostCap ?? max(configuredCost + 2, 14)
        self.allowsWeak = allowsWeak
    }

    /// sha-crypt's `rounds=` cap: 5,000 rounds (its default) cost about what bcrypt cost 8
    /// does, and both double alike.
    var shaRoundsCap: Int { 5_000 << max(0, min(bcryptCostCap - 8, 20)) }
    /// yescrypt's and scrypt's memory cap, as log2 N (libxcrypt's default yescrypt is N = 2^12).
    static let memoryLog2Cap = 14
    /// The largest block size r accepted (yescrypt's default is 32), and r·p for scrypt.
    static let blockCap = 32

    static let alphabet = Array("./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// Why the hash is refused; nil when it is accepted.
    public func refusal(_ hash: String) -> String? {
        let parts = hash.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        if !hash.hasPrefix("$") {
            guard hash.utf8.count == 13, Self.isBase64(hash) else { return Self.unknown }
            return allowsWeak ? nil : Self.weak("DES crypt")
        }
        guard parts.count >= 4, parts[0].isEmpty else { return Self.unknown }
        switch parts[1] {
        case "2a", "2b", "2y": return bcrypt(parts)
        case "5": return shaCrypt(parts, checksum: 43)
        case "6": return shaCrypt(parts, checksum: 86)
        case "y": return yescrypt(parts)
        case "7": return scrypt(parts)
        case "1":
            guard parts.count == 4, (1...8).contains(parts[2].utf8.count), Self.isSalt(parts[2]),
                  parts[3].utf8.count == 22, Self.isBase64(parts[3]) else { return Self.unknown }
            return allowsWeak ? nil : Self.weak("MD5 crypt")
        default: return Self.unknown
        }
    }

    private func bcrypt(_ parts: [String]) -> String? {
        guard parts.count == 4, parts[2].utf8.count == 2, let cost = Int(parts[2]), parts[3].utf8.count == 53,
              Self.isBase64(parts[3]) else { return Self.unknown }
        guard cost >= 4 else { return Self.unknown }
        return cost <= bcryptCostCap ? nil : "bcrypt cost \(cost) is above the import cap of \(bcryptCostCap)."
    }

    /// `$5$` / `$6$`, optional `rounds=N$`, a salt of up to 16 characters, the checksum.
    private func shaCrypt(_ parts: [String], checksum: Int) -> String? {
        var rest = parts[2...]
        if let first = rest.first, first.hasPrefix("rounds=") {
            guard let rounds = Int(first.dropFirst(7)), rounds >= 1 else { return Self.unknown }
            if rounds > shaRoundsCap { return "sha-crypt rounds=\(rounds) is above the import cap of \(shaRoundsCap)." }
            rest = rest.dropFirst()
        }
        guard rest.count == 2, rest.first!.utf8.count <= 16, Self.isSalt(rest.first!), rest.last!.utf8.count == checksum,
              Self.isBase64(rest.last!) else { return Self.unknown }
        return nil
    }

    /// `$y$` flavor, log2 N − 1, r − 1 (one character each: longer parameter strings add
    /// costs this does not weigh), salt, 43-character checksum.
    private func yescrypt(_ parts: [String]) -> String? {
        guard parts.count == 5, Self.isBase64(parts[3]), parts[4].utf8.count == 43, Self.isBase64(parts[4]) else { return Self.unknown }
        let params = Array(parts[2].utf8)
        guard params.count == 3, params[0] == UInt8(ascii: "j"), let n = Self.index(params[1]), let r = Self.index(params[2]) else {
            return "yescrypt parameters '\(parts[2])' are not ones authd weighs."
        }
        return n + 1 <= Self.memoryLog2Cap && r + 1 <= Self.blockCap ? nil : "yescrypt parameters '\(parts[2])' are above the import cap."
    }

    /// `$7$`, log2 N (one character), r and p (five characters each, little-endian), salt `$` checksum.
    private func scrypt(_ parts: [String]) -> String? {
        guard parts.count == 4, parts[3].utf8.count == 43, Self.isBase64(parts[3]) else { return Self.unknown }
        let head = Array(parts[2].utf8)
        guard head.count > 11, let n = Self.index(head[0]), let r = Self.number(head[1..<6]), let p = Self.number(head[6..<11]) else {
            return Self.unknown
        }
        return n <= Self.memoryLog2Cap && r * p <= Self.blockCap && r > 0 && p > 0 ? nil : "scrypt parameters are above the import cap."
    }

    static let unknown = "Not a password hash this system can verify."

    static func weak(_ method: String) -> String {
        "\(method) is weak; it is imported only with --allow-weak-import yes."
    }

    static func index(_ byte: UInt8) -> Int? { alphabet.firstIndex(of: byte) }

    static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for (shift, byte) in bytes.enumerated() {
            guard let digit = index(byte) else { return nil }
            value |= digit << (6 * shift)
        }
        return value
    }

    static func isBase64(_ text: String) -> Bool { !text.isEmpty && text.utf8.allSatisfy { alphabet.contains($0) } }

    /// crypt salts: anything but `$`, `:`, whitespace and control characters.
    static func isSalt(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "$") && $0 != UInt8(ascii: ":") }
    }
}
