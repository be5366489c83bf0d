import CEditLine
import Testing

@testable import ComfyShell

/// The pure parts of the line editor: how wide text is on the screen, the prompt as libedit
/// wants it, what Tab does with the completer's candidates, what goes into the history.
@Suite struct LineEditorTextTests {
    init() {
        _ = ceditline_utf8_locale()  // what EditLineTerminal does first: wcwidth needs it
    }

    @Test func widthCountsColumnsNotBytesAndSkipsEscapeSequences() {
        #expect(TerminalText.width("café ✓") == 6)
        #expect(TerminalText.width("工作") == 4)
        #expect(TerminalText.width("\u{1B}[1;32mcomfysh>\u{1B}[0m ") == 9)
        #expect(TerminalText.width("\u{1B}]0;title\u{07}ok") == 2)
        #expect(TerminalText.width("a\u{01}b") == 2)
        #expect(TerminalText.width("a\u{01}b", controlsAsCaret: true) == 4)  // libedit shows ^A
        #expect(TerminalText.stripEscapes("\u{1B}[31mred\u{1B}[0m") == "red")
    }

    @Test func truncateKeepsWholeCharactersWithinTheWidth() {
        #expect(TerminalText.truncate("progress 50%", toWidth: 20) == "progress 50%")
        #expect(TerminalText.truncate("abcdef", toWidth: 3) == "abc")
        #expect(TerminalText.truncate("工作中", toWidth: 5) == "工作")
        // A colour cut short is reset, so it does not leak into the prompt.
        #expect(TerminalText.truncate("\u{1B}[33mwarning: long\u{1B}[0m", toWidth: 7) == "\u{1B}[33mwarning\u{1B}[0m")
    }

    @Test func thePromptMarksEscapeSequencesForLibedit() {
        #expect(TerminalText.libeditPrompt("\u{1B}[1mcomfysh>\u{1B}[0m ") == "\u{01}\u{1B}[1m\u{01}comfysh>\u{01}\u{1B}[0m\u{01} ")
        #expect(TerminalText.libeditPrompt("a\u{01}b\nc> ") == "abc> ")
    }

    @Test func rowsFollowTheTerminalWidth() {
        #expect(TerminalText.rowsAbove(columnsBefore: 79, columns: 80) == 0)
        #expect(TerminalText.rowsAbove(columnsBefore: 80, columns: 80) == 1)
        #expect(TerminalText.rowsAbove(columnsBefore: 170, columns: 80) == 2)
        #expect(TerminalText.rows(width: 0, columns: 80) == 1)
        #expect(TerminalText.rows(width: 80, columns: 80) == 1)
        #expect(TerminalText.rows(width: 81, columns: 80) == 2)
    }

    @Test func theWordIsFromTheLastBlankToTheCursor() {
        #expect(Completion.word(beforeCursor: "run wf") == "wf")
        #expect(Completion.word(beforeCursor: "run ") == "")
        #expect(Completion.word(beforeCursor: "sta") == "sta")
        #expect(Completion.word(beforeCursor: "") == "")
    }

    @Test func oneCandidateCompletesWithASpace() {
        #expect(
            Completion.outcome(word: "sta", candidates: ["status"], nextCharacter: nil)
                == .init(replacement: "status ", listing: []))
        // No second blank, and none after a folder or an option waiting for its value.
        #expect(
            Completion.outcome(word: "sta", candidates: ["status"], nextCharacter: " ")
                == .init(replacement: "status", listing: []))
        #expect(
            Completion.outcome(word: "wor", candidates: ["workflows/"], nextCharacter: nil)
                == .init(replacement: "workflows/", listing: []))
        #expect(
            Completion.outcome(word: "--ser", candidates: ["--server="], nextCharacter: nil)
                == .init(replacement: "--server=", listing: []))
    }

    @Test func severalCandidatesAreListedAndTheirCommonStartIsInserted() {
        #expect(
            Completion.outcome(word: "s", candidates: ["status", "stop", "status"], nextCharacter: nil)
                == .init(replacement: "st", listing: ["status", "stop"]))
        #expect(
            Completion.outcome(word: "r", candidates: ["run", "replay"], nextCharacter: nil)
                == .init(replacement: nil, listing: ["run", "replay"]))
        // Candidates that do not start with the word never shorten it.
        #expect(
            Completion.outcome(word: "Run", candidates: ["run", "rerun"], nextCharacter: nil)
                == .init(replacement: nil, listing: ["run", "rerun"]))
        #expect(
            Completion.outcome(word: "x", candidates: [], nextCharacter: nil) == .init(replacement: nil, listing: []))
        #expect(Completion.commonPrefix(["résumé", "résumés", "réservé"]) == "rés")
    }

    @Test func theListingIsInColumnsDownThenAcross() {
        #expect(Completion.columns(["a", "b", "c", "d", "e"], width: 7) == ["a  c  e", "b  d"])
        #expect(Completion.columns(["status", "stop"], width: 80) == ["status  stop"])
        #expect(Completion.columns(["a-very-long-name", "b"], width: 10) == ["a-very-long-name", "b"])
        #expect(Completion.columns([], width: 80) == [])
    }

    @Test func blankLinesAndLinesStartingWithASpaceStayOutOfTheHistory() {
        #expect(HistoryFile.belongsInHistory("status"))
        #expect(HistoryFile.belongsInHistory("run  wf.json "))
        #expect(!HistoryFile.belongsInHistory(""))
        #expect(!HistoryFile.belongsInHistory("   "))
        #expect(!HistoryFile.belongsInHistory("\t"))
        #expect(!HistoryFile.belongsInHistory(" login secret"))
    }

    @Test func keysAreDecodedFromUTF8ByteByByte() {
        func decode(_ bytes: [UInt8]) -> String {
            switch UTF8Decoder.decode(bytes) {
            case .scalar(let v): return "U+" + String(v, radix: 16, uppercase: true)
            case .incomplete: return "more"
            case .invalid: return "invalid"
            }
        }
        #expect(decode([0x61]) == "U+61")
        #expect(decode([0xC3]) == "more")
        #expect(decode([0xC3, 0xA9]) == "U+E9")
        #expect(decode([0xE2, 0x9C]) == "more")
        #expect(decode([0xE2, 0x9C, 0x93]) == "U+2713")
        #expect(decode([0xF0, 0x9F, 0x99, 0x82]) == "U+1F642")
        #expect(decode([0x80]) == "invalid")
        #expect(decode([0xC3, 0x41]) == "invalid")
        #expect(decode([0xED, 0xA0, 0x80]) == "invalid")  // a surrogate
    }

    @Test func printedTextBecomesScreenLines() {
        #expect(EditorSession.screenLines("one") == "one\r\n")
        #expect(EditorSession.screenLines("one\ntwo\n") == "one\r\ntwo\r\n")
        #expect(EditorSession.screenLines("one\r\n\ntwo") == "one\r\n\r\ntwo\r\n")
        #expect(EditorSession.screenLines("") == "\r\n")
    }
}
