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
            return Shapes.prompt
        case _ where !ok:
            return Shapes.failure
        case ("GET", "/queue"):
            return Shapes.queue
        case ("POST", "/queue"), ("POST", "/interrupt"):
            return Shapes.request
        case ("GET", "/prompt"), ("GET", "/features"), ("GET", "/system_stats"):
            return Shapes.response
        case ("GET", let p) where p == "/history" || p.hasPrefix("/history/"):
            return Shapes.history
        default:
            return Shapes.neither
        }
    }

    /// The shapes, made once (a replay asks for them per HTTP line).
    private enum Shapes {
        /// `accepted` and `rejected`: the request's graph (each node's class type), client
        /// id and prompt id; the response whole.
        static let prompt: (request: JSONShape, response: JSONShape) = (
            .object(
                [
                    ("prompt", .object([], others: .object([("class_type", .whole)], others: nil))),
                    ("client_id", .whole), ("prompt_id", .whole),
                ],
                others: nil),
            .whole
        )
        /// `errorMessage`.
        static let failure: (request: JSONShape, response: JSONShape) = (.skipped, .whole)
        /// `queueSnapshot`.
        static let queue: (request: JSONShape, response: JSONShape) = (
            .skipped, .object(lists, others: nil)
        )
        static let lists: [(name: StaticString, shape: JSONShape)] = [
            ("queue_running", .array([], rest: queueItem)), ("queue_pending", .array([], rest: queueItem)),
        ]
        static let request: (request: JSONShape, response: JSONShape) = (.whole, .skipped)
        static let response: (request: JSONShape, response: JSONShape) = (.skipped, .whole)
        /// `historyEntry`: every entry (counted), of each its prompt, status and outputs.
        static let history: (request: JSONShape, response: JSONShape) = (
            .skipped, .object([], others: .object(entry, others: nil))
        )
        static let entry: [(name: StaticString, shape: JSONShape)] = [("prompt", queueItem), ("status", .whole), ("outputs", .whole)]
        /// `.other`.
        static let neither: (request: JSONShape, response: JSONShape) = (.skipped, .skipped)
        /// `queueItem`: `[number, id, graph (its size only), extra (its client id), outputs]`.
        static let queueItem = JSONShape.array(
            [.whole, .whole, .object([], others: .skipped), .object([("client_id", .whole)], others: nil), .whole], rest: .skipped)
    }
}
