import ComfyCore

/// What a front end asks of a client: typed requests, each recorded in the state by the
/// reducer and carried out here (or kept in the outbox while offline).
extension ComfyClient {
    /// Submits `workflow` under a new prompt id (a lowercase UUID chosen here, so a retry
    /// after a dropped connection can ask the server before enqueuing it twice) and returns
    /// that id at once; the outcome arrives as events. `number` is an explicit priority
    /// (lowest runs first); `front` jumps the queue when none is given.
    @discardableResult
    public func submit(_ workflow: Workflow, front: Bool = false, number: Double? = nil, promptID: String? = nil) -> String {
        let id = promptID ?? Workflow.newPromptID()
        let clientID = configuration.clientID
        dispatch(.user(.submit(
            promptID: id, graph: workflow.submitted(clientID: clientID),
            body: workflow.body(promptID: id, clientID: clientID, front: front, number: number), front: front)))
        return id
    }

    /// Cancels a prompt: dequeued if it waits, interrupted if it runs. Returns once the
    /// server has answered (or the request waits in the outbox).
    public func cancel(_ promptID: String) async {
        dispatch(.user(.cancel(promptID: promptID)))
        await commandsDone()
    }

    /// Interrupts our running prompt (or `promptID`): never a bare, global interrupt,
    /// which can hit whatever runs next.
    public func interrupt(_ promptID: String? = nil) async {
        dispatch(.user(.interrupt(promptID: promptID)))
        await commandsDone()
    }

    /// Removes every pending prompt from the server's queue.
    public func clear() async {
        dispatch(.user(.clearQueue))
        await commandsDone()
    }

    /// Asks the server for its queue and the history of every prompt we track, and returns
    /// what that found once it is applied; nil if the server did not answer (the client
    /// then reconnects, which resyncs again).
    @discardableResult
    public func resync() async -> ResyncFindings? {
        guard !commandsStopped else { return nil }
        return await withCheckedContinuation { waiter in
            resyncWaiters.append(waiter)
            dispatch(.user(.resync))
        }
    }

    /// Downloads the output files of `promptID` into `folder` (server-given names are
    /// checked; nothing is overwritten unless asked).
    public func download(outputsOf promptID: String, to folder: String, overwrite: Bool = false) async -> [OutputFiles.Outcome] {
        let outputs = store.state.queue.prompts[promptID]?.outputs ?? []
        return await OutputFiles(http: http, folder: folder, overwrite: overwrite).download(outputs)
    }

    /// Asks the server what it is (`GET /system_stats`) and records it in `connection.server`.
    public func refreshServerInfo() async {
        let stats = await http.send(.systemStats, timeout: configuration.connectTimeout)
        tapHTTP(stats)
        dispatch(.http(stats.result))
    }

    /// Every change from now on with the events it caused.
    public nonisolated func updates(bufferingNewest limit: Int? = nil) -> StoreUpdates { store.updates(bufferingNewest: limit) }

    /// Every event from now on.
    public nonisolated func events() -> ClientEventStream { store.events() }
}
