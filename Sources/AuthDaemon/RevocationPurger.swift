import AuthCore
import Logging
import ServiceLifecycle

/// Forgets revocations of tokens that have expired anyway, at start and every ten minutes,
/// so that the revocation table holds only tokens that could still be presented.
struct RevocationPurger: Service {
    let service: AuthService
    let logger: Logger
    var interval: Duration = .seconds(600)

    func run() async {
        try? await cancelWhenGracefulShutdown {
            while true {
                do { try await service.purgeExpiredRevocations() } catch { logger.warning("purging revocations failed: \(error)") }
                try await Task.sleep(for: interval)
            }
        }
    }
}
