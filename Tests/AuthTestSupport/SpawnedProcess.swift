import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which the Glibc module does not export.
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func closeFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ lowest: Int32) -> Int32

/// glibc's `posix_spawn_file_actions_addchdir_np` (2.29+), likewise not exported.
@_silgen_name("posix_spawn_file_actions_addchdir_np")
private func changeDirectory(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: UnsafePointer<CChar>) -> Int32

/// A child of the test run, started with posix_spawn instead of Foundation's `Process`.
/// Some programs close the descriptors they inherit, as systemd-socket-activate does, and
/// Foundation learns
/// of a child's exit from a descriptor the child inherits; when the child closes it early,
/// Foundation's monitor thread blocks in wait4 on that child until it really exits, and
/// meanwhile no other `Process` in the test run is seen to exit (observed: every
/// `waitUntilExit` in the run hung). This also starts the child with no signals blocked,
/// where a `Process` inherits the test runner's blocked SIGTERM.
public final class SpawnedProcess: @unchecked Sendable {
    // @unchecked: each test drives its children from one task at a time.
    public let pid: pid_t
    private var exitStatus: Int32?

    /// - Parameter directory: the child's working directory; the test runner's when nil.
    public init(_ executable: String, _ arguments: [String], log: String, environment extra: [String: String] = [:],
                directory: String? = nil) throws
    {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of the test runner's: a copy of another child's exit descriptor
        // would hide that child's exit from Foundation for as long as this one lives.
        _ = closeFrom(&actions, 3)
        if let directory { _ = changeDirectory(&actions, directory) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var environment = ProcessInfo.processInfo.environment
        for name in ["LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "NOTIFY_SOCKET", "AUTHD_GATEWAY_LISTEN", "AUTHD_GATEWAY_CORS_ORIGINS"] {
            environment.removeValue(forKey: name)
        }
        environment.merge(extra) { _, new in new }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw TestSetupError(description: "cannot start \(executable): \(String(cString: strerror(rc)))") }
        self.pid = pid
    }

    public var isRunning: Bool {
        if exitStatus != nil { return false }
        var status: Int32 = 0
        switch waitpid(pid, &status, WNOHANG) {
        case pid: exitStatus = Self.decode(status)
        // Reaped by someone else: gone, with its status unknown.
        case -1 where errno == ECHILD: exitStatus = -1
        default: return true
        }
        return false
    }

    /// Waits for a child that ends by itself (up to 30 s, then it is stopped); its exit status.
    public func exitStatus() async -> Int32 {
        for _ in 0..<1500 where isRunning {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return stop()
    }

    /// Blocks until the child ends by itself (a tool run to completion); its exit status.
    public func waitUntilExit() -> Int32 {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        var reaped = waitpid(pid, &status, 0)
        while reaped == -1 && errno == EINTR { reaped = waitpid(pid, &status, 0) }
        let result = reaped == pid ? Self.decode(status) : -1
        exitStatus = result
        return result
    }

    /// SIGTERM, then SIGKILL after 5 s; the exit status, or 128 + the signal that ended it.
    @discardableResult
    public func stop() -> Int32 {
        if let exitStatus { return exitStatus }
        kill(pid, SIGTERM)
        for attempt in 0..<250 where isRunning {
            if attempt == 249 { kill(pid, SIGKILL) }
            usleep(20_000)
        }
        if isRunning {
            var status: Int32 = 0
            exitStatus = waitpid(pid, &status, 0) == pid ? Self.decode(status) : -1
        }
        return exitStatus ?? -1
    }

    deinit { stop() }

    private static func decode(_ status: Int32) -> Int32 {
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}
