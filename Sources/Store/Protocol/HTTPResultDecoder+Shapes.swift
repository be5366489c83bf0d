/// The parts of an exchange's bodies that `HTTPResultDecoder.decode` reads, route by
/// route: bodies read with these shapes (`JSONReader.readValue(shape:)`) decode to the
/// same `HTTPResult` as whole trees, without building what is thrown away — a
/// `POST /prompt` body's inputs, a history entry's graph and metadata, a jobs listing.
/// `comfysh replay` reads a transcript's HTTP lines this way (`TranscriptLineDecoder`).
///
/// Kept beside `decode` on purpose: a change to what `decode` reads must change its
/// shape here too (`HTTPShapeTests` decodes every recorded exchange both ways).
extension HTTPResultDecoder {
    /// The shapes of the request and response bodies of an exchange, as `decode(method:
    /// path:status:request:response:)` reads them.
    public static func shapes(method: String, path: String, status: Int) -> (request: JSONShape, response: JSONShape) {
        let method = method.uppercased()
        let route = normalise(path)
        let ok = (200..<300).contains(status)
        switch (method, route.path) {
        case ("POST", "/prompt"):
            // `graph`: each node's class type, the client id; a rejection: the prompt id.
            let node = JSONShape.object([("class_type", .whole)], others: nil)
            let request = JSONShape.object(
                [("prompt", .object([], others: node)), ("client_id", .whole), ("prompt_id", .whole)], others: nil)
            return (request, .whole)
        case _ where !ok:
            return (.skipped, .whole)  // `errorMessage`
        case ("GET", "/queue"):
            let items = JSONShape.array([], rest: queueItem)
            let lists: [(name: StaticString, shape: JSONShape)] = [("queue_running", items), ("queue_pending", items)]
            return (.skipped, .object(lists, others: nil))
        case ("POST", "/queue"), ("POST", "/interrupt"):
            return (.whole, .skipped)
        case ("GET", "/prompt"), ("GET", "/features"), ("GET", "/system_stats"):
            return (.skipped, .whole)
        case ("GET", let p) where p == "/history" || p.hasPrefix("/history/"):
            // `historyEntry`: every entry (counted), of each its prompt, status and outputs.
            let fields: [(name: StaticString, shape: JSONShape)] = [("prompt", queueItem), ("status", .whole), ("outputs", .whole)]
            let entry = JSONShape.object(fields, others: nil)
            return (.skipped, .object([], others: entry))
        default:
            return (.skipped, .skipped)  // `.other`
        }
    }

    /// `queueItem`: `[number, id, graph (its size only), extra (its client id), outputs]`.
    static let queueItem = JSONShape.array(
        [.whole, .whole, .object([], others: .skipped), .object([("client_id", .whole)], others: nil), .whole], rest: .skipped)
}
