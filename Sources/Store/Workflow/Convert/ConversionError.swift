/// Why an editor workflow could not be turned into a prompt. Every case names the node
/// (execution id, title, class), so the message points at what to fix in the editor.
public struct ConversionError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// The server has no such node class (a custom node not installed, or a newer one).
        case unknownClass
        /// The node's type names a subgraph the file does not define.
        case missingSubgraph
        /// A legacy group node (`workflow>…`): re-save the workflow in a newer editor,
        /// which turns it into a subgraph.
        case groupNode
        /// An input whose value the editor captures when it queues (3D viewport, microphone,
        /// webcam) and that the file holds no usable value for.
        case editorCaptured(input: String, type: String)
        /// Subgraphs that contain themselves.
        case subgraphCycle
        /// A link chain that loops (through reroutes, bypassed nodes or subgraph boundaries).
        case linkCycle(input: String)
        /// The saved widget values do not line up with this server's inputs for the class
        /// (the file was saved by another version of the node): the value in the input's
        /// place cannot be one of its values.
        case valuesDoNotFit(input: String, type: String, value: JSONValue)
        /// A link to an output this server's class does not have.
        case missingOutput(input: String, source: String, sourceClass: String, slot: Int, outputs: Int)
    }

    public var nodeID: String
    public var title: String
    public var classType: String
    public var reason: Reason

    public init(nodeID: String, title: String, classType: String, reason: Reason) {
        self.nodeID = nodeID
        self.title = title
        self.classType = classType
        self.reason = reason
    }

    /// `node 12 "Upscale" (UltimateSDUpscale): the server has no node class "UltimateSDUpscale" …`
    public var description: String {
        let node = "node \(nodeID) \(JSONWriter.quoted(title)) (\(classType))"
        switch reason {
        case .unknownClass:
            return "\(node): the server has no node class \(JSONWriter.quoted(classType)) (a custom node that is not installed, or one from a newer ComfyUI)"
        case .missingSubgraph:
            return "\(node): its type is a subgraph that the file does not define (definitions.subgraphs)"
        case .groupNode:
            return "\(node): a legacy group node; open the workflow in a current ComfyUI editor and save it again (group nodes become subgraphs)"
        case .editorCaptured(let input, let type):
            return "\(node): input \(JSONWriter.quoted(input)) (\(type)) is captured by the editor when it queues, and the file holds no value for it; run this workflow from the editor"
        case .subgraphCycle:
            return "\(node): the subgraph contains itself"
        case .linkCycle(let input):
            return "\(node): the link into input \(JSONWriter.quoted(input)) loops back on itself"
        case .valuesDoNotFit(let input, let type, let value):
            return "\(node): the saved widget values do not fit this server's inputs (input \(JSONWriter.quoted(input)) takes \(type), and the value in its place is \(JSONWriter.string(value))); the workflow was saved by another version of this node: open it in this server's editor and save it again"
        case .missingOutput(let input, let source, let sourceClass, let slot, let outputs):
            return "\(node): input \(JSONWriter.quoted(input)) is linked to output \(slot) of node \(source) (\(sourceClass)), which has \(outputs) output\(outputs == 1 ? "" : "s") on this server; the workflow was saved by another version of that node"
        }
    }
}
