import ArgumentParser
import ComfyShell

/// The executable's entry point: the `comfysh` command from the Shell library. `@main` on
/// an `AsyncParsableCommand` is what lets ArgumentParser run the async subcommands.
@main
struct Entry: AsyncParsableCommand {
    static let configuration = Comfysh.configuration
}
