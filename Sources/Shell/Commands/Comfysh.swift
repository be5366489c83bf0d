import ArgumentParser

/// `comfysh`: the root command. Subcommands are the script-friendly entry points.
public struct Comfysh: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "comfysh",
        abstract: "A client and shell for ComfyUI's real-time API.",
        discussion: """
            comfysh follows a ComfyUI server's WebSocket and HTTP API and keeps one state: \
            the connection, the queue and every prompt it knows, the running nodes, the \
            progress and a log. Every change is shown as a diff.

            Replay a recorded transcript to see a real server's traffic turn into state:
              comfysh replay Tests/Fixtures/comfyui/success_progress.jsonl
            """,
        version: "0.1.0",
        subcommands: [ReplayCommand.self]
    )

    public init() {}
}
