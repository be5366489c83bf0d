/// How a ``ComfyUISimulator`` listens and behaves.
public struct SimulatorConfiguration: Sendable {
    /// The address to listen on. Loopback by default, like ComfyUI.
    public var host: String
    /// The port to listen on; `0` picks a free one (read it from ``ComfyUISimulator/port``
    /// after ``ComfyUISimulator/start()``).
    public var port: Int
    /// When set, every node step takes this long instead of the node's own delay
    /// (`TestProgressLoop.delay`, `TestSleep.tick`, `TestFail`'s 50 ms). Tests use
    /// `.milliseconds(1)` or `.zero`; `nil` keeps the recorded pace.
    ///
    /// The messages a run produces do not depend on it: the progress throttle works on
    /// the node's own delays.
    public var stepDelay: Duration?
    /// Emulates ComfyUI issue #16010: when an old socket's handler ends after a newer
    /// socket registered the same client id, the cleanup removes the *newer*
    /// registration, and that socket silently receives nothing more (protocol
    /// reference 1.7). Off: only a socket's own registration is removed.
    public var overlappingReconnectBug: Bool
    /// Each `TestProgressLoop` step's real time varies by up to this share either way (0.3:
    /// 70–130 % of its delay), drawn from a generator seeded with ``jitterSeed`` so that a
    /// run can be repeated: how a sampler's steps vary on a busy GPU, for measuring the ETA
    /// (`comfysh-bench eta`). 0: every step takes the node's delay exactly. `TestSleep`
    /// (a decode-like node) keeps its time.
    public var stepJitter: Double = 0
    /// The seed of the step-time jitter.
    public var jitterSeed: UInt64 = 1
    /// Serve `https` and `wss` with this certificate instead of plain `http` and `ws`.
    public var tls: SimulatorTLS?
    /// The node classes it offers, validates against and runs: the built-in test pack,
    /// or a catalog recorded from a real server (`SimulatorCatalog(recordedObjectInfo:)`).
    public var catalog: SimulatorCatalog

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        stepDelay: Duration? = nil,
        overlappingReconnectBug: Bool = false,
        tls: SimulatorTLS? = nil,
        catalog: SimulatorCatalog = .builtIn
    ) {
        self.host = host
        self.port = port
        self.stepDelay = stepDelay
        self.overlappingReconnectBug = overlappingReconnectBug
        self.tls = tls
        self.catalog = catalog
    }
}
