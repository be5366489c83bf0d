/// How a fleet shares work among its servers.
public struct FleetPolicy: Sendable, Equatable {
    /// Jobs of ours that may wait on one server beyond the one it runs; the rest wait in our
    /// own queue (so a server that dies loses at most what it held).
    public var maxWaitingPerServer = 1
    /// Times a job that had started is run again after its server was lost or forgot it (it
    /// may be what brought the server down). A job that had not started is always run again.
    public var rerunLimit = 2

    public init(maxWaitingPerServer: Int = 1, rerunLimit: Int = 2) {
        self.maxWaitingPerServer = maxWaitingPerServer
        self.rerunLimit = rerunLimit
    }
}
