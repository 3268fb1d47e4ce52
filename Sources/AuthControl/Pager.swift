import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Long output on a terminal goes through `$PAGER` (else `less`), as systemctl's does;
/// into a pipe or a file it is printed as it is.
enum Pager {
    /// `less` options as systemd sets them: quit if one screen, keep colours, no clearing.
    private static let lessDefaults = "FRSXMK"

    static func show(_ text: String, enabled: Bool) {
        guard !text.isEmpty else { return }
        let environment = ProcessInfo.processInfo.environment
        let command = environment["PAGER"].map { $0.trimmingCharacters(in: .whitespaces) } ?? "less"
        guard enabled, isatty(STDOUT_FILENO) == 1, !command.isEmpty, command != "cat" else {
            print(text)
            return
        }
        let pager = Process()
        pager.executableURL = URL(fileURLWithPath: "/bin/sh")
        pager.arguments = ["-c", command]
        var pagerEnvironment = environment
        if pagerEnvironment["LESS"] == nil { pagerEnvironment["LESS"] = lessDefaults }
        pager.environment = pagerEnvironment
        let input = Pipe()
        pager.standardInput = input
        do {
            try pager.run()
        } catch {
            print(text)
            return
        }
        // Quitting the pager early closes the pipe; that is no reason to die of SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        try? input.fileHandleForWriting.write(contentsOf: Data((text + "\n").utf8))
        try? input.fileHandleForWriting.close()
        pager.waitUntilExit()
    }
}
