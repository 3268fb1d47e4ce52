import AuthControl

/// The authctl program: everything lives in AuthControl, where it can be tested.
@main
enum AuthctlMain {
    static func main() {
        Authctl.execute(Array(CommandLine.arguments.dropFirst()))
    }
}
