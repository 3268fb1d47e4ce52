import AuthJSON
import Foundation
import Testing

/// A program run on a pseudo-terminal by Python's `pty`, as a person at a terminal would:
/// each time one of `prompts` appears, the next of `answers` is typed, and whether the
/// terminal echoed at that moment is noted (a password must be asked for without echo).
struct TerminalRun {
    var output: String
    var status: Int32
    /// For each answer typed, whether echo was on when its prompt appeared.
    var echo: [Bool]

    /// The output with the terminal's CRLF line ends as LF.
    var text: String { output.replacingOccurrences(of: "\r\n", with: "\n") }

    private static let driver = """
        import json, os, pty, re, select, sys, termios
        argv, answers, prompts = (json.loads(a) for a in sys.argv[1:4])
        def typed(answer, text):
            # "@totp": the current code of the last secret the program printed, as an app computes it.
            if answer != "@totp":
                return answer
            import pyotp
            return pyotp.TOTP(re.findall(r"secret: ([A-Z2-7]+)", text)[-1]).now()
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(argv[0], argv)
        out, echo, seen = b"", [], 0
        while True:
            ready, _, _ = select.select([fd], [], [], 20)
            if not ready:
                os.kill(pid, 9)
                break
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data:
                break
            out += data
            text = out.decode(errors="replace")
            while answers and sum(text.count(p) for p in prompts) > seen:
                seen += 1
                echo.append(bool(termios.tcgetattr(fd)[3] & termios.ECHO))
                os.write(fd, (typed(answers.pop(0), text) + "\\n").encode())
        _, status = os.waitpid(pid, 0)
        print(json.dumps({"output": out.decode(errors="replace"), "status": os.waitstatus_to_exitcode(status), "echo": echo}))
        """

    /// `python`: the interpreter to drive it with (the test venv's, for an answer of `@totp`).
    init(_ arguments: [String], answers: [String] = [], prompts: [String] = ["Password: ", "Repeat password: ", "[y/N] "],
         environment: [String: String], python: String = "/usr/bin/python3") throws {
        let encode = { (strings: [String]) in JSON.array(strings.map { .string($0) }).text }
        let r = try run(python, ["-c", Self.driver, encode(arguments), encode(answers), encode(prompts)],
                        environment: environment)
        #expect(r.status == 0, "the pty driver failed: \(r.stderr)")
        let result = try JSONParser.parse(r.stdout)
        output = result["output"]?.string ?? ""
        status = Int32(result["status"]?.int64 ?? -1)
        echo = result["echo"]?.array?.compactMap(\.bool) ?? []
    }
}
