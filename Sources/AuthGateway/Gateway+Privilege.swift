extension Gateway {
    /// The gateway speaks for web clients and needs no privilege. Run as root it would be
    /// a privileged peer of authd, which is the wrong place for a web front end to stand,
    /// so it does not start (contract section 5); systemd's unit gives it its own user.
    public static func refuseRoot(euid: UInt32) throws(GatewayConfiguration.Invalid) {
        guard euid != 0 else {
            throw GatewayConfiguration.Invalid(description: """
                refusing to run as root: run the gateway as its own user, in authd's --metrics-group \
                (the systemd unit's User=authd-gateway)
                """)
        }
    }
}
