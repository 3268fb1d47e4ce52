import ArgumentParser
import AuthInterface
import AuthJSON
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `authctl user import [FILE]`: adds users with their existing password hashes (and ids),
/// as exported from the Flask app or by `authctl user export`. The file is streamed, and
/// sent in batches of users.import calls, several in flight at once.
struct UserImportCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import users with existing password hashes (privileged callers only).",
        discussion: """
            Reads JSON lines (objects with username, email, password_hash and optionally \
            id and created_at) or CSV with a header naming those columns, as `authctl user \
            export` writes them. A row's id is kept as the user's id, so that tokens issued \
            before the move still name the same person. Prints each refused row, a progress \
            line on a terminal, and a summary; with --json, one line a row. The status is 1 \
            if any row was refused.
            """
    )

    /// Batches sent before the first answer is awaited.
    static let inFlight = 4
    /// A batch is cut before its request grows past this, well under authd's default
    /// --max-request-bytes.
    static let batchBytes = 512 << 10
    /// How often a batch is sent again when authd says to retry.
    static let retries = 5

    @OptionGroup var options: GlobalOptions

    @Flag(help: ArgumentHelp("Skip, rather than refuse, a user already there with the same username, email and hash "
                             + "(and id), so that rerunning an interrupted import finishes it."))
    var skipExisting = false

    @Flag(help: "Check every row as the import would, and import none.")
    var dryRun = false

    @Option(help: ArgumentHelp("Users a call, 1–\(ImportLimits.batch).", valueName: "n"))
    var batchSize = ImportLimits.batch

    @Argument(help: ArgumentHelp("The file to read; stdin when absent or -.", valueName: "file"), completion: .file())
    var file: String?

    func validate() throws {
        guard (1...ImportLimits.batch).contains(batchSize) else {
            throw ValidationError("--batch-size must be from 1 to \(ImportLimits.batch)")
        }
    }

    func run() throws {
        let input = try ImportFile(descriptor: openInput())
        let daemon = try options.connect()
        var run = ImportRun(command: self, daemon: daemon, input: input)
        try run.all()
    }

    private func openInput() throws(ControlError) -> Int32 {
        guard let file, file != "-" else { return STDIN_FILENO }
        // open(2) rather than Foundation, for the plain strerror message users know.
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .usage("cannot read \(file): \(String(cString: strerror(errno)))") }
        return fd
    }
}

/// The batch limit of users.import, as the interface declares it.
enum ImportLimits {
    static var batch: Int {
        guard case .objects(let maximum) = ParamSpec.users.kind else { return 1 }
        return maximum
    }
}

/// One import: batches sent ahead, answered in file order.
private struct ImportRun {
    let command: UserImportCommand
    let daemon: Daemon
    let input: ImportFile
    private var queue: [Batch] = []
    private var answers: [Int: Result<JSON, RPCError>] = [:]
    /// Answers are read on a thread of their own: a batch being sent while authd writes the
    /// answers to earlier ones would otherwise wait on a full socket both ways.
    /// Started with the first batch, after the one plain call (the warning's users.list).
    private var reader: AnswerReader?
    private var counts = (rows: 0, imported: 0, skipped: 0, refused: 0)
    /// The caller may not import at all, or authd asks to retry: the status says so (77, 75).
    private var decisive: RPCError?
    private let started = Date()
    private var shown = Date.distantPast
    private let showsProgress = isatty(STDERR_FILENO) == 1

    /// The rows of one call, and unreadable rows met among them (reported in place).
    private struct Batch {
        var rows: [ImportRow] = []
        var bytes = 0
        var id: Int?
        var params: [String: JSON] = [:]
        var retries = 0
        var sendable: [[String: JSON]] {
            rows.compactMap { if case .params(let p) = $0.content { p } else { nil } }
        }
    }

    init(command: UserImportCommand, daemon: Daemon, input: ImportFile) {
        self.command = command
        self.daemon = daemon
        self.input = input
    }

