import Foundation
import ComfyCore

/// A workflow ready to submit: an API-format graph, and for a workflow saved in the
/// editor's format, the job that each server converts with its own catalogue just before
/// it is sent (`WorkflowFile` makes these from any file).
public struct Workflow: Sendable, Equatable {
    /// Where it came from (for messages).
    public var name: String
    /// The graph: node id → `{class_type, inputs, _meta}`. For an editor workflow, as
    /// converted with the catalogue it was checked against: what routing reads.
    public var graph: JSONValue
    /// For an editor workflow: the file and the values chosen (`--set`, `--vary`, seeds).
    public var job: EditorJob?
    /// The `--vary` values it was made with (`KSampler.seed=1 KSampler.cfg=7`), if any.
    public var variation: String?

    public init(name: String, graph: JSONValue, job: EditorJob? = nil, variation: String? = nil) {
        self.name = name
        self.graph = graph
        self.job = job
        self.variation = variation
    }

    /// For people (`comfysh jobs`, `run`'s lines): the file's name, and the `--vary` values.
    public var label: String {
        let file = (name as NSString).lastPathComponent
        return variation.map { "\(file) \($0)" } ?? file
    }

    public struct Problem: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public var nodes: [(id: String, classType: String)] {
        (graph.objectValue ?? []).map { ($0.key, $0.value["class_type"]?.stringValue ?? "?") }
    }

    /// Reads and checks an API-format file at `path`: missing, empty, not JSON, the
    /// editor's UI format instead of the API format, or nodes without a class type each get
    /// a message that says so. (`WorkflowFile` reads either format.)
    public static func load(path: String) throws(Problem) -> Workflow {
        try parse(contents(path: path), name: path)
    }

    public static func parse(_ bytes: [UInt8], name: String) throws(Problem) -> Workflow {
        try api(json(bytes, name: name), name: name)
    }

    /// The bytes of the file at `path`; a missing file or a folder says so. What every
    /// workflow reader (this, `WorkflowFile`, the shell's `convert` and `inputs`) starts with.
    public static func contents(path: String) throws(Problem) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw Problem(description: "\(path): no such file")
        }
        guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
            throw Problem(description: "\(path): cannot read it\(isDirectory.boolValue ? " (a directory)" : "")")
        }
        return Array(data)
    }

    /// `bytes` (of the file `name`) as JSON; an empty file or one that is not JSON says so.
    public static func json(_ bytes: [UInt8], name: String) throws(Problem) -> JSONValue {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw Problem(description: "\(name): the file is empty")
        }
        do { return try JSONValue.parse(bytes) } catch {
            throw Problem(description: "\(name): not JSON (\(error))")
        }
    }

    /// An API-format graph (or a whole `POST /prompt` body) already read as JSON.
    static func api(_ value: JSONValue, name: String) throws(Problem) -> Workflow {
        guard case .object(var fields) = value else {
            throw Problem(description: "\(name): not a workflow (a JSON object of nodes is expected)")
        }
        // The UI format (what the editor's plain "Save" writes) has node and link lists.
        if value["nodes"]?.arrayValue != nil, value["links"] != nil {
            throw Problem(description: "\(name): this is a UI-format workflow (the editor's \"Save\"); the API needs the API format: in ComfyUI use \"Export (API)\" / \"Save (API Format)\"")
        }
        // A whole POST body ({"prompt": {...}, ...}) is accepted: take its graph.
        if let inner = value["prompt"], case .object(let innerFields) = inner { fields = innerFields }
        guard !fields.isEmpty else { throw Problem(description: "\(name): the workflow has no nodes") }
        for field in fields {
            guard field.value["class_type"]?.stringValue != nil else {
                throw Problem(description: "\(name): node \"\(field.key)\" has no class_type; is this an API-format workflow?")
            }
        }
        return Workflow(name: name, graph: .object(fields))
    }

    /// The `POST /prompt` body: the graph under our prompt id and client id. `number` is
    /// an explicit priority (lowest runs first); `front` jumps the queue when none is given.
    public func body(promptID: String, clientID: String, front: Bool = false, number: Double? = nil) -> JSONValue {
        var fields = [JSONField("prompt", graph), JSONField("client_id", .string(clientID)), JSONField("prompt_id", .string(promptID))]
        if let number { fields.append(JSONField("number", .number(number))) } else if front { fields.append(JSONField("front", true)) }
        // Never sent as it is: the client converts the job for its server and drops the key.
        if let job { fields.append(JSONField(EditorJob.bodyKey, job.json)) }
        return .object(fields)
    }

    /// What the reducer records of a submission.
    public func submitted(clientID: String) -> SubmittedGraph {
        SubmittedGraph(nodes: nodes, clientID: clientID)
    }

    /// A new prompt id: a canonical lowercase UUID, as newer servers require.
    public static func newPromptID() -> String { UUID().uuidString.lowercased() }
}
