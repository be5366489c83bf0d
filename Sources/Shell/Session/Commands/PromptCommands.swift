import ArgumentParser

extension REPL {
    struct Submit: REPLCommand {
        static let configuration = CommandConfiguration(
            commandName: "submit", abstract: "submit a workflow, the editor's format or the API format ('demo': the built-in sample)",
            usage: "submit FILE|demo [--set N.I=V] [--vary N.I=A,B] [--watch]…",
            discussion: """
                Options: --set N.I=V, --vary N.I=A,B (repeatable), --seed saved|fixed|randomize, --front, --watch, --on NAME. \
                A workflow saved by the editor is converted with the /object_info of the server it goes to. --set NODE.INPUT=VALUE \
                changes an input (NODE: a node id or a unique title; Tab completes them from the file); --vary NODE.INPUT=a,b,c or \
                =1..8 submits one prompt per value (the cross product with several); values are checked before anything is sent. \
                A seed whose control is randomize gets a fresh value per prompt (--seed fixed keeps the saved values). \
                --front jumps the queue; --watch follows the prompts until they end (Ctrl-C stops following, not the prompts); \
                --on runs them only on that server (repeatable).
                """)
        @Argument var workflow: String
        @Flag var front = false
        @Flag var watch = false
        @Option(name: .customLong("on")) var pinned: [String] = []
        @OptionGroup var choices: WorkflowOptions
        func run(in session: ShellSession) async {
            await session.submit(workflow, front: front, watch: watch, on: pinned, choices: choices)
        }
    }

    struct Cancel: REPLCommand {
        static let configuration = CommandConfiguration(
            commandName: "cancel", abstract: "cancel a prompt: dequeue it if pending, interrupt it if running", usage: "cancel ID",
            discussion: "Prompt ids may be shortened to a unique prefix, like git hashes.")
        @Argument var id: String
        func run(in session: ShellSession) async { await session.cancel(id) }
    }

    struct Interrupt: REPLCommand {
        static let configuration = CommandConfiguration(
            commandName: "interrupt", abstract: "interrupt our running prompt (never a bare global interrupt)", usage: "interrupt [ID]")
        @Argument var id: String?
        func run(in session: ShellSession) async { await session.interrupt(id) }
    }

    struct Clear: REPLCommand {
        static let configuration = CommandConfiguration(
            commandName: "clear", abstract: "remove every pending prompt from the server's queue", usage: "clear")
        func run(in session: ShellSession) async { await session.clearQueue() }
    }

    struct Outputs: REPLCommand {
        static let configuration = CommandConfiguration(
            commandName: "outputs", abstract: "a prompt's output files; --to downloads them into DIR", usage: "outputs ID [--to DIR]",
            discussion: "File names from the server are checked: no '..', no absolute paths, no links out of DIR, nothing overwritten.")
        @Argument var id: String
        @Option var to: String?
        func run(in session: ShellSession) async { await session.outputs(id, to: to) }
    }

    struct Watch: REPLCommand {
        static let configuration = CommandConfiguration(
            commandName: "watch", abstract: "follow progress live until Ctrl-C", usage: "watch")
        func run(in session: ShellSession) async { await session.watch(until: nil) }
    }
}
