import ArgumentParser
import ComfyCore
import ComfyLive
import Foundation

/// Where `comfysh convert` and `comfysh inputs` get the server's node catalog: a recorded
/// `/object_info` file, or the server itself.
struct CatalogOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Use this recorded GET /object_info answer instead of asking the server.", valueName: "file"),
            completion: .file(extensions: ["json"]))
    var objectInfo: String?
}

/// `--set`, `--vary` and `--seed`: one set of options, parsed and checked by the same code
/// (`WorkflowChoices`), for `comfysh convert`, `comfysh run` and the shell's `submit`.
struct WorkflowOptions: ParsableArguments {
    @Option(name: .customLong("set"), help: ArgumentHelp("Set an input: NODE.INPUT=VALUE (NODE: a node id or a unique title; repeatable).", valueName: "NODE.INPUT=VALUE"))
    var sets: [String] = []

    @Option(name: .customLong("vary"), help: ArgumentHelp("One prompt per value: NODE.INPUT=a,b,c or =1..8 (repeatable: the cross product).", valueName: "NODE.INPUT=VALUES"))
    var varies: [String] = []

    @Option(help: ArgumentHelp("saved: each control as saved (randomize gets a fresh value); fixed: keep every saved value; randomize: a fresh value for every widget with a control.", valueName: "saved|fixed|randomize"))
    var seed: String = SeedPolicy.asSaved.rawValue

    init() {}

    init(sets: [String], varies: [String], seed: String) {
        self.sets = sets
        self.varies = varies
        self.seed = seed
    }

    /// The options parsed; an argument that is malformed is a bad input (exit 2).
    func parsed() throws(WorkflowSource.Failure) -> WorkflowChoices {
        do { return try WorkflowChoices.parse(sets: sets, varies: varies, seed: seed) } catch { throw .input(error.description) }
    }
}

/// A workflow file as a prompt: the editor's format converted with the catalog, the API
/// format read as it is.
enum WorkflowSource {
    /// Failures with their exit statuses: 2 for what the user gave, 3 for the server.
    enum Failure: Error, CustomStringConvertible {
        case input(String)
        case server(String)
        var description: String {
            switch self {
            case .input(let m), .server(let m): m
            }
        }
        var exitCode: Int32 {
            if case .server = self { return 3 }
            return 2
        }
    }

    /// The file as JSON, either format (the checks and words of `Workflow.contents`/`json`).
    static func read(_ path: String) throws(Failure) -> JSONValue {
        do { return try Workflow.json(Workflow.contents(path: path), name: path) } catch { throw .input(error.description) }
    }

    /// The node catalog: from `--object-info`, else `GET /object_info` of the server.
    static func catalog(_ options: CatalogOptions, server: ServerOptions) async throws(Failure) -> NodeCatalog {
        if let file = options.objectInfo {
            let json = try read(file)
            guard json.objectValue != nil else { throw .input("\(file): not an /object_info answer (a JSON object of classes)") }
            return NodeCatalog(objectInfo: json)
        }
        let configuration: ClientConfiguration
        do { configuration = try server.configuration() } catch { throw .input(error.description) }
        let http = AsyncHTTPComfyHTTP(
            endpoint: configuration.endpoint, headers: configuration.headers, extraCAFile: configuration.extraCAFile,
            connectTimeout: configuration.connectTimeout)
        let answer = await http.send(.objectInfo, timeout: .seconds(120))
        await http.shutdown()
        let endpoint = configuration.endpoint.description
        guard let status = answer.status else {
            throw .server("cannot reach \(endpoint): \(answer.failure?.description ?? "no answer")")
        }
        guard status == 200, let response = answer.response, response.objectValue != nil else {
            throw .server("\(endpoint) did not answer GET /object_info with a node catalog (HTTP \(status))")
        }
        return NodeCatalog(objectInfo: response)
    }

    /// The file (read first, so that a bad file is said before the server is asked) as a
    /// prompt for this catalog.
    static func prompt(_ json: JSONValue, from path: String, catalog: NodeCatalog) throws(Failure) -> APIPrompt {
        switch WorkflowFormat.detect(json) {
        case .editor:
            let workflow: EditorWorkflow
            do { workflow = try EditorWorkflow(json: json) } catch { throw .input("\(path): \(error)") }
            do { return try WorkflowConverter(catalog: catalog).convert(workflow) } catch { throw .input("\(path): \(error)") }
        case .api:
            return APIPrompt(apiJSON: json)
        case .apiRequest:
            return APIPrompt(apiJSON: json["prompt"] ?? .null)
        case .unknown(let why):
            throw .input("\(path): not a workflow: \(why)")
        }
    }
}
