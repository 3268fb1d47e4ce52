/// The rules of section 4 of the interface contract, with marshmallow's wording
/// where the original schemas had a message.
public enum Validation {
    public static let missing = "Missing data for required field."
    public static let notString = "Not a valid string."
    public static let notInteger = "Not a valid integer."
    public static let positiveID = "Must be a positive id."
    public static let notBoolean = "Not a valid boolean."
    public static let notList = "Not a valid list."
    public static let notObjects = "Each item must be an object."
    public static let notWithUsers = "Not allowed with users."
    public static func tooManyRows(_ limit: Int) -> String { "At most \(limit) users a call." }

    public static let usernameLength = "Length must be between 3 and 80."
    public static let usernameCharacters = "May contain only letters, digits, '.', '_' and '-', and must start with a letter or digit."
    public static let usernameDigits = "Must not consist of digits only."

    public static let emailInvalid = "Not a valid email address."
    public static let emailLength = "Longer than maximum length 120."

    public static let passwordLength = "Shorter than minimum length 8."
    public static let passwordTooLong = "Longer than maximum length 72 bytes."
    public static let passwordNUL = "Must not contain a NUL character."
    public static let passwordLower = "Must contain a lowercase letter."
    public static let passwordUpper = "Must contain an uppercase letter."
    public static let passwordDigit = "Must contain a digit."
    public static let passwordSpecial = "Must contain a special character."

    /// A login's label (a user agent, contract §7).
    public static let labelLength = 200
    public static let labelTooLong = "Longer than maximum length \(labelLength)."

    /// Every rule a username breaks.
    public static func username(_ s: String) -> [String] {
        var out: [String] = []
        let chars = Array(s.unicodeScalars)
        if chars.count < 3 || chars.count > 80 { out.append(usernameLength) }
        let allowed = chars.allSatisfy { isASCIIAlnum($0) || $0 == "." || $0 == "_" || $0 == "-" }
        if !allowed || (chars.first.map { !isASCIIAlnum($0) } ?? false) {
            out.append(usernameCharacters)
        }
        if !chars.isEmpty && chars.allSatisfy({ $0.value >= 48 && $0.value <= 57 }) {
            out.append(usernameDigits)
        }
        return out
    }

    /// Every rule an email address breaks.
    public static func email(_ s: String) -> [String] {
        var out: [String] = []
        if !isEmail(s) { out.append(emailInvalid) }
        if s.unicodeScalars.count > 120 { out.append(emailLength) }
        return out
    }

    /// Every complexity rule a new password breaks. Lengths in characters count code
    /// points, as Python's `len`, marshmallow and JSON Schema do: "\r\n" is two
    /// characters there, though one `Character` (grapheme) in Swift.
    public static func password(_ s: String) -> [String] {
        var out: [String] = []
        if s.unicodeScalars.count < 8 { out.append(passwordLength) }
        if s.utf8.count > 72 { out.append(passwordTooLong) }
        if s.unicodeScalars.contains("\0") { out.append(passwordNUL) }
        var lower = false, upper = false, digit = false, special = false
        for c in s {
            if c.isLowercase { lower = true }
            else if c.isUppercase { upper = true }
            else if c.isNumber { digit = true }
            else if !c.isLetter && !c.isWhitespace && c != "\0" { special = true }
        }
        if !lower { out.append(passwordLower) }
        if !upper { out.append(passwordUpper) }
        if !digit { out.append(passwordDigit) }
        if !special { out.append(passwordSpecial) }
        return out
    }

    /// The values an account's fields were given, each checked against its rules (as
    /// declared: an absent required one is missing); nil where absent or of the wrong type.
    public static func account(
        _ username: Field<String>, _ email: Field<String>, _ password: Field<String>, _ errors: inout FieldErrors
    ) -> (username: String?, email: String?, password: String?) {
        let name = username.read(&errors)
        let address = email.read(&errors)
        let secret = password.read(&errors)
        if let name { errors.add(username.name, Validation.username(name)) }
        if let address { errors.add(email.name, Validation.email(address)) }
        if let secret { errors.add(password.name, Validation.password(secret)) }
        return (name, address, secret)
    }

    /// What a password given at login must satisfy for a hash to be worth computing:
    /// no complexity, only what bcrypt cannot take.
    public static func loginPassword(_ s: String) -> [String] {
        var out: [String] = []
        if s.utf8.count > 72 { out.append(passwordTooLong) }
        if s.unicodeScalars.contains("\0") { out.append(passwordNUL) }
        return out
    }

    private static func isASCIIAlnum(_ c: Unicode.Scalar) -> Bool {
        (c.value >= 48 && c.value <= 57) || (c.value >= 65 && c.value <= 90) || (c.value >= 97 && c.value <= 122)
    }

    /// A practical address check: an ASCII local part of RFC 5322 atoms and a
    /// domain of at least two DNS labels with an alphabetic top level.
    static func isEmail(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let local = parts[0].unicodeScalars, domain = parts[1]
        guard !local.isEmpty, local.count <= 64 else { return false }
        let atext = Set("!#$%&'*+-/=?^_`{|}~".unicodeScalars)
        var previousDot = true
        for c in local {
            if c == "." {
                if previousDot { return false }
                previousDot = true
            } else if isASCIIAlnum(c) || atext.contains(c) {
                previousDot = false
            } else {
                return false
            }
        }
        if previousDot { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, domain.count <= 253 else { return false }
        for label in labels {
            let l = label.unicodeScalars
            guard !l.isEmpty, l.count <= 63, l.first != "-", l.last != "-",
                  l.allSatisfy({ isASCIIAlnum($0) || $0 == "-" }) else { return false }
        }
        let tld = labels.last!.unicodeScalars
        return tld.count >= 2 && tld.allSatisfy { ($0.value | 0x20) >= 97 && ($0.value | 0x20) <= 122 }
    }
}
