import AuthCore
import AuthCrypto
import AuthDaemon
import AuthJSON
import AuthWire
import CFuzzer
import Foundation
import Logging
import NIOCore
import NIOEmbedded

/// libFuzzer over the request path: bytes are framed into lines, each line is parsed
/// as JSON-RPC, its params decoded and validated by the real dispatcher and domain.
/// Only storage and hashing are stand-ins (`FuzzStore`, `FuzzHasher`), so that the
/// fuzzer spends its time on parsing and validation.
enum Fuzz {
    static let dispatcher: RPCDispatcher = {
        let service = AuthService(store: FuzzStore(), hasher: FuzzHasher(),
                                  tokens: try! HS256Codec(secret: Array(repeating: 0x6B, count: 32)),
                                  factors: try! MFACodec(key: Array(repeating: 0x4D, count: 32)))
        var logger = Logger(label: "fuzz")
        logger.logLevel = .critical
        return RPCDispatcher(service: service, logger: logger, metrics: RequestMetrics.shared)
    }()

    static func one(_ bytes: UnsafeBufferPointer<UInt8>) {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(LineFrameDecoder(maxLength: 4096)))
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        _ = try? channel.writeInbound(buffer)
        _ = try? channel.finish()
        var lines: [[UInt8]] = []
        while let frame = try? channel.readInbound(as: Frame.self) {
            if case .line(let line) = frame { lines.append(Array(line.readableBytesView)) }
        }
        guard !lines.isEmpty else { return }
        let done = DispatchSemaphore(value: 0)
        let callers = [Caller(uid: 1000, isPrivileged: false), Caller(uid: 0, isPrivileged: true)]
        Task {
            for line in lines {
                for caller in callers {
                    if let answer = await dispatcher.handle(line, caller: caller) {
                        // Every answer must itself be valid JSON.
                        precondition((try? JSONParser.parse(answer)) != nil, "unparsable answer")
                    }
                }
            }
            done.signal()
        }
        done.wait()
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    Fuzz.one(UnsafeBufferPointer(start: data, count: size))
    return 0
}

@_cdecl("authd_fuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOne(data, size) }
}
