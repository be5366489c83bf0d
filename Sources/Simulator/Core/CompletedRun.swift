import ComfyCore

/// One run of a prompt that reached its end on the simulated server.
public struct CompletedRun: Sendable, Equatable {
    /// History's `status_str`: `"success"` or `"error"`.
    public var status: String
    /// History's `outputs` (node id → UI output), as the client reads it.
    public var outputs: JSONValue
    /// Which life of the server it ran in (0, then one more at each `restart()`): a
    /// restart wipes history, so a run in an earlier life is one a client may have had no
    /// way to know of.
    public var life: Int

    /// A run as the simulator records it (public so that a judge of its ledger can be
    /// tested on made-up runs).
    public init(status: String, outputs: JSONValue, life: Int = 0) {
        self.status = status
        self.outputs = outputs
        self.life = life
    }
}
