import ArgumentParser
import ComfyShell
import Foundation

/// The executable's entry point: the `comfysh` command from the ComfyShell library.
///
/// Parsed and run here rather than by `AsyncParsableCommand.main()` for one reason: a
/// usage error (an unknown option or subcommand, a missing argument, a value that does not
/// parse) exits with status 2, as `--help` and docs/reliability.md promise, where
/// swift-argument-parser's default is 64.
@main
enum Entry {
    static func main() async {
        do {
            var command = try Comfysh.parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            if Comfysh.exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((Comfysh.fullMessage(for: error) + "\n").utf8))
                exit(2)
            }
            Comfysh.exit(withError: error)
        }
    }
}
