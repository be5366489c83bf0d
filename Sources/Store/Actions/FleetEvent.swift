/// Changes to the fleet itself, as the live layer (or a person) reports them.
public enum FleetEvent: Sendable, Equatable {
    /// A server joins (idle until it connects). An existing name is left as it is.
    case serverAdded(name: String)
    /// A server leaves: our jobs waiting on it go back to our queue (and are deleted from
    /// its queue while it is reachable); what it runs is run again elsewhere, within the
    /// rerun limit. Its record of past prompts stays.
    case serverRemoved(name: String)
    /// The fleet's policies: how many jobs may wait on one server beyond the one it runs,
    /// and how many times a job that had started is run again after its server is lost or
    /// forgot it.
    case policy(maxWaitingPerServer: Int, rerunLimit: Int)
    /// Jobs read back from the job store after a restart: each is recorded as the store
    /// had it (waiting in our queue, or on a server, to be followed by that server's resync).
    case restored([PromptRecord])
    /// What earlier comfysh processes learned of how long nodes and workflows take, read
    /// back from the job store: the ETA of a workflow seen before is known from its first
    /// run in this process.
    case durationsLoaded([DurationEntry])
}