    mutating func all() throws {
        var batch = Batch()
        var warned = false
        while let row = try input.next() {
            if !warned {
                warned = true
                try warnIfIDsAreMissing()
            }
            batch.rows.append(row)
            if case .params(let params) = row.content { batch.bytes += params.reduce(64) { $0 + $1.key.utf8.count + ($1.value.string?.utf8.count ?? 24) } }
            if batch.sendable.count >= command.batchSize || batch.bytes >= UserImportCommand.batchBytes {
                try send(batch)
                batch = Batch()
            }
        }
        try send(batch)
        while !queue.isEmpty { try awaitAnswer() }
        try finish()
    }

    /// Without ids every user gets a new one: tokens issued before the move, whose `sub` is
    /// the old id, would then name whoever has that number here.
    private func warnIfIDsAreMissing() throws {
        guard input.hasIDs == false, !command.dryRun else { return }
        let page = try? daemon.call(.usersList, RPCMethod.usersList.params([.limit: 1]))
        guard page?["users"]?.array?.isEmpty == false else { return }
        FileHandle.standardError.write(Data("""
            authctl: warning: the file has no id column and authd already has users: the imported users get new ids, \
            so tokens issued for their old ids (the JWT sub) would name other users

            """.utf8))
    }

    private mutating func send(_ batch: Batch) throws {
        guard !batch.rows.isEmpty else { return }
        var batch = batch
        let rows = batch.sendable
        if !rows.isEmpty {
            var params = RPCMethod.usersImport.params([.users: .array(rows.map(JSON.object))])
            if command.skipExisting { params[ParamSpec.skipExisting.name] = true }
            if command.dryRun { params[ParamSpec.dryRun.name] = true }
            batch.params = params
            if reader == nil { reader = AnswerReader(daemon) }
            batch.id = try daemon.start(.usersImport, params)
        }
        queue.append(batch)
        // Keep a few in flight: the next batch is read and sent while authd writes this one.
        while queue.filter({ $0.id != nil && answers[$0.id!] == nil }).count >= UserImportCommand.inFlight { try awaitAnswer() }
        try report()
    }

    /// Reads one answer, then reports every batch at the front of the queue that is answered.
    private mutating func awaitAnswer() throws {
        if queue.contains(where: { $0.id != nil && answers[$0.id!] == nil }) {
            guard let reader else { return }
            let (id, outcome) = try reader.next()
            guard let id else { throw ControlError.unreachable("bad answer from authd: \(outcome)", hint: nil) }
            // authd asks to retry (its storage busy or away for a moment): the batch is sent again, a few times.
            if case .failure(let error) = outcome, error.code == RPCErrorCode.unavailable.rawValue,
               let index = queue.firstIndex(where: { $0.id == id }), queue[index].retries < UserImportCommand.retries {
                let wait = error.data["retry_after"]?.int64 ?? 1
                usleep(UInt32(min(max(wait, 1), 30)) * 1_000_000)
                queue[index].retries += 1
                queue[index].id = try daemon.start(.usersImport, queue[index].params)
                return
            }
            answers[id] = outcome
        }
        try report()
    }

    private mutating func report() throws {
        while let first = queue.first {
            if let id = first.id, answers[id] == nil { break }
            queue.removeFirst()
            let outcome = first.id.flatMap { answers.removeValue(forKey: $0) }
            var results: [JSON] = []
            if case .success(let answer)? = outcome { results = answer["results"]?.array ?? [] }
            var next = results.makeIterator()
            for row in first.rows {
                switch row.content {
                case .unreadable: line(row, nil)
                case .params:
                    switch outcome {
                    case .success?: line(row, next.next().map { Result.success($0) })
                    case .failure(let error)?: line(row, .failure(error))
                    case nil: line(row, nil)
                    }
                }
            }
        }
        progress()
    }

    /// Counts and prints one row's outcome: its error lies inside the result (`{"error"}`)
    /// or is the whole call's.
    private mutating func line(_ row: ImportRow, _ outcome: Result<JSON, RPCError>?) {
        counts.rows += 1
        var outcome = outcome
        if case .success(let result)? = outcome, let error = result["error"].flatMap(RPCError.init(json:)) { outcome = .failure(error) }
        switch outcome {
        case .success(let result)?:
            if result["skipped"] == true { counts.skipped += 1 } else { counts.imported += 1 }
        case .failure(let error)?:
            counts.refused += 1
            if decisive == nil, [.forbidden, .tooManyAttempts, .unavailable].contains(RPCErrorCode(rawValue: error.code)) { decisive = error }
        case nil: counts.refused += 1
        }
        if let style = command.options.json {
            clearProgress()
            print((style == .pretty ? JSONStyle.pretty : .short).format(json(row, outcome)))
        } else if let text = text(row, outcome) {
            clearProgress()
            print(text)
        }
    }

