/// One call to ComfyUI's HTTP API, named for what it asks, not by its method and path:
/// the routes are protocol facts (docs: comfyui-protocol.md §4), written here once.
///
/// `Command`s become these in the live layer; front ends that need a call outside the
/// reducer's commands (a download, the node catalogue) use them too.
public enum APIRequest: Sendable, Equatable {
    /// `POST /prompt`: submit a graph (the body carries prompt id, client id, priority).
    case submit(body: JSONValue)
    /// `GET /prompt`: the queue's length only (`exec_info.queue_remaining`).
    case queueLength
    /// `GET /queue`: what runs and waits, whoever submitted it.
    case queue
    /// `POST /queue {"delete": [...]}`: dequeue pending prompts (the running one is untouched).
    case deleteFromQueue([String])
    /// `POST /queue {"clear": true}`: remove every pending prompt.
    case clearQueue
    /// `POST /interrupt {"prompt_id"}`: stop that prompt if it is the one running.
    case interrupt(promptID: String)
    /// `GET /history/{id}`: one prompt's outcome and outputs (`{}` when unknown).
    case history(promptID: String)
    /// `GET /history?max_items=N`: the newest N entries.
    case recentHistory(maxItems: Int)
    /// `GET /system_stats`: versions, devices (the readiness probe).
    case systemStats
    /// `GET /features`: the server's feature flags.
    case features
    /// `GET /object_info`: the node catalogue (several MB).
    case objectInfo
    /// `GET /view?filename&subfolder&type`: an output file's bytes.
    case view(filename: String, subfolder: String, type: String)

    /// The HTTP method: `GET` or `POST` (its raw value is what goes on the wire).
    public enum Method: String, Sendable { case get = "GET", post = "POST" }

    /// The request's HTTP method.
    public var method: Method {
        switch self {
        case .submit, .deleteFromQueue, .clearQueue, .interrupt: .post
        default: .get
        }
    }

    /// The path (and query) under the server's base, without `/api`: what transcripts record.
    public var route: String {
        switch self {
        case .submit, .queueLength: "/prompt"
        case .queue, .deleteFromQueue, .clearQueue: "/queue"
        case .interrupt: "/interrupt"
        case .history(let id): "/history/\(Self.escapePath(id))"
        case .recentHistory(let n): "/history?max_items=\(n)"
        case .systemStats: "/system_stats"
        case .features: "/features"
        case .objectInfo: "/object_info"
        case .view(let filename, let subfolder, let type):
            "/view?filename=\(Self.escapeQuery(filename))&subfolder=\(Self.escapeQuery(subfolder))&type=\(Self.escapeQuery(type))"
        }
    }

    /// The JSON body of a POST.
    public var body: JSONValue? {
        switch self {
        case .submit(let body): body
        case .deleteFromQueue(let ids): .object([JSONField("delete", .array(ids.map(JSONValue.string)))])
        case .clearQueue: .object([JSONField("clear", true)])
        case .interrupt(let id): .object([JSONField("prompt_id", .string(id))])
        default: nil
        }
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters: a server-given
    /// name cannot smuggle `&`, `#` or `/` into a query or path.
    static func escapeQuery(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(UnicodeScalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 15)])
            }
        }
        return out
    }

    /// Prompt ids are UUIDs; anything else is escaped like a query value.
    static func escapePath(_ text: String) -> String { escapeQuery(text) }
}
