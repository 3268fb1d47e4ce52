import Foundation
import Testing

/// Runs `script` with python3 from PATH (the Makefile puts .build-venv/bin, where
/// `scripts/install-deps --test` installs the peers, first) and returns its output.
/// A missing python3 or module fails the test: CI must never skip a peer check.
func runPython(_ script: String, _ arguments: [String] = [], needs module: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both before waiting, so a full pipe cannot block the child.
    let output = out.fileHandleForReading.readDataToEndOfFile()
    let errors = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "python3 with \(module) failed: \(String(decoding: errors, as: UTF8.self))")
    return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}