    /// `refused bob: <why>` on one line; nothing for a row that went in.
    private func text(_ row: ImportRow, _ outcome: Result<JSON, RPCError>?) -> String? {
        switch (row.content, outcome) {
        case (.unreadable(let reason), _) where row.name == "line \(row.line)": "refused \(row.name): \(reason)"
        case (.unreadable(let reason), _): "refused \(row.name): line \(row.line): \(reason)"
        case (_, .success?): nil
        case (_, .failure(let error)?): "refused \(row.name): \(ControlError.describe(error, separator: "; "))"
        case (.params, nil): "refused \(row.name)"
        }
    }

    /// Shaped like a JSON-RPC response, with the row's line and username in place of an id:
    /// `{"line", "username", "result": User}` or `{"line", "username", "error": {...}}`.
    private func json(_ row: ImportRow, _ outcome: Result<JSON, RPCError>?) -> JSON {
        var object: [String: JSON] = ["line": .int(row.line), "username": .string(row.name)]
        switch (row.content, outcome) {
        case (.unreadable(let reason), _):
            object["error"] = RPCError(.invalidParams, reason, data: [:]).json
        case (_, .success(let user)?): object["result"] = user
        case (_, .failure(let error)?): object["error"] = error.json
        case (.params, nil): break
        }
        return .object(object)
    }

    /// `12000 rows  15234/s  0:42 left` on stderr, a few times a second, on a terminal only.
    private mutating func progress() {
        guard showsProgress, Date().timeIntervalSince(shown) >= 0.25 else { return }
        shown = Date()
        let elapsed = max(Date().timeIntervalSince(started), 0.001)
        let rate = Double(counts.rows) / elapsed
        var text = "\(counts.rows) rows  \(Int(rate))/s"
        if let (read, total) = input.progress, read > 0, total > read {
            let left = Int(elapsed * Double(total - read) / Double(read))
            text += String(format: "  %d:%02d left", left / 60, left % 60)
        }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
    }

    private func clearProgress() {
        if showsProgress, shown != .distantPast { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    private func finish() throws {
        clearProgress()
        let seconds = Date().timeIntervalSince(started)
        let verb = command.dryRun ? "would import" : "imported"
        let summary = "\(verb) \(counts.imported), skipped \(counts.skipped), refused \(counts.refused) of \(counts.rows) rows in "
            + String(format: "%.1f s (%.0f rows/s)", seconds, Double(counts.rows) / max(seconds, 0.001))
        if let decisive, counts.refused == counts.rows { throw ControlError.daemon(decisive) }
        if counts.refused > 0 { throw ControlError.refused(summary) }
        if command.options.json == nil { FileHandle.standardError.write(Data("authctl: \(summary)\n".utf8)) }
    }
}

/// Reads authd's answers as they come, on its own thread, for `next()` to hand out in order.
private final class AnswerReader: @unchecked Sendable {
    // @unchecked: `received` is guarded by `lock`; `daemon` is used here only to receive,
    // while the command's thread only sends on it (a socket may be read and written at once).
    private let lock = NSCondition()
    private var received: [Result<(id: Int?, outcome: Result<JSON, RPCError>), ControlError>] = []
    private let daemon: Daemon

    init(_ daemon: Daemon) {
        self.daemon = daemon
        let thread = Thread { [self] in
            while true {
                let answer: Result<(id: Int?, outcome: Result<JSON, RPCError>), ControlError>
                do { answer = .success(try self.daemon.answer()) } catch let error as ControlError { answer = .failure(error) } catch {
                    answer = .failure(.unreachable("\(error)", hint: nil))
                }
                lock.lock()
                received.append(answer)
                lock.signal()
                lock.unlock()
                if case .failure = answer { return }
            }
        }
        thread.start()
    }

    func next() throws -> (id: Int?, outcome: Result<JSON, RPCError>) {
        lock.lock()
        defer { lock.unlock() }
        while received.isEmpty { lock.wait() }
        return try received.removeFirst().get()
    }
}
