import ArgumentParser
import ComfyCore
import Foundation

/// `comfysh inputs FILE`: every input of a workflow that `--set` and `--vary` can change.
public struct InputsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "inputs",
        abstract: "List the inputs of a workflow that can be set, with what each accepts.",
        discussion: """
            One line per widget value of the converted workflow (see `comfysh convert`): the \
            node id and title (what --set NODE.INPUT=VALUE names), the class, the input, its \
            type, its current value, and its range or choices on the server. A value with a \
            "control after generate" says so (randomize: a fresh value per submission).

            With --json, a JSON array of {"node", "title", "class_type", "input", "type", \
            "value", "min", "max", "step" or "choices", "control_after_generate"}. Exit \
            status: 0; 2 bad input; 3 the server could not be reached.
            """
    )

    @Argument(help: ArgumentHelp("A workflow file: the editor's format or the API format.", valueName: "workflow.json"),
              completion: .file(extensions: ["json"]))
    var file: String

    @OptionGroup var server: ServerOptions
    @OptionGroup var catalogOptions: CatalogOptions

    @Flag(help: "A JSON array instead of a table.")
    var json = false

    public init() {}

    public func run() async throws {
        let inputs: [SettableInput]
        do throws(WorkflowSource.Failure) {
            let json = try WorkflowSource.read(file)
            let catalog = try await WorkflowSource.catalog(catalogOptions, server: server)
            inputs = WorkflowInputs.list(try WorkflowSource.prompt(json, from: file, catalog: catalog), catalog: catalog)
        } catch {
            Terminal.error("comfysh inputs: \(error)")
            throw ExitCode(error.exitCode)
        }
        Terminal.print(json ? JSONWriter.string(.array(inputs.map(\.json)), pretty: true) : Self.table(inputs))
    }

    /// Aligned columns; long texts and long choice lists are cut, with what was cut said.
    static func table(_ inputs: [SettableInput]) -> String {
        let header = ["NODE", "TITLE", "CLASS", "INPUT", "TYPE", "VALUE", "ACCEPTS"]
        let rows = inputs.map { input in
            [input.nodeID, cut(input.title, 28), cut(input.classType, 28), input.name, input.type,
             cut(oneLine(SettableInput.text(input.value)), 40) + (input.control.map { " (\($0.rawValue))" } ?? ""), accepts(input)]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    static func accepts(_ input: SettableInput) -> String {
        switch input.constraint {
        case .choices(let choices):
            let shown = choices.prefix(6).map { cut(SettableInput.text($0), 24) }.joined(separator: " | ")
            return choices.count > 6 ? "\(shown) | … (\(choices.count) choices)" : (choices.isEmpty ? "(no choices)" : shown)
        case .range(let min, let max, _):
            return "\(min.map(SettableInput.number) ?? "…")..\(max.map(SettableInput.number) ?? "…")"
        case .none:
            return input.type == "BOOLEAN" ? "true | false" : ""
        }
    }

    static func cut(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    static func oneLine(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "⏎").replacingOccurrences(of: "\n", with: "⏎")
    }
}
