import ArgumentParser
import ComfyCore
import ComfyLive
import Foundation

/// `comfysh jobs`: the jobs of the job store — every workflow run through `comfysh run`,
/// the shell or the dashboard, with its server, status, duration and outputs.
public struct JobsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List the jobs of the job store, show one, or download its outputs.",
        discussion: """
            Every job is written to the job store ($XDG_STATE_HOME/comfysh/jobs.sqlite, or \
            --jobs FILE) before it is sent, and kept up to date as it moves: a crash loses \
            none ('comfysh run --resume' takes them up again).

              comfysh jobs                       the newest jobs, a line each
              comfysh jobs show ID               one job (a unique prefix of its id will do)
              comfysh jobs download ID --to DIR  its outputs, from the server that made them

            Exit status: 0; 1 no such job; 2 bad options or an unreadable job store; 3 the \
            server that made the outputs cannot be reached.
            """,
        subcommands: [List.self, Show.self, Download.self],
        defaultSubcommand: List.self
    )

    public init() {}

    struct StoreOptions: ParsableArguments {
        @Option(help: ArgumentHelp("The job store (default: $XDG_STATE_HOME/comfysh/jobs.sqlite).", valueName: "file"))
        var jobs: String?

        /// The store, read only, or exit 2 with why.
        func open(_ command: String) throws -> SQLiteJobStore {
            do { return try SQLiteJobStore(path: jobs ?? SQLiteJobStore.defaultPath, writer: false) } catch {
                Terminal.error("comfysh jobs \(command): \(error)")
                throw ExitCode(2)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The newest jobs, a line each.")
        @OptionGroup var store: StoreOptions
        @Option(help: "How many.") var limit = 50
        @Flag(help: "One JSON object per job.") var json = false

        func run() async throws {
            let rows: [JobRow]
            do { rows = try await store.open("list").recent(limit: limit) } catch let error as JobStoreError {
                Terminal.error("comfysh jobs: \(error)")
                throw ExitCode(2)
            }
            if json {
                for row in rows { Terminal.print(JSONWriter.string(JobText.json(row))) }
            } else if rows.isEmpty {
                Terminal.print("no jobs yet")
            } else {
                for row in rows { Terminal.print(JobText.line(row)) }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "One job in full.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The job's prompt id, or a unique prefix of it.") var id: String
        @Flag(help: "As one JSON object (with the workflow).") var json = false

        func run() async throws {
            guard let row = try await JobText.find(id, in: store.open("show"), command: "show") else { throw ExitCode(1) }
            if json {
                var fields = JobText.json(row).objectValue ?? []
                fields.append(JSONField("workflow", row.workflow["prompt"] ?? row.workflow))
                Terminal.print(JSONWriter.string(.object(fields)))
            } else {
                Terminal.print(JobText.detail(row))
            }
        }
    }

    struct Download: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "download", abstract: "Download a job's outputs from the server that made them.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var server: ServerOptions
        @Argument(help: "The job's prompt id, or a unique prefix of it.") var id: String
        @Option(help: ArgumentHelp("The folder to save them in.", valueName: "dir")) var to: String
        @Flag(help: "Replace files that already exist.") var overwrite = false

        func run() async throws {
            guard let row = try await JobText.find(id, in: store.open("download"), command: "download") else { throw ExitCode(1) }
            guard !OutputFiles.files(in: row.outputs).isEmpty else {
                Terminal.print("no output files for \(row.id.prefix(8))")
                return
            }
            // The server that made them, by its name in the fleet the options describe.
            let configurations: [ClientConfiguration]
            do { (_, configurations) = try server.configurations(policy: FleetPolicy()) } catch {
                Terminal.error("comfysh jobs download: \(error)")
                throw ExitCode(2)
            }
            guard let made = row.server, let configuration = configurations.first(where: { $0.name == made }) ?? (configurations.count == 1 ? configurations.first : nil) else {
                Terminal.error("comfysh jobs download: \(row.id.prefix(8)) was made by \(row.server ?? "no server"), which is not in the fleet (--server \(row.server ?? "NAME")=URL)")
                throw ExitCode(2)
            }
            let http = AsyncHTTPComfyHTTP(
                endpoint: configuration.endpoint, headers: configuration.headers, extraCAFile: configuration.extraCAFile,
                connectTimeout: configuration.connectTimeout)
            let results = await OutputFiles(http: http, folder: to, overwrite: overwrite).download(row.outputs)
            await http.shutdown()
            var unreachable = false
            for result in results {
                switch result {
                case .saved(let path, let bytes): Terminal.print("  saved \(path) (\(bytes) bytes)")
                case .refused(let file, let reason): Terminal.error("comfysh jobs download: \(file.filename): \(reason)")
                case .failed(let file, let reason):
                    Terminal.error("comfysh jobs download: \(file.filename): \(reason)")
                    unreachable = true
                }
            }
            if unreachable { throw ExitCode(3) }
        }
    }
}

/// Jobs as people and scripts read them.
enum JobText {
    static func find(_ prefix: String, in store: SQLiteJobStore, command: String) async throws -> JobRow? {
        do {
            guard let row = try await store.job(matching: prefix) else {
                Terminal.error("comfysh jobs \(command): no job matches '\(prefix)' (or more than one does)")
                return nil
            }
            return row
        } catch {
            Terminal.error("comfysh jobs \(command): \(error)")
            throw ExitCode(2)
        }
    }

    /// `61c72f8c  succeeded  gpu1   12.3 s  2 file(s)  portrait.json`
    static func line(_ row: JobRow) -> String {
        let files = OutputFiles.files(in: row.outputs).count
        let duration = row.duration.map { EventText.seconds($0) } ?? "-"
        return [String(row.id.prefix(8)), row.status.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0),
                (row.server ?? "-").padding(toLength: 14, withPad: " ", startingAt: 0), duration.padding(toLength: 9, withPad: " ", startingAt: 0),
                "\(files) file(s)", row.label ?? ""].joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }

    static func detail(_ row: JobRow) -> String {
        var rows: [(String, String)] = [("job", row.id), ("status", row.status.rawValue), ("server", row.server ?? "-")]
        if let label = row.label { rows.append(("label", label)) }
        if !row.sentTo.isEmpty { rows.append(("sent to", row.sentTo.joined(separator: " → "))) }
        if row.reruns > 0 { rows.append(("reruns", "\(row.reruns)")) }
        rows.append(("submitted", Self.date(row.submittedAt)))
        if let started = row.startedAt { rows.append(("started", Self.date(started))) }
        if let finished = row.finishedAt { rows.append(("finished", Self.date(finished))) }
        if let duration = row.duration { rows.append(("ran", EventText.seconds(duration))) }
        for file in OutputFiles.files(in: row.outputs) {
            rows.append(("node \(file.node)", "\(file.subfolder.isEmpty ? "" : file.subfolder + "/")\(file.filename) (\(file.type))"))
        }
        if let error = row.error {
            rows.append(("error", "\(error["exception_type"]?.stringValue ?? "error") at node \(error["node_id"]?.stringValue ?? "?")"))
        }
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { "  " + $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }

    static func json(_ row: JobRow) -> JSONValue {
        .object([
            JSONField("prompt_id", .string(row.id)), JSONField("status", .string(row.status.rawValue)), JSONField("server", row.server.json),
            JSONField("sent_to", row.sentTo.json), JSONField("label", row.label.json), JSONField("reruns", .number(Double(row.reruns))),
            JSONField("submitted_at", .number(row.submittedAt)), JSONField("started_at", row.startedAt.json),
            JSONField("finished_at", row.finishedAt.json), JSONField("duration", row.duration.json),
            JSONField("outputs", .object(row.outputs)), JSONField("error", row.error ?? .null),
        ])
    }

    static func date(_ seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}
