import HTTPTypes

/// Header names the gateway uses that HTTPTypes does not predefine.
extension HTTPField.Name {
    static let link = HTTPField.Name("Link")!
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
