import ComfyCore

/// One run of a prompt that reached its end on the simulated server.
public struct CompletedRun: Sendable, Equatable {
    /// History's `status_str`: `"success"` or `"error"`.
    public var status: String
    /// History's `outputs` (node id → UI output), as the client reads it.
    public var outputs: JSONValue

    /// A run as the simulator records it (public so that a judge of its ledger can be
    /// tested on made-up runs).
    public init(status: String, outputs: JSONValue) {
        self.status = status
        self.outputs = outputs
    }
}
