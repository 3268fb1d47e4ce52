import AuthCore
import AuthInterface
import AuthJSON
import Logging

/// Turns one line of JSON-RPC into calls on the domain and the answers back into
/// JSON: single requests, notifications and batches.
public struct RPCDispatcher: Sendable {
    let service: AuthService
    let logger: Logger
    let metrics: RequestMetrics
    /// Who may read metrics, as the last reload left it.
    let settings: ReloadableSettings
    let startedAt: ContinuousClock.Instant

    public init(service: AuthService, logger: Logger, metrics: RequestMetrics) {
        self.init(service: service, logger: logger, metrics: metrics, settings: ReloadableSettings())
    }

    init(service: AuthService, logger: Logger, metrics: RequestMetrics, settings: ReloadableSettings) {
        self.service = service
        self.logger = logger
        self.metrics = metrics
        self.settings = settings
        self.startedAt = .now
    }

    /// One response, before it is written.
    typealias Answer = (id: JSON, outcome: Result<JSON, RPCError>)

    /// The response to one line as the UTF-8 text to send (without the newline), or nil
    /// when nothing is to be sent (notifications).
    public func handle(_ line: some Collection<UInt8>, caller: Caller) async -> [UInt8]? {
        switch prepare(line, caller: caller) {
        case .answered(let answer): return answer
        case .parsed(let json): return await handle(parsed: json, caller: caller)
        }
    }

    /// What `prepare` made of a line.
    public enum Prepared: Sendable {
        /// The answer (nil: nothing to send), with no waiting.
        case answered([UInt8]?)
        /// The request, for `handle(parsed:caller:)`.
        case parsed(JSON)
    }

    /// `prepare` for any collection of bytes.
    func prepare(_ line: some Collection<UInt8>, caller: Caller) -> Prepared {
        line.withContiguousStorageIfAvailable { prepare($0, caller: caller) }
            ?? Array(line).withUnsafeBufferPointer { prepare($0, caller: caller) }
    }

    /// Reads a line and answers it at once when it can, on the caller's thread: a line
    /// that is not JSON, and a token check that memory answers (the common case), which
    /// then needs no task. Never blocks.
    public func prepare(_ line: UnsafeBufferPointer<UInt8>, caller: Caller) -> Prepared {
        let json: JSON
        do {
            json = try JSONParser.parse(buffer: line)
        } catch {
            metrics.record(method: "-", outcome: RPCErrorCode.parseError.rawValue)
            return .answered(Self.text([(.null, .failure(RPCError(.parseError, "Parse error: \(error.message)")))]))
        }
        guard case .success(let request) = RPCRequest.parse(json), request.method == RPCMethod.verify.rawValue,
              let id = request.id, case .string(let token)? = request.params[ParamSpec.token.name]
        else { return .parsed(json) }
        let start = ContinuousClock.now
        guard let status = service.verifyFromMemory(token: token) else { return .parsed(json) }
        let result = Result<JSON, RPCError>.success(Self.verifyResult(status))
        finished(.verify, result, caller: caller, start: start)
        return .answered(Self.text([(id, result)]))
    }

    /// The rest of `handle` for a line `prepare` could not answer.
    public func handle(parsed json: JSON, caller: Caller) async -> [UInt8]? {
        guard case .array(let items) = json else {
            return await single(json, caller: caller).map { Self.text([$0]) }
        }
        return await batch(items, caller: caller)
    }

    /// Response objects, one after another (a batch adds the brackets).
    static func text(_ answers: [Answer]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        for (index, answer) in answers.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            RPCResponse.response(id: answer.id, answer.outcome).write(to: &out)
        }
        return out
    }

    func single(_ json: JSON, caller: Caller) async -> Answer? {
        switch RPCRequest.parse(json) {
        case .failure(let failure):
            metrics.record(method: "-", outcome: failure.error.code)
            if failure.notification { return nil }
            return (failure.id, .failure(failure.error))
        case .success(let request):
            let outcome = await call(request, caller: caller)
            guard let id = request.id else { return nil }
            return (id, outcome)
        }
    }

    /// Runs one request; every failure becomes an error object that is safe to send.
    func call(_ request: RPCRequest, caller: Caller) async -> Result<JSON, RPCError> {
        let start = ContinuousClock.now
        let result: Result<JSON, RPCError>
        let method = RPCMethod(rawValue: request.method)
        if let method {
            do {
                result = .success(try await perform(method, Params(method, request.params), caller: caller))
            } catch let error as AuthError {
                if error.kind == .internal { logger.error("\(request.method) failed: \(error.message)") }
                result = .failure(RPCError(error))
            } catch let error as RPCError {
                result = .failure(error)
            } catch {
                // Details (SQL, paths) stay in the log; the client learns only that it failed.
                logger.error("\(request.method) failed: \(String(describing: error))")
                result = .failure(RPCError(.internalError))
            }
        } else {
            result = .failure(RPCError(.methodNotFound, "Method not found: \(request.method.prefix(100))"))
        }
        finished(method, result, caller: caller, start: start)
        return result
    }

    /// Counts and logs one answered call.
    private func finished(_ method: RPCMethod?, _ result: Result<JSON, RPCError>, caller: Caller, start: ContinuousClock.Instant) {
        let code: Int
        switch result {
        case .success: code = 0
        case .failure(let e): code = e.code
        }
        let name = method?.rawValue ?? "unknown"
        let duration = ContinuousClock.now - start
        if let method {
            metrics.record(method: method, outcome: code, duration: duration)
        } else {
            metrics.record(method: name, outcome: code, duration: duration)
        }
        let elapsed = duration.components
        logger.debug("request", metadata: [
            "method": "\(name)", "outcome": "\(code)", "peer_uid": "\(caller.uid.map { String($0) } ?? "-")",
            "duration_us": "\(elapsed.seconds * 1_000_000 + elapsed.attoseconds / 1_000_000_000_000)",
        ])
    }

    var uptimeSeconds: Int64 { (ContinuousClock.now - startedAt).components.seconds }
}
