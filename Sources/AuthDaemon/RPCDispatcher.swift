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

    /// The response to one line, or nil when nothing is to be sent (notifications).
    public func handle(_ line: some Collection<UInt8>, caller: Caller) async -> JSON? {
        let json: JSON
        do {
            let parsed = line.withContiguousStorageIfAvailable { bytes in
                Result { () throws(JSONParseError) in try JSONParser.parse(buffer: bytes) }
            }
            json = try (parsed ?? Result { () throws(JSONParseError) in try JSONParser.parse(Array(line)) }).get()
        } catch {
            metrics.record(method: "-", outcome: RPCErrorCode.parseError.rawValue)
            return RPCResponse.failure(id: .null, error: RPCError(.parseError, "Parse error: \(error.message)"))
        }
        guard case .array(let items) = json else { return await single(json, caller: caller) }
        if items.isEmpty {
            return RPCResponse.failure(id: .null, error: RPCError(.invalidRequest, "Empty batch"))
        }
        // Batch members run concurrently; answers keep the request order.
        let answers = await withTaskGroup(of: (Int, JSON?).self) { group in
            for (index, item) in items.enumerated() {
                group.addTask { (index, await single(item, caller: caller)) }
            }
            var out = [JSON?](repeating: nil, count: items.count)
            for await (index, answer) in group { out[index] = answer }
            return out
        }
        let responses = answers.compactMap { $0 }
        return responses.isEmpty ? nil : .array(responses)
    }

    private func single(_ json: JSON, caller: Caller) async -> JSON? {
        switch RPCRequest.parse(json) {
        case .failure(let failure):
            metrics.record(method: "-", outcome: failure.error.code)
            if failure.notification { return nil }
            return RPCResponse.failure(id: failure.id, error: failure.error)
        case .success(let request):
            let outcome = await call(request, caller: caller)
            guard let id = request.id else { return nil }
            switch outcome {
            case .success(let result): return RPCResponse.success(id: id, result: result)
            case .failure(let error): return RPCResponse.failure(id: id, error: error)
            }
        }
    }

    /// Runs one request; every failure becomes an error object that is safe to send.
    func call(_ request: RPCRequest, caller: Caller) async -> Result<JSON, RPCError> {
        let start = ContinuousClock.now
        let result: Result<JSON, RPCError>
        let method = RPCMethod(rawValue: request.method)
        if let method {
            do {
                result = .success(try await perform(method, Params(request.params), caller: caller))
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
        let code: Int
        switch result {
        case .success: code = 0
        case .failure(let e): code = e.code
        }
        let name = method?.rawValue ?? "unknown"
        let duration = ContinuousClock.now - start
        metrics.record(method: name, outcome: code, duration: duration)
        let elapsed = duration.components
        logger.debug("request", metadata: [
            "method": "\(name)", "outcome": "\(code)", "peer_uid": "\(caller.uid.map { String($0) } ?? "-")",
            "duration_us": "\(elapsed.seconds * 1_000_000 + elapsed.attoseconds / 1_000_000_000_000)",
        ])
        return result
    }

    var uptimeSeconds: Int64 { (ContinuousClock.now - startedAt).components.seconds }
}
