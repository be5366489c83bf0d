import Foundation
import ComfySimulator
import ComfyCore

/// Plays a recording's client actions against a fresh simulator: opens and closes
/// sockets, replays HTTP requests (with the simulator's prompt ids substituted for the
/// recorded ones), each at the same point — after as many frames as the recorder had
/// received by then.
///
/// `holds` pins the worker for actions whose point depends on timing: for action `k`,
/// `holds[k] = n` means "with the worker held after `n` steps in total" (the recorder
/// interrupted "after the 2nd progress"). Actions before the last held one keep the
/// worker where it is; actions after it run with the worker free.
struct ScenarioRunner {
    struct Exchange {
        let method: String
        let path: String
        let recordedStatus: Int
        let recordedResponse: JSONValue
        let reply: HTTP.Reply
    }

    struct Result {
        /// Frames received per socket, in the recording's socket numbering.
        var frames: [Int: [ReceivedFrame]] = [:]
        /// Their tokens.
        var received: [Int: [String]] { frames.mapValues { $0.map(\.token) } }
        var exchanges: [Exchange] = []
        /// Recorded prompt id → the simulator's.
        var promptIDs: [String: String] = [:]
    }

    let recording: Recording
    let simulator: ComfyUISimulator
    var holds: [Int: Int] = [:]

    func run() async throws -> Result {
        var result = Result()
        var sockets: [Int: TestSocket] = [:]
        var openSockets = 0
        var stepsTaken = 0
        let lastHold = holds.keys.max()
        if lastHold != nil { await simulator.setPaused(true) }
        defer { for socket in sockets.values { socket.cancel() } }

        for (index, step) in recording.steps.enumerated() {
            if let lastHold {
                if index <= lastHold {
                    let target = holds[index] ?? stepsTaken
                    await simulator.advance(steps: target - stepsTaken)
                    stepsTaken = target
                } else if index == lastHold + 1 {
                    await simulator.setPaused(false)
                }
            }
            for (number, count) in step.framesBefore {
                await sockets[number]?.log.wait(forCount: count)
            }
            switch step.action {
            case .open(let number, let path, let send):
                let socket = TestSocket(url: "ws://127.0.0.1:\(simulator.port)\(path)", sendOnOpen: send)
                sockets[number] = socket
                openSockets += 1
                if send.contains(where: { $0.contains("\"feature_flags\"") }) {
                    await socket.log.wait(forType: "feature_flags")
                } else {
                    await socket.log.wait(forType: "status")
                }
            case .close(let number):
                await sockets[number]?.close()
                openSockets -= 1
                await simulator.waitForConnectionCount(openSockets)
                result.frames[number] = await sockets[number]?.log.frames
            case .http(let method, let path, let request, let status, let response):
                let reply = try await HTTP.send(
                    method, simulator.baseURL + substitute(path, result.promptIDs),
                    body: request.isNull ? nil : substitute(JSONWriter.string(request), result.promptIDs))
                if method == "POST", path.hasSuffix("/prompt"), status == 200, let recorded = response["prompt_id"]?.stringValue,
                    let actual = reply.json?["prompt_id"]?.stringValue
                {
                    result.promptIDs[recorded] = actual
                }
                result.exchanges.append(
                    Exchange(method: method, path: path, recordedStatus: status, recordedResponse: response, reply: reply))
            }
        }
        for (number, socket) in sockets where result.frames[number] == nil {
            result.frames[number] = await socket.log.frames
        }
        return result
    }

    private func substitute(_ text: String, _ ids: [String: String]) -> String {
        var text = text
        for (recorded, actual) in ids { text = text.replacingOccurrences(of: recorded, with: actual) }
        return text
    }
}
