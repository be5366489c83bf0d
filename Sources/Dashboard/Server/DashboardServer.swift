import ComfyCore
import ComfyLive
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore

/// The Hummingbird application: the page's files, the actions, `/view`, `/metrics`, and
/// the WebSocket at `/ws`, every one behind the `Gate`.
enum DashboardServer {
    static func application(dashboard: Dashboard, onRunning: @escaping @Sendable (Int) -> Void) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: GateMiddleware(gate: dashboard.gate))
        register(on: router, dashboard: dashboard)
        let gate = dashboard.gate
        let feed = dashboard.feed
        let webSocket = HTTP1WebSocketUpgradeChannel.Configuration(
            ws: .init(maxFrameSize: 1 << 16, autoPing: .enabled(timePeriod: .seconds(20)), closeTimeout: .seconds(2)))
        let server: HTTPServerBuilder = .http1WebSocketUpgrade(configuration: webSocket) { request, _, _ in
            // Refused upgrades are answered 400 with no body by Hummingbird (its status
            // cannot be chosen there): nothing of the state goes out.
            guard request.path?.split(separator: "?").first == "/ws", gate.check(request, changes: true) == .allowed else {
                return .dontUpgrade
            }
            return .upgrade([:], PageSession.handler(feed: feed))
        }
        return Application(
            router: router, server: server,
            configuration: .init(address: .hostname(dashboard.configuration.host, port: dashboard.configuration.port), serverName: nil),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? 0) },
            logger: dashboard.logger)
    }

    static func register(on router: Router<BasicRequestContext>, dashboard: Dashboard) {
        router.get("/") { _, _ in Replies.bytes(PageAssets.indexHTML.utf8, type: "text/html; charset=utf-8") }
        router.get("/dashboard.css") { _, _ in Replies.bytes(PageAssets.dashboardCSS.utf8, type: "text/css; charset=utf-8") }
        router.get("/dashboard.js") { _, _ in Replies.bytes(PageAssets.dashboardJS.utf8, type: "text/javascript; charset=utf-8") }
        router.get("/ws") { _, _ in Replies.error(.badRequest, "/ws is the page's WebSocket: an upgrade is expected") }
        router.get("/metrics") { _, _ in Replies.bytes(dashboard.metrics.text().utf8, type: "text/plain; version=0.0.4; charset=utf-8") }
        let configuration = dashboard.configuration
        guard let fleet = dashboard.fleet else {
            let readOnly = Replies.error(.serviceUnavailable, "this dashboard follows a store and cannot act on servers")
            router.get("/view") { _, _ in readOnly }
            for path in ["submit", "cancel", "interrupt", "clear"] { router.post("/api/\(path)") { _, _ in readOnly } }
            return
        }
        router.get("/view") { request, _ in await view(request, fleet: fleet) }

        let actions = Actions(fleet: fleet)
        router.post("/api/submit") { request, _ in
            let query = request.uri.queryParameters
            let front = query["front"] == "1" || query["front"] == "true"
            if query["demo"] != nil {
                guard configuration.demo else { return Replies.error(.badRequest, "the demo workflow is offered only with --demo") }
                return Replies.json(await actions.submit(Actions.demo, front: front))
            }
            let limit = Dashboard.maxUpload(fleet.store.state, fallback: configuration.defaultMaxUpload)
            let tooLarge = Replies.error(
                .contentTooLarge, "the workflow is larger than the server's max_upload_size (\(limit) bytes): nothing was submitted")
            // Said by its length before it is read, or found while reading it.
            if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { return tooLarge }
            var request = request
            let body: ByteBuffer
            do { body = try await request.collectBody(upTo: limit) } catch { return tooLarge }
            let name = query["name"].map { String($0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "upload.json"
            // Either format, as `run` and the shell's `submit` take it: one in the editor's
            // is converted with a server's catalogue here (checked before anything is
            // sent) and again by the server it goes to, with its own.
            let file: WorkflowFile
            do { file = try WorkflowFile.parse(Array(body.readableBytesView), name: String(name.prefix(200))) } catch {
                return Replies.error(.badRequest, "\(error): nothing was submitted")
            }
            let catalogs = fleet.catalogs().map(\.catalog)
            if file.isEditorFormat, catalogs.isEmpty {
                return Replies.error(
                    .serviceUnavailable,
                    "\(file.name) is in the editor's format, and no server's node catalogue (/object_info) has been read yet to convert it: nothing was submitted")
            }
            let workflows: [Workflow]
            do throws(WorkflowProblem) { workflows = try file.workflows(WorkflowChoices(), catalogs: catalogs) } catch {
                return Replies.error(.badRequest, "\(error.message(file: file.name)): nothing was submitted")
            }
            guard let workflow = workflows.first else { return Replies.error(.badRequest, "\(file.name): no workflow to submit") }
            return Replies.json(await actions.submit(workflow, front: front))
        }
        router.post("/api/cancel") { request, _ in
            guard let id = try await promptID(request) else { return Replies.error(.badRequest, "cancel needs {\"prompt_id\": ID}") }
            return Replies.json(await actions.perform(.cancel(id)))
        }
        router.post("/api/interrupt") { request, _ in
            Replies.json(await actions.perform(.interrupt(try await promptID(request))))
        }
        router.post("/api/clear") { _, _ in Replies.json(await actions.perform(.clear)) }
    }

    /// `{"prompt_id": "…"}` (a unique prefix will do); nil when there is none.
    static func promptID(_ request: Request) async throws -> String? {
        var request = request
        let body = try await request.collectBody(upTo: 1 << 16)
        guard body.readableBytes > 0, let value = try? JSONValue.parse(body.readableBytesView) else { return nil }
        return value["prompt_id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `/view?prompt=ID&node=N&kind=images&index=I`: an output file of a prompt (the
    /// `index`-th of `kind` in node `node`'s output), fetched from the server that made it
    /// with its client (its address, headers and token stay here). Only files a prompt's
    /// outputs name are served, and only with names `OutputFiles` accepts.
    static func view(_ request: Request, fleet: ComfyFleet) async -> Response {
        let query = request.uri.queryParameters
        guard let id = query["prompt"].map(String.init), let node = query["node"].map(String.init), let kind = query["kind"].map(String.init),
            let index = query["index"].flatMap({ Int($0) })
        else {
            return Replies.error(.badRequest, "/view needs ?prompt=ID&node=N&kind=K&index=I")
        }
        guard let record = fleet.store.state.queue.prompts[id] else { return Replies.error(.notFound, "no prompt \(id) is known") }
        let items = record.outputs.first { $0.key == node }?.value[kind]?.arrayValue ?? []
        guard items.indices.contains(index), let name = items[index]["filename"]?.stringValue else {
            return Replies.error(.notFound, "prompt \(id.prefix(8)) has no such output file")
        }
        // As `OutputFiles.files(in:)` reads an output's items.
        let file = OutputFiles.File(
            node: node, filename: name, subfolder: items[index]["subfolder"]?.stringValue ?? "", type: items[index]["type"]?.stringValue ?? "output")
        guard OutputFiles.isSafe(file) else { return Replies.error(.forbidden, "unsafe file name from the server") }
        guard let server = record.server ?? fleet.store.state.servers.first?.name, let client = await fleet.client(server) else {
            return Replies.error(.serviceUnavailable, "the server that made it is not in the fleet")
        }
        let answer = await client.http.download(file.request, timeout: .seconds(60), maxBytes: 64 << 20)
        guard let status = answer.status else {
            return Replies.error(.badGateway, "\(server): \(answer.failure?.description ?? "no answer")")
        }
        guard status == 200 else { return Replies.error(.badGateway, "\(server) answered HTTP \(status) for /view") }
        return Replies.bytes(answer.bytes, type: imageType(answer.contentType, name: file.filename), cache: "private, max-age=3600")
    }

    /// An image type the page can show, else bytes to download (never HTML or script).
    static func imageType(_ said: String?, name: String) -> String {
        let known = ["png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp", "gif": "image/gif"]
        if let said = said?.lowercased(), known.values.contains(where: { said.hasPrefix($0) }) { return said }
        let ext = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
        return known[ext] ?? "application/octet-stream"
    }
}

/// The Gate on every request; the page's `?token=` becomes a cookie; every answer carries
/// the security headers; errors are JSON with a sentence.
struct GateMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let gate: Gate

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = await answer(request, context: context, next: next)
        Replies.secure(&response)
        return response
    }

    private func answer(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async -> Response {
        if gate.token != nil, request.uri.path == "/", let token = request.uri.queryParameters["token"] {
            // Verified once; the cookie stands for it from now on, and the token leaves the address bar.
            guard gate.matches(token: String(token)) else { return Replies.unauthorized() }
            return Response(status: .seeOther, headers: [.location: "/", .setCookie: gate.cookie, .contentLength: "0"])
        }
        let changes = request.method != .get && request.method != .head
        switch gate.check(request.head, changes: changes) {
        case .unauthorized:
            return Replies.unauthorized()
        case .forbidden(let why):
            return Replies.error(.forbidden, why)
        case .allowed:
            do { return try await next(request, context) } catch let error as HTTPError {
                if error.status == .notFound {
                    return Replies.error(.notFound, "no such page: \(request.method.rawValue) \(request.uri.path)")
                }
                return Replies.error(error.status, error.body ?? error.status.reasonPhrase)
            } catch {
                return Replies.error(.badRequest, "\(error)")
            }
        }
    }
}
