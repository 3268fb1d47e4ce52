import AuthCore
import AuthInterface
import AuthJSON

/// Batches, bounded: a batch is one line, but each member is a request, so a small line
/// must not buy unbounded work or an unbounded answer.
extension RPCDispatcher {
    /// Most members one batch may have; a longer batch is refused whole (-32600).
    static let maxBatchMembers = 100
    /// Most bytes of member answers one batch answer may carry. Answers are kept in
    /// request order; once the next one would pass this, it and every later one are
    /// replaced by -32600 with status 413, so the client learns which members ran
    /// without being sent more (the members did run: they were concurrent).
    static let maxBatchAnswerBytes = 1 << 20

    /// How many requests a line counts as against a connection's pending limit: a
    /// batch's members, or 1 (a single request, or a batch refused whole).
    static func weight(of request: JSON) -> Int {
        guard case .array(let items) = request, items.count <= maxBatchMembers else { return 1 }
        return max(1, items.count)
    }

    func batch(_ items: [JSON], caller: Caller) async -> [UInt8]? {
        if items.isEmpty {
            return Self.text([(.null, .failure(RPCError(.invalidRequest, "Empty batch")))])
        }
        guard items.count <= Self.maxBatchMembers else {
            metrics.record(method: "-", outcome: RPCErrorCode.invalidRequest.rawValue)
            let message = "Batch of \(items.count) requests; at most \(Self.maxBatchMembers) are allowed"
            return Self.text([(.null, .failure(RPCError(.invalidRequest, message)))])
        }
        // Members run concurrently; each answer is written out as it arrives, so that
        // only its bytes are kept while the others finish.
        let answers = await withTaskGroup(of: (Int, Answer?).self) { group in
            for (index, item) in items.enumerated() {
                group.addTask { (index, await single(item, caller: caller)) }
            }
            var out = [(id: JSON, bytes: [UInt8])?](repeating: nil, count: items.count)
            for await (index, answer) in group {
                out[index] = answer.map { (id: $0.id, bytes: Self.text([$0])) }
            }
            return out.compactMap { $0 }
        }
        guard !answers.isEmpty else { return nil }
        var text: [UInt8] = [UInt8(ascii: "[")]
        var budget = Self.maxBatchAnswerBytes
        for (index, answer) in answers.enumerated() {
            if index > 0 { text.append(UInt8(ascii: ",")) }
            if answer.bytes.count <= budget {
                budget -= answer.bytes.count
                text += answer.bytes
            } else {
                budget = 0
                let error = RPCError(.invalidRequest, "Batch answer larger than \(Self.maxBatchAnswerBytes) bytes", status: 413)
                text += Self.text([(answer.id, .failure(error))])
            }
        }
        text.append(UInt8(ascii: "]"))
        return text
    }
}
