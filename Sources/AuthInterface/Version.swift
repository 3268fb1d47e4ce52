/// The version of authd and its gateway, one number for both programs' `--version`,
/// `system.health`, `rpc.discover` and the OpenAPI document.
public let authdVersion = "0.1.0"
