import ComfyCore
import Foundation

/// A workflow file in either of ComfyUI's formats, read and checked as far as it can be
/// without a server: the API format (`Export (API)`), or the editor's (its plain "Save":
/// nodes, links, subgraphs), which is converted with a server's `/object_info`.
///
/// `workflows(_:catalogs:)` makes the workflows to submit: one, or one per `--vary`
/// combination, checked against the catalogues of the fleet's servers before anything is
/// sent. A workflow from an editor file carries its `EditorJob`, so the server it goes to
/// converts it with its own catalogue.
public struct WorkflowFile: Sendable, Equatable {
    /// Where it came from (for messages).
    public var name: String
    /// The file's JSON (for a whole `POST /prompt` body, its graph).
    public var json: JSONValue
    /// The editor's format (converted per server), rather than the API format.
    public var isEditorFormat: Bool

    public init(name: String, json: JSONValue, isEditorFormat: Bool) {
        self.name = name
        self.json = json
        self.isEditorFormat = isEditorFormat
    }

    /// Reads and checks `path`: missing, empty, not JSON, not a workflow in either format,
    /// an editor file without nodes or an API one whose nodes have no class type each get
    /// a message that says so.
    public static func load(path: String) throws(Workflow.Problem) -> WorkflowFile {
        try parse(Workflow.contents(path: path), name: path)
    }

    public static func parse(_ bytes: [UInt8], name: String) throws(Workflow.Problem) -> WorkflowFile {
        let value = try Workflow.json(bytes, name: name)
        guard WorkflowFormat.detect(value) == .editor else {
            return WorkflowFile(name: name, json: try Workflow.api(value, name: name).graph, isEditorFormat: false)
        }
        do { _ = try EditorWorkflow(json: value) } catch { throw Workflow.Problem(description: "\(name): \(error)") }
        if value["nodes"]?.arrayValue?.isEmpty ?? true { throw Workflow.Problem(description: "\(name): the workflow has no nodes") }
        return WorkflowFile(name: name, json: value, isEditorFormat: true)
    }

    /// Whether making its workflows needs a server's catalogue: an editor file always; an
    /// API file only to set or vary inputs.
    public func needsCatalog(_ choices: WorkflowChoices) -> Bool { isEditorFormat || choices.changesInputs }

    /// The workflows to submit with `choices`, checked against `catalogs` (the fleet's, in
    /// its order: an editor file is converted with the first that can). Each is named
    /// after the file; with `--vary`, `variation` names its values.
    public func workflows(_ choices: WorkflowChoices, catalogs: [NodeCatalog]) throws(WorkflowProblem) -> [Workflow] {
        var random = SystemRandomNumberGenerator()
        return try choices.prepare(json, catalogs: catalogs, using: &random).map { prepared in
            Workflow(name: name, graph: prepared.graph, job: prepared.job, variation: prepared.label)
        }
    }
}
