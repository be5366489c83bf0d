/// Which of ComfyUI's two workflow formats a JSON document is.
public enum WorkflowFormat: Sendable, Hashable {
    /// The API format (`{id: {class_type, inputs}}`), what `POST /prompt` takes.
    case api
    /// A whole `POST /prompt` body (`{"prompt": {...}, "client_id": ...}`).
    case apiRequest
    /// The editor's format (`nodes` and `links`), what its plain "Save" writes.
    case editor
    /// Neither: the reason says what is missing.
    case unknown(String)

    /// Looks at the shape only; the contents are checked by whatever reads the format.
    public static func detect(_ json: JSONValue) -> WorkflowFormat {
        guard case .object(let fields) = json else { return .unknown("not a JSON object") }
        if json["nodes"]?.arrayValue != nil, json["links"] != nil || json["definitions"] != nil { return .editor }
        if let prompt = json["prompt"], case .object(let inner) = prompt,
            inner.contains(where: { $0.value["class_type"] != nil })
        {
            return .apiRequest
        }
        if fields.isEmpty { return .unknown("an empty object") }
        let nodes = fields.filter { $0.value.objectValue != nil }
        if !nodes.isEmpty, nodes.allSatisfy({ $0.value["class_type"]?.stringValue != nil }) { return .api }
        if json["nodes"]?.arrayValue != nil { return .editor }
        return .unknown("neither the API format (nodes with a class_type) nor the editor's (a nodes and links list)")
    }
}
