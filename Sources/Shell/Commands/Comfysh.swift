import ArgumentParser

/// `comfysh`: the root command. Subcommands are the script-friendly entry points.
public struct Comfysh: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "comfysh",
        abstract: "A client and shell for ComfyUI's real-time API.",
        discussion: """
            comfysh follows a ComfyUI server's WebSocket and HTTP API and keeps one state: \
            the connection, the queue and every prompt it knows, the running nodes, the \
            progress and a log. Every change is shown as a diff.

            With no subcommand, the interactive shell ('comfysh --demo' to try it with a \
            simulated server). Or run workflows, follow a server, replay a recording:
              comfysh --demo
              comfysh run workflow_api.json --server http://127.0.0.1:8188
              comfysh watch
              comfysh replay Tests/Fixtures/comfyui/success_progress.jsonl
              comfysh inputs workflow.json
              comfysh convert workflow.json --set KSampler.seed=42 -o workflow_api.json

            The server defaults to $COMFY_URL, else http://127.0.0.1:8188; $COMFY_TOKEN, \
            when set, is sent as a bearer token.
            """,
        version: "0.1.0",
        subcommands: [ShellCommand.self, RunCommand.self, WatchCommand.self, JobsCommand.self, ReplayCommand.self, ConvertCommand.self, InputsCommand.self],
        defaultSubcommand: ShellCommand.self
    )

    public init() {}
}
