/// One job for `ComfyFleet.submit(_:)`: a workflow and how it is to be run.
public struct JobSubmission: Sendable {
    /// What to run.
    public var workflow: Workflow
    /// Ahead of the jobs already waiting (`--front`).
    public var front: Bool
    /// The server queue number to ask for (`--number`), which also orders our queue.
    public var number: Double?
    /// The only servers it may run on (nil: any).
    public var pinned: [String]?
    /// Its label (nil: the workflow's).
    public var label: String?
    /// Its prompt id (nil: a new one).
    public var promptID: String?

    /// A job running `workflow`; the rest as `ComfyFleet.submit(_:front:number:on:label:promptID:)` takes them.
    public init(
        _ workflow: Workflow, front: Bool = false, number: Double? = nil, on pinned: [String]? = nil, label: String? = nil,
        promptID: String? = nil
    ) {
        self.workflow = workflow
        self.front = front
        self.number = number
        self.pinned = pinned
        self.label = label
        self.promptID = promptID
    }
}
