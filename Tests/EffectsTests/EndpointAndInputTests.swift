import ComfyLive
import Foundation
import ComfyCore
import Testing

@Suite struct EndpointTests {
    @Test func urlsFollowTheScheme() throws {
        let plain = try ServerEndpoint("http://127.0.0.1:8188")
        #expect(plain.webSocketURL(clientID: "abc") == "ws://127.0.0.1:8188/ws?clientId=abc")
        #expect(plain.url("/prompt") == "http://127.0.0.1:8188/prompt")
        let secure = try ServerEndpoint("https://comfy.example.com/base/")
        #expect(secure.port == 443)
        #expect(secure.webSocketURL(clientID: "abc") == "wss://comfy.example.com:443/base/ws?clientId=abc")
        #expect(secure.url("/history/x?max_items=5") == "https://comfy.example.com:443/base/history/x?max_items=5")
        #expect(secure.description == "https://comfy.example.com/base")
    }

    @Test func theAPIPrefixIsKeptForEveryRoute() throws {
        let api = try ServerEndpoint("http://host:8188/api")
        #expect(api.apiPrefix)
        #expect(api.webSocketURL(clientID: "c") == "ws://host:8188/api/ws?clientId=c")
        #expect(api.url("/queue") == "http://host:8188/api/queue")
    }

    @Test func aBareHostMeansHTTP() throws {
        let e = try ServerEndpoint("localhost:8188")
        #expect(!e.secure && e.host == "localhost" && e.port == 8188)
        #expect(try ServerEndpoint("wss://h").secure)  // never downgraded
    }

    @Test(arguments: [
        ("ftp://host", "unsupported scheme \"ftp\""),
        ("http://host:99999", "port 99999 is out of range"),
        ("http://host:abc", "bad port"),
        ("http://", "no host"),
    ])
    func badURLsSayWhy(text: String, reason: String) {
        #expect {
            try ServerEndpoint(text)
        } throws: { error in
            "\(error)".contains(reason)
        }
    }
}

@Suite struct ClientIdentityTests {
    @Test func theIdIsCreatedOnceKeptPrivateAndReused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("comfysh-id-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = ClientIdentity.persistent(in: dir)
        #expect(first.count == 32 && first.allSatisfy(\.isHexDigit))
        #expect(ClientIdentity.persistent(in: dir) == first)
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("client_id").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func xdgStateHomeIsHonoured() {
        #expect(ClientIdentity.stateDirectory(environment: ["XDG_STATE_HOME": "/x/state", "HOME": "/home/u"]).path == "/x/state/comfysh")
        #expect(ClientIdentity.stateDirectory(environment: ["HOME": "/home/u"]).path == "/home/u/.local/state/comfysh")
    }
}

@Suite struct WorkflowTests {
    func parse(_ text: String) throws(Workflow.Problem) -> Workflow { try Workflow.parse(Array(text.utf8), name: "w.json") }

    @Test func anAPIFormatGraphIsAccepted() throws {
        let w = try parse(#"{"1": {"class_type": "EmptyImage", "inputs": {}}, "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0]}}}"#)
        #expect(w.nodes.map(\.classType) == ["EmptyImage", "SaveImage"])
        let body = w.body(promptID: "p", clientID: "c", front: true)
        #expect(body["client_id"] == "c" && body["prompt_id"] == "p" && body["front"] == true)
        #expect(body["prompt"] == w.graph)
    }

    @Test func aWholePostBodyIsAcceptedToo() throws {
        #expect(try parse(#"{"prompt": {"1": {"class_type": "X", "inputs": {}}}, "client_id": "old"}"#).nodes.map(\.id) == ["1"])
    }

    @Test(arguments: [
        ("", "the file is empty"),
        ("  \n", "the file is empty"),
        ("{nope", "not JSON"),
        ("[1]", "not a workflow"),
        ("{}", "the workflow has no nodes"),
        (#"{"nodes": [], "links": [], "version": 0.4}"#, "this is a UI-format workflow"),
        (#"{"1": {"inputs": {}}}"#, "node \"1\" has no class_type"),
    ])
    func badWorkflowsSayWhat(text: String, reason: String) {
        #expect {
            try parse(text)
        } throws: { error in
            "\(error)".contains(reason)
        }
    }

    @Test func promptIDsAreLowercaseUUIDs() {
        let id = Workflow.newPromptID()
        #expect(id == id.lowercased() && UUID(uuidString: id) != nil)
    }
}

@Suite struct OutputFilesTests {
    @Test func outputsListEveryFileEntry() {
        let outputs = [
            JSONField("5", .object(["images": [.object(["filename": "a.png", "subfolder": "x", "type": "output"])]])),
            JSONField("9", .object(["gifs": [.object(["filename": "b.gif", "subfolder": "", "type": "temp"])], "text": ["hi"]])),
        ]
        #expect(OutputFiles.files(in: outputs).map(\.filename) == ["a.png", "b.gif"])
    }

    @Test(arguments: [
        ("../evil.png", ""), ("/etc/passwd", ""), ("a.png", "../up"), ("a.png", "/abs"), ("..", ""), ("a\\b.png", ""),
    ])
    func unsafeNamesFromTheServerAreRefused(filename: String, subfolder: String) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("comfysh-out-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = OutputFiles(http: StaticDownloads(bytes: [1, 2, 3]), folder: dir.path)
        let result = await files.download(.init(node: "1", filename: filename, subfolder: subfolder, type: "output"))
        guard case .refused = result else { Issue.record("\(result)"); return }
        #expect(!FileManager.default.fileExists(atPath: dir.deletingLastPathComponent().appendingPathComponent("evil.png").path))
    }

    @Test func filesAreNeverOverwrittenUnlessAsked() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("comfysh-out-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = OutputFiles.File(node: "1", filename: "a.png", subfolder: "sub", type: "output")
        let files = OutputFiles(http: StaticDownloads(bytes: [1, 2, 3]), folder: dir.path)
        #expect(await files.download(file) == .saved(path: dir.appendingPathComponent("sub/a.png").path, bytes: 3))
        #expect(await files.download(file) == .saved(path: dir.appendingPathComponent("sub/a (1).png").path, bytes: 3))
        let overwriting = OutputFiles(http: StaticDownloads(bytes: [9]), folder: dir.path, overwrite: true)
        #expect(await overwriting.download(file) == .saved(path: dir.appendingPathComponent("sub/a.png").path, bytes: 1))
        #expect(try Data(contentsOf: dir.appendingPathComponent("sub/a.png")) == Data([9]))
    }

    @Test func aSymlinkPlantedInTheFolderIsNotFollowed() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("comfysh-out-\(UUID().uuidString)")
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("comfysh-outside-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: dir)
            try? FileManager.default.removeItem(at: outside)
        }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("sub"), withDestinationURL: outside)
        let files = OutputFiles(http: StaticDownloads(bytes: [1]), folder: dir.path)
        let result = await files.download(.init(node: "1", filename: "a.png", subfolder: "sub", type: "output"))
        guard case .failed(_, let reason) = result else { Issue.record("\(result)"); return }
        #expect(reason.contains("leads outside"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)
    }
}

/// Answers every download with the same bytes.
struct StaticDownloads: ComfyHTTP {
    let bytes: [UInt8]
    func send(_ request: APIRequest, timeout: Duration) async -> HTTPExchange {
        HTTPExchange(request, status: 404, response: .string(""))
    }
    func download(_ request: APIRequest, timeout: Duration, maxBytes: Int) async -> HTTPDownload {
        HTTPDownload(status: 200, bytes: bytes)
    }
    func shutdown() async {}
}
