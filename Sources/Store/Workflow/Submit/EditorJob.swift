/// A workflow in the editor's format submitted as a job: the file as saved, and the values
/// chosen when it was submitted (`--set`, its `--vary` combination, the seeds drawn and the
/// `{a|b}` choices made). Servers of a fleet can differ in version and node packs, so the
/// job is converted for the server it goes to, with that server's own catalogue, just
/// before it is sent (`prompt(for:)`); the chosen values are laid over the conversion, so
/// every server runs the same seeds, and a job sent again runs the same prompt.
///
/// It travels inside the job's `POST /prompt` body under `comfysh` (the job store keeps it
/// there, so a job taken up after a crash is converted like any other); the client
/// replaces the body's `prompt` with the conversion and drops that key before sending.
public struct EditorJob: Sendable, Hashable {
    /// The file as the editor saved it.
    public var workflow: JSONValue
    /// In the order they are applied.
    public var values: [Value]

    /// A value for one input, by node id (the execution id: `5:12` inside a subgraph).
    public struct Value: Sendable, Hashable {
        public var node: String
        public var input: String
        public var value: JSONValue
        /// Who chose it: `--set`, `--vary`, `control` (a control after generate) or
        /// `dynamic prompt` (an `{a|b}` choice).
        public var from: String

        public init(node: String, input: String, value: JSONValue, from: String) {
            self.node = node
            self.input = input
            self.value = value
            self.from = from
        }

        init(_ assignment: Combination.Assignment, from: String) {
            self.init(node: assignment.input.nodeID, input: assignment.input.name, value: assignment.value, from: from)
        }
    }

    public init(workflow: JSONValue, values: [Value] = []) {
        self.workflow = workflow
        self.values = values
    }

    /// The key of a `POST /prompt` body that holds the job.
    public static let bodyKey = "comfysh"

    /// Why a job cannot be converted for one server: the message, and the node it is about.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
        public var nodeID: String?
        public var classType: String?
        /// The server lacks the node's class (rather than the values not fitting it).
        public var missingClass: Bool

        public init(_ description: String, nodeID: String? = nil, classType: String? = nil, missingClass: Bool = false) {
            self.description = description
            self.nodeID = nodeID
            self.classType = classType
            self.missingClass = missingClass
        }

        /// As a server would say it in `POST /prompt`'s answer, for the reducer: a
        /// refusal for something this server lacks (another server may have it).
        public func rejection(promptID: String, server: String?) -> PromptRejected {
            let type = missingClass ? "missing_node_type" : "conversion_failed"
            let message = "cannot convert the workflow for \(server ?? "this server"): \(description)"
            let nodes = nodeID.map { [NodeError(nodeID: $0, classType: classType, errors: [.init(type: type, message: description)])] } ?? []
            return PromptRejected(promptID: promptID, status: 0, type: type, message: message, nodeErrors: nodes)
        }
    }

    /// The prompt for a server whose catalogue is `catalog`: the file converted, then every
    /// chosen value checked against this server's input (type, range, choices) and set.
    public func prompt(for catalog: NodeCatalog) throws(Failure) -> APIPrompt {
        let editor: EditorWorkflow
        do { editor = try EditorWorkflow(json: workflow) } catch { throw Failure(error.description) }
        var prompt: APIPrompt
        do { prompt = try WorkflowConverter(catalog: catalog).convert(editor) } catch {
            throw Failure(error.description, nodeID: error.nodeID, classType: error.classType, missingClass: error.reason == .unknownClass)
        }
        for chosen in values {
            guard let node = prompt.node(chosen.node) else {
                throw Failure("the value chosen with \(chosen.from) for \(chosen.node).\(chosen.input) has no node \(chosen.node) to go to")
            }
            let resolver = InputResolver(prompt: prompt, catalog: catalog)
            guard let input = WorkflowInputs.settable(chosen.input, of: node, catalog: catalog) else {
                throw Failure(
                    "\(resolver.describe(node)) has no input \(JSONWriter.quoted(chosen.input)) for the value chosen with \(chosen.from) on this server",
                    nodeID: node.id, classType: node.classType)
            }
            let value: JSONValue
            do {
                value = try resolver.check(
                    chosen.value, for: input, argument: "\(chosen.node).\(chosen.input)=\(SettableInput.text(chosen.value))", option: chosen.from)
            } catch { throw Failure("this server does not take the value: \(error)", nodeID: node.id, classType: node.classType) }
            prompt.set(input, to: value, catalog: catalog)
        }
        return prompt
    }

    // MARK: JSON

    public var json: JSONValue {
        .object([
            JSONField("editor_workflow", workflow),
            JSONField(
                "values",
                .array(values.map {
                    .object([
                        JSONField("node", .string($0.node)), JSONField("input", .string($0.input)), JSONField("value", $0.value),
                        JSONField("from", .string($0.from)),
                    ])
                })),
        ])
    }

    public init?(json: JSONValue) {
        guard let workflow = json["editor_workflow"], workflow.objectValue != nil else { return nil }
        var values: [Value] = []
        for item in json["values"]?.arrayValue ?? [] {
            guard let node = item["node"]?.stringValue, let input = item["input"]?.stringValue, let value = item["value"] else { return nil }
            values.append(Value(node: node, input: input, value: value, from: item["from"]?.stringValue ?? "--set"))
        }
        self.init(workflow: workflow, values: values)
    }

    /// The job a `POST /prompt` body carries, if it carries one.
    public init?(body: JSONValue) {
        guard let job = body[Self.bodyKey] else { return nil }
        self.init(json: job)
    }

    /// `body` as the server gets it: `prompt` replaced by `prompt`, without the job.
    public static func body(_ body: JSONValue, sending prompt: APIPrompt) -> JSONValue {
        guard case .object(let fields) = body else { return body }
        return .object(fields.compactMap { field in
            if field.key == bodyKey { return nil }
            return field.key == "prompt" ? JSONField("prompt", prompt.json) : field
        })
    }
}
