import Hummingbird

/// The HTTP routes of `server.py` the client uses, each also under `/api`.
enum Routes {
    static func register(on router: Router<BasicRequestContext>, core: SimulatorCore) {
        for base in ["", "/api"] {
            let group = router.group(RouterPath(base.isEmpty ? "" : base))
            registerQueue(on: group, core: core)
            registerHistory(on: group, core: core)
            registerInfo(on: group, catalog: core.configuration.catalog)
            registerView(on: group, core: core)
        }
    }

    private static func registerQueue(on group: RouterGroup<BasicRequestContext>, core: SimulatorCore) {
        group.get("prompt") { _, _ in
            HTTPReplies.json(await core.statusInfo)
        }
        group.post("prompt") { request, _ in
            guard let body = try await HTTPReplies.jsonBody(request) else { return HTTPReplies.serverError() }
            return HTTPReplies.reply(await core.submit(body))
        }
        group.get("queue") { _, _ in
            HTTPReplies.json(await core.queueSnapshot)
        }
        group.post("queue") { request, _ in
            guard let body = try await HTTPReplies.jsonBody(request) else { return HTTPReplies.serverError() }
            await core.modifyQueue(body)
            return HTTPReplies.empty()
        }
        group.post("interrupt") { request, _ in
            // No body, or a body that is not JSON: a global interrupt.
            let body = try await HTTPReplies.jsonBody(request)
            await core.interrupt(promptID: body?["prompt_id"].map { PythonConversions.str($0).string ?? "" })
            return HTTPReplies.empty()
        }
    }

    private static func registerHistory(on group: RouterGroup<BasicRequestContext>, core: SimulatorCore) {
        group.get("history") { request, _ in
            let query = query(request)
            // `int(...)` of a parameter that is not an integer raises: a 500.
            var maxItems: Int?
            var offset: Int?
            if let text = query["max_items"] {
                guard let value = Int(text) else { return HTTPReplies.serverError() }
                maxItems = value
            }
            if let text = query["offset"] {
                guard let value = Int(text) else { return HTTPReplies.serverError() }
                offset = value
            }
            return HTTPReplies.json(await core.historyPage(maxItems: maxItems, offset: offset))
        }
        group.get("history/:prompt_id") { _, context in
            let id = context.parameters.get("prompt_id") ?? ""
            return HTTPReplies.json(await core.historyEntry(id))
        }
        group.post("history") { request, _ in
            guard let body = try await HTTPReplies.jsonBody(request) else { return HTTPReplies.serverError() }
            await core.modifyHistory(body)
            return HTTPReplies.empty()
        }
    }

    private static func registerInfo(on group: RouterGroup<BasicRequestContext>, catalog: SimulatorCatalog) {
        group.get("system_stats") { _, _ in HTTPReplies.json(ServerInfo.systemStats) }
        group.get("features") { _, _ in HTTPReplies.json(ServerInfo.featureFlags) }
        group.get("object_info") { _, _ in HTTPReplies.json(catalog.objectInfo) }
        group.get("object_info/:node_class") { _, context in
            let name = context.parameters.get("node_class") ?? ""
            guard let nodeClass = catalog.named(name) else { return HTTPReplies.json(.emptyObject) }
            return HTTPReplies.json(.object([PyField(name, nodeClass.objectInfo)]))
        }
    }

    private static func registerView(on group: RouterGroup<BasicRequestContext>, core: SimulatorCore) {
        group.get("view") { request, _ in
            await ViewRoute.respond(to: query(request), core: core)
        }
    }

    /// The query parameters, percent-decoded; the first of repeated keys wins.
    static func query(_ request: Request) -> [String: String] {
        var out: [String: String] = [:]
        for (key, value) in request.uri.queryParameters where out[String(key)] == nil { out[String(key)] = String(value) }
        return out
    }
}
