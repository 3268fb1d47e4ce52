import AuthJSON
import AuthTestSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One HTTP response as it came off the wire.
struct HTTPReply: CustomStringConvertible {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var json: JSON { (try? JSONParser.parse(body)) ?? .null }
    var text: String { String(decoding: body, as: UTF8.self) }
    var description: String { "\(status) \(text)" }
}

/// A deliberately raw HTTP/1.1 client: one request per connection, exactly the bytes the
/// test chooses (no content type unless given, any method, oversized bodies), so that what
/// the gateway sees is what a careless client could send.
struct HTTPTestClient: Sendable {
    let port: Int

    func request(_ method: String, _ path: String, headers: [String: String] = [:], body: String? = nil) throws -> HTTPReply {
        try request(method, path, headers: headers, bodyBytes: body.map { Array($0.utf8) })
    }

    /// A JSON body with its content type.
    func json(_ method: String, _ path: String, _ value: JSON, headers: [String: String] = [:]) throws -> HTTPReply {
        var headers = headers
        headers["Content-Type"] = "application/json"
        return try request(method, path, headers: headers, bodyBytes: value.serialized())
    }

    /// Sends the start of a request and never the rest, like a slow or stalled client; returns
    /// how long the server kept the connection open, or nil if still open after `patience`.
    func stall(sending partial: String, patience: Int) throws -> Duration? {
        let fd = try connected()
        defer { close(fd) }
        var timeout = timeval(tv_sec: patience, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let start = ContinuousClock.now
        _ = Array(partial.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) < 0 ? nil : ContinuousClock.now - start
    }

    private func connected() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSetupError(description: "socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw TestSetupError(description: "cannot connect to 127.0.0.1:\(port)")
        }
        return fd
    }

    func request(_ method: String, _ path: String, headers: [String: String], bodyBytes: [UInt8]?) throws -> HTTPReply {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        if let bodyBytes, headers["Content-Length"] == nil, headers["Transfer-Encoding"] == nil { head += "Content-Length: \(bodyBytes.count)\r\n" }
        return try exchange(Array((head + "\r\n").utf8) + (bodyBytes ?? []))
    }

    /// Sends `bytes` as they are, then reads the answer until the gateway closes.
    func exchange(_ bytes: [UInt8]) throws -> HTTPReply {
        let fd = try connected()
        defer { close(fd) }
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            // The server may answer (413) and close before taking the whole body.
            if n <= 0 { break }
            offset += n
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            received += chunk[..<n]
        }
        return try Self.parse(received)
    }

    static func parse(_ bytes: [UInt8]) throws -> HTTPReply {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, bytes.count - 3)).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else {
            throw TestSetupError(description: "no HTTP response: \(String(decoding: bytes, as: UTF8.self))")
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw TestSetupError(description: "bad status line: \(lines[0])")
        }
        let headers = lines.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var body = Array(bytes[(end + 4)...])
        if let length = headers.first(where: { $0.0.lowercased() == "content-length" }).flatMap({ Int($0.1) }) {
            body = Array(body.prefix(length))
        }
        return HTTPReply(status: status, headers: headers.map { (name: $0.0, value: $0.1) }, body: body)
    }
}
