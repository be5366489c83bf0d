// A front end in 50 lines: a watcher on the public API of ComfyCore and ComfyLive only.
//
//     swift run miniwatch [URL] [COUNT]
//
// Connects to URL (default: $COMFY_URL, else http://127.0.0.1:8188), prints the life of
// every prompt that passes through the server — whoever submitted it — and of the
// connection, and exits after COUNT prompts have finished (default: never).
import ComfyCore
import ComfyLive
import Foundation

let arguments = CommandLine.arguments.dropFirst()
let settings = ServerSettings(url: arguments.first)
let stopAfter = arguments.dropFirst().first.flatMap { Int($0) } ?? .max

let configuration: ClientConfiguration
do { configuration = try settings.configuration() } catch {
    print("miniwatch: \(error)")
    exit(2)
}
let client: ComfyClient
do { client = try await ComfyClient.open(configuration) } catch {
    print("miniwatch: \(error)")
    exit(error.kind == .refused ? 2 : 3)
}
print("watching \(configuration.endpoint)")

var finished = 0
for await event in client.events() {
    switch event {
    case .connection(let change) where change.kind == .lost:
        print("connection lost: \(change.reason?.description ?? "?")")
    case .connection(let change) where change.kind == .restored:
        print("connection restored")
    case .started(let prompt):
        print("\(prompt.id.prefix(8)) running (\(prompt.owner.rawValue))")
    case .progress(let step):
        print("\(step.promptID.prefix(8)) \(Int(step.fraction * 100))%")
    case .finished(let prompt):
        let files = prompt.outputs.count
        print("\(prompt.id.prefix(8)) \(prompt.status.rawValue) with \(files) output node(s)")
        finished += 1
    default:
        continue
    }
    if finished >= stopAfter { break }
}
await client.stop()
