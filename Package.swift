// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "authd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "authd", targets: ["authd"]),
        .executable(name: "authctl", targets: ["authctl"]),
        .executable(name: "authd-gateway", targets: ["authd-gateway"]),
        .executable(name: "authd-bench", targets: ["authd-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // One wrapper per C library; only one Swift file imports each.
        .systemLibrary(name: "CCrypt", pkgConfig: "libxcrypt", providers: [.apt(["libcrypt-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // The QR code `authctl mfa enroll` prints for authenticator apps.
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        // libpq (headers from libpq-dev) is loaded with dlopen on the first PostgreSQL URL, so
        // it is not linked: this C target holds the table of its functions (include/CLibPQ.h).
        .target(name: "CLibPQ"),

        // The domain: users, passwords, tokens and the rules; no transport, no SQL.
        .target(name: "AuthCore"),
        // A strict JSON value, parser and writer shared by the wire and the tokens.
        .target(name: "AuthJSON"),
        // Where work runs: bounded pools of threads for blocking C calls (they report their use
        // through swift-metrics), and tasks kept on their connection's event loop.
        .target(name: "AuthThreads", dependencies: [
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        // libxcrypt password hashing and OpenSSL HS256 tokens behind the domain's protocols.
        .target(name: "AuthCrypto", dependencies: ["AuthCore", "AuthJSON", "AuthThreads", "CCrypt", "COpenSSL"]),
        // The one store core (users, revocations, throttling, the token-state cache) over a
        // small SQL driver protocol; each database below is only its driver.
        .target(name: "AuthStore", dependencies: ["AuthCore", "AuthThreads", .product(name: "CoreMetrics", package: "swift-metrics")]),
        // The embedded SQLite driver.
        .target(name: "AuthSQLite", dependencies: ["AuthCore", "AuthStore", "AuthThreads", "CSQLite"]),
        // The PostgreSQL driver through libpq, for production and several daemons on one database.
        .target(name: "AuthPostgres", dependencies: ["AuthCore", "AuthStore", "AuthThreads", "CLibPQ"]),
        // The interface contract, declared once: JSON, JSON-RPC messages, methods, error codes.
        .target(name: "AuthInterface", dependencies: ["AuthCore", "AuthJSON"]),
        // libsystemd for authd and the gateway: socket activation, sd_notify, the journal and logging to it.
        .target(name: "AuthSystemd", dependencies: [
            "CSystemd",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // authd's socket for all who speak on it: the default path, the Unix-socket connect,
        // the line framing, and the accept loop the daemon and the gateway share.
        .target(name: "AuthWire", dependencies: [
            "AuthThreads",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // Settings declared once per program and resolved from options, environment and files,
        // for authd and the gateway; the check of the per-user runtime directory, for all three.
        .target(name: "AuthSettings", dependencies: [.product(name: "Logging", package: "swift-log")]),
        // The daemon: socket, framing, dispatch, configuration.
        .target(name: "AuthDaemon", dependencies: [
            "AuthSettings", "AuthCore", "AuthCrypto", "AuthStore", "AuthSQLite", "AuthPostgres", "AuthInterface", "AuthJSON", "AuthThreads", "AuthSystemd", "AuthWire",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        // A small blocking client for authctl and the tests.
        .target(name: "AuthClient", dependencies: ["AuthInterface", "AuthJSON", "AuthWire"]),
        // authctl's commands.
        .target(name: "AuthControl", dependencies: [
            "AuthClient", "AuthCore", "AuthSettings", "AuthInterface", "AuthJSON", "AuthWire", "CQRencode",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .executableTarget(name: "authd", dependencies: ["AuthDaemon", "AuthInterface", "AuthSettings", "AuthSystemd"]),
        .executableTarget(name: "authctl", dependencies: ["AuthControl"]),

        // The HTTP gateway: the Flask app's REST routes over authd's socket; holds no user data.
        .target(name: "AuthGateway", dependencies: [
            "AuthSettings", "AuthCore", "AuthInterface", "AuthJSON", "AuthThreads", "AuthSystemd", "AuthWire",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .executableTarget(name: "authd-gateway", dependencies: ["AuthGateway", "AuthInterface", "AuthSettings"]),

        // The load generator and its ceilings (`make bench`): the real protocol over the real socket.
        .target(name: "AuthBench", dependencies: [
            "AuthClient", "AuthInterface", "AuthJSON", "AuthCrypto", "AuthWire", "AuthCore", "AuthStore", "AuthSQLite",
            "AuthPostgres", "AuthThreads",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .executableTarget(name: "authd-bench", dependencies: [
            "AuthBench",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),

        .testTarget(name: "AuthUnitTests", dependencies: [
            "AuthSettings", "AuthCore", "AuthCrypto", "AuthStore", "AuthSQLite", "AuthInterface", "AuthJSON", "AuthThreads", "AuthDaemon", "AuthSystemd", "AuthWire", "AuthTestSupport",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Test helpers shared by the integration and gateway tests.
        .target(name: "AuthTestSupport", dependencies: ["AuthWire"], path: "Tests/AuthTestSupport"),
        .testTarget(name: "AuthIntegrationTests", dependencies: ["AuthClient", "AuthInterface", "AuthJSON", "AuthTestSupport", "AuthWire"]),
        .testTarget(name: "AuthGatewayTests", dependencies: [
            "AuthSettings", "AuthClient", "AuthCore", "AuthGateway", "AuthInterface", "AuthJSON", "AuthSystemd", "AuthTestSupport", "AuthWire",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)

// `make fuzz` only: a libFuzzer target over the request path, built with
// -sanitize=fuzzer,address into .build-fuzz, so that a plain build is unaffected.
if Context.environment["AUTHD_FUZZ"] == "1" {
    package.targets += [
        .systemLibrary(name: "CFuzzer"),
        .executableTarget(name: "authd-fuzz", dependencies: [
            "AuthDaemon", "AuthCore", "AuthCrypto", "AuthJSON", "AuthWire", "CFuzzer",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
    ]
    package.products += [.executable(name: "authd-fuzz", targets: ["authd-fuzz"])]
}
