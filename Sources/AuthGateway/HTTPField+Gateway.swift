import HTTPTypes

/// Header names the gateway uses that HTTPTypes does not predefine.
extension HTTPField.Name {
    static let link = HTTPField.Name("Link")!
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    // Forward authentication (contract §11): what the proxy forwards, what the gateway answers.
    static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    static let xForwardedHost = HTTPField.Name("X-Forwarded-Host")!
    static let xForwardedURI = HTTPField.Name("X-Forwarded-Uri")!
    static let xOriginalURL = HTTPField.Name("X-Original-URL")!
    static let remoteUser = HTTPField.Name("Remote-User")!
    static let remoteEmail = HTTPField.Name("Remote-Email")!
    static let remoteUserID = HTTPField.Name("Remote-User-Id")!
    static let remoteGroups = HTTPField.Name("Remote-Groups")!
    static let remoteSessionID = HTTPField.Name("Remote-Session-Id")!
}
