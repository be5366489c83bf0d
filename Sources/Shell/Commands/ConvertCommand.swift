import ArgumentParser
import ComfyCore
import Foundation

/// `comfysh convert FILE`: an editor workflow as the API prompt the editor would send.
public struct ConvertCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a workflow saved by the editor to the API format, for a given server.",
        discussion: """
            The editor's format (what its plain "Save" writes: nodes, links, subgraphs) is \
            converted with the server's GET /object_info, as the editor itself converts it \
            when it queues (docs/workflows.md): widget values by input order, links through \
            reroutes, bypassed nodes passed through, muted nodes and notes left out, \
            subgraphs flattened. A file in the API format is read as it is. What cannot be \
            converted faithfully (a class the server lacks, a value only the editor can \
            capture) is an error naming the node.

            --set NODE.INPUT=VALUE changes an input first (NODE: a node id, or a title no \
            other node has); --vary NODE.INPUT=a,b,c or =1..8 makes one prompt per value, one \
            per combination with several. Values are checked against the input's type, range \
            and choices. A seed whose "control after generate" is randomize gets a fresh \
            value, as the editor gives one each time it queues (--seed fixed keeps the saved \
            values). `comfysh inputs FILE` lists what can be set.

            Output: the prompt as JSON; with --vary, one JSON object per line, \
            {"label", "prompt"}. Exit status: 0 converted; 2 bad input (the file, an option, \
            an input or value); 3 the server could not be reached.
            """
    )

    @Argument(help: ArgumentHelp("A workflow file: the editor's format or the API format.", valueName: "workflow.json"),
              completion: .file(extensions: ["json"]))
    var file: String

    @OptionGroup var server: ServerOptions
    @OptionGroup var catalogOptions: CatalogOptions

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Write the output here instead of standard output.", valueName: "file"))
    var output: String?

    @OptionGroup var choices: WorkflowOptions

    public init() {}

    public func run() async throws {
        let text: String
        do throws(WorkflowSource.Failure) {
            text = try await prompts()
        } catch {
            Terminal.error("comfysh convert: \(error)")
            throw ExitCode(error.exitCode)
        }
        guard let path = output else { return Terminal.print(text) }
        guard FileManager.default.createFile(atPath: path, contents: Data((text + "\n").utf8)) else {
            Terminal.error("comfysh convert: \(path): cannot write it")
            throw ExitCode(2)
        }
    }

    func prompts() async throws(WorkflowSource.Failure) -> String {
        let choices = try self.choices.parsed()
        let json = try WorkflowSource.read(file)
        let catalog = try await WorkflowSource.catalog(catalogOptions, server: server)
        var random = SystemRandomNumberGenerator()
        let prompts: [PreparedPrompt]
        do { prompts = try choices.prepare(json, catalogs: [catalog], using: &random) } catch {
            throw .input(error.message(file: file))
        }
        if choices.variations.isEmpty, let only = prompts.first {
            return JSONWriter.string(only.graph, pretty: true)
        }
        return prompts.map { prompt in
            JSONWriter.string(.object([JSONField("label", .string(prompt.label ?? "")), JSONField("prompt", prompt.graph)]))
        }.joined(separator: "\n")
    }
}
