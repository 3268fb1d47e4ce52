import Testing

/// The parent of every integration suite. Serialized: each test drives real
/// processes with blocking socket calls, and on two cores parallel tests would
/// starve the cooperative threads those calls run on.
@Suite(.serialized) enum IntegrationTests {}
