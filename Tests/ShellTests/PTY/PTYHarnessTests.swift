import Foundation
import Testing

/// The pseudo-terminal harness itself, proven on small programs before anything of ours runs
/// under it: a real terminal (Ctrl-C is SIGINT, the window has a size, SIGWINCH arrives),
/// expectations on the output and on the rendered screen, timeouts that fail instead of hang.
@Suite(.timeLimit(.minutes(1))) struct PTYHarnessTests {
    @Test func catEchoesWhatIsTypedAndCtrlCKillsIt() async throws {
        let pty = try PTYSession(command: ["/bin/cat"])
        pty.send("hello café ✓\r")
        // Once echoed by the terminal, once written back by cat.
        try await pty.expect("hello café ✓\nhello café ✓\n")
        let screen = try await pty.screen()
        #expect(screen.rows.prefix(2) == ["hello café ✓", "hello café ✓"])
        #expect(screen.cursor.row == 2 && screen.cursor.column == 0)
        pty.send("\u{03}")
        let exit = try await pty.wait()
        #expect(exit == .init(code: nil, signal: SIGINT))
        #expect(exit.status == 130)
    }

    @Test func aPromptingProgramIsAnsweredAndExits0() async throws {
        let pty = try PTYSession(command: ["python3", "-c", #"n = input("name? "); print("hello %s!" % n)"#])
        try await pty.expect(#"name\? $"#)
        pty.send("Zoë\r")
        #expect(try await pty.expect("hello .*!") == "hello Zoë!")
        #expect(try await pty.wait().status == 0)
    }

    @Test func theCommandHasATerminalOfTheGivenSizeAndTheTestsEnvironment() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("pty-state-\(UUID().uuidString)")
        let pty = try PTYSession(
            command: ["sh", "-c", #"tty; echo "TERM=$TERM STATE=$XDG_STATE_HOME"; stty size"#],
            environment: ["XDG_STATE_HOME": state.path], columns: 100, rows: 30)
        try await pty.expect("^/dev/pts/[0-9]+$")
        try await pty.expect("TERM=xterm-256color STATE=\(NSRegularExpression.escapedPattern(for: state.path))")
        try await pty.expect("^30 100$")
        #expect(try await pty.wait().status == 0)
    }

    @Test func aResizeSendsSIGWINCH() async throws {
        let script = """
            import os, signal, sys
            def show(*_):
                size = os.get_terminal_size()
                print("size %dx%d" % (size.columns, size.lines), flush=True)
            signal.signal(signal.SIGWINCH, show)
            show()
            input()
            """
        let pty = try PTYSession(command: ["python3", "-c", script])
        try await pty.expect("size 120x40")
        try await pty.resize(columns: 80, rows: 24)
        try await pty.expect("size 80x24")
        pty.send("\r")
        #expect(try await pty.wait().status == 0)
    }

    @Test func theScreenFollowsCursorMovementAndErasing() async throws {
        // Overwrite after a carriage return, erase to the end of the line, move up and rewrite:
        // what a line editor does when it redraws.
        let pty = try PTYSession(
            command: ["printf", #"first line\nsecond line\rSECOND\033[K\n\033[2A\033[5C!\n\n"#])
        let rows = try await pty.expectScreen("first!line\nSECOND$")
        #expect(rows.prefix(2) == ["first!line", "SECOND"])
        // The text stream has the escape sequences and carriage returns removed.
        try await pty.expect("second lineSECOND\n!\n")
        #expect(try await pty.wait().status == 0)
    }

    @Test func anUnmetExpectationFailsWithTheScreenInsteadOfHanging() async throws {
        let pty = try PTYSession(command: ["/bin/cat"])
        pty.send("typed\r")
        // It fails by its own timeout (the suite's time limit would catch a hang); how long
        // that took is not asserted: a loaded machine stretches it.
        let error = await #expect(throws: PTYSession.Failure.self) {
            try await pty.expect("never printed", timeout: .milliseconds(500))
        }
        #expect(error?.message.contains("timeout") == true)
        #expect(error?.screen.first == "typed")
        // Hanging up ends a command that would otherwise wait forever.
        #expect(await pty.close() == 128 + SIGHUP)
    }
}
