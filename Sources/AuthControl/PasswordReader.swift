import Foundation

#if canImport(Glibc)
import Glibc
#endif

// The terminal settings to put back if a signal ends the process while echo is off.
// nonisolated(unsafe) is safe here: both are written only while no handler is installed
// (before `installRestoringHandlers`, after `removeRestoringHandlers`) and are only read
// by the handler, on the one thread that reads the password.
nonisolated(unsafe) private var echoRestoreFD: Int32 = -1
nonisolated(unsafe) private var echoRestoreSettings = termios()

/// Reads a password from stdin (`--password-stdin`) or from the terminal without echo,
/// never from argv, where other users could read it in `ps`.
enum PasswordReader {
    /// The first line of stdin, without its line break; asked for without echo when stdin
    /// is a terminal, so that `--password-stdin` typed by hand does not show it.
    static func fromStdin(label: String = "Password") throws(ControlError) -> String {
        if isatty(STDIN_FILENO) == 1 { return try ask("\(label): ", on: STDIN_FILENO) }
        guard let line = readLine(strippingNewline: true) else {
            throw .usage("no password on standard input")
        }
        return line
    }

    /// Asks on /dev/tty (not stdin, which may be a pipe); with `confirm`, asks twice and
    /// compares, since a typo in a new password cannot be seen.
    /// With `echo` (a TOTP code, which is no secret once used), what is typed shows.
    static func prompt(confirm: Bool, label: String = "Password", echo: Bool = false) throws(ControlError) -> String {
        let tty = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard tty >= 0 else {
            throw .usage(echo ? "no terminal to ask for the \(label.lowercased()) on; use --code" : "no terminal to ask for the password on; use --password-stdin")
        }
        defer { close(tty) }
        let password = try ask("\(label): ", on: tty, echo: echo)
        if confirm, try ask("Repeat \(label.lowercased()): ", on: tty) != password {
            throw .usage("passwords do not match")
        }
        return password
    }

    private static func ask(_ prompt: String, on tty: Int32, echo: Bool = false) throws(ControlError) -> String {
        var saved = termios()
        var previous: [(Int32, __sighandler_t?)] = []
        let isTerminal = !echo && tcgetattr(tty, &saved) == 0
        if isTerminal {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            echoRestoreFD = tty
            echoRestoreSettings = saved
            previous = installRestoringHandlers()
            tcsetattr(tty, TCSAFLUSH, &quiet)
        }
        // Only now, with echo off: TCSAFLUSH drops what was typed before it, so a prompt
        // shown earlier could lose the start of a quickly typed password.
        write(prompt, to: tty)
        defer {
            if isTerminal {
                tcsetattr(tty, TCSANOW, &saved)
                for (signo, handler) in previous { signal(signo, handler) }
                echoRestoreFD = -1
            }
            // The user's Enter was not echoed; end the prompt's line for them.
            write("\n", to: tty)
        }
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let n = read(tty, &byte, 1)
            if n < 0, errno == EINTR { continue }
            if n <= 0 {
                guard !line.isEmpty else { throw .usage(echo ? "no \(prompt.dropLast(2).lowercased()) given" : "no password given") }
                break
            }
            if byte == UInt8(ascii: "\n") { break }
            line.append(byte)
        }
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return String(decoding: line, as: UTF8.self)
    }

    private static func write(_ text: String, to fd: Int32) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }

    private static let endingSignals = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    /// Ctrl-C at the prompt must not leave the user's terminal without echo. Returns the
    /// handlers it replaced, to put back once echo is on again.
    private static func installRestoringHandlers() -> [(Int32, __sighandler_t?)] {
        endingSignals.map { signo in
            let old = signal(signo) { signo in
                if echoRestoreFD >= 0 { tcsetattr(echoRestoreFD, TCSANOW, &echoRestoreSettings) }
                signal(signo, SIG_DFL)
                raise(signo)
            }
            return (signo, old)
        }
    }
}
