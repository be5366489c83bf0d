import ComfyCore
import Foundation
import Testing

@testable import ComfyShell

/// Tab after `submit FILE --set` (or `--vary`): the file's nodes, then their inputs, from
/// the workflow converted with the connected server's catalogue; `--seed`, `--on` and
/// submit's own options too.
@Suite struct InputCompletionTests {
    static let loop = EditorWorkflowRunTests.loop
    static let sd35 = EditorWorkflowRunTests.sd35

    /// A state whose server has read the recorded catalogue.
    static let connected: AppState = {
        var state = AppState()
        _ = ComfyReducer.reduce(
            &state, ComfyAction(at: Timestamp(seconds: 1), .http(.capabilities(ServerCapabilities.parse(EditorWorkflowRunTests.objectInfo)))))
        return state
    }()

    func complete(_ line: String, _ state: AppState = Self.connected) -> [String] {
        ShellCompletion.candidates(line: line, state: state)
    }

    @Test func afterSetTheNodesThenTheirInputs() {
        #expect(complete("submit \(Self.loop) --set ") == [#"Empty\ Image."#, "Progress.", #"Save\ Image."#, "1.", "2.", "3."])
        #expect(complete("submit \(Self.loop) --set Pro") == ["Progress."])
        #expect(
            complete("submit \(Self.loop) --set Progress.")
                == ["Progress.steps=", "Progress.delay=", "Progress.preview=", "Progress.preview_size=", "Progress.progress_text=", "Progress.seed="])
        #expect(complete("submit \(Self.loop) --set Progress.pre") == ["Progress.preview=", "Progress.preview_size="])
        // A blank in a title is escaped, as the tokenizer reads it back.
        #expect(complete(#"submit \#(Self.loop) --set Empty\ Image.w"#) == [#"Empty\ Image.width="#])
        #expect(complete("submit \(Self.loop) --front --vary 2.s") == ["2.steps=", "2.seed="])
        // Links are not values: SaveImage's images is not offered.
        #expect(complete("submit \(Self.loop) --set 3.") == ["3.filename_prefix="])
    }

    @Test func titlesThatTwoNodesShareAreOfferedByIdOnly() {
        // sd3.5: "Positive Prompt", "Negative Prompt", and nodes keeping their class's name.
        let nodes = complete("submit \(Self.sd35) --set ")
        #expect(nodes.contains(#"Positive\ Prompt."#))
        #expect(nodes.contains("KSampler."))
        #expect(nodes.contains("3."))
        #expect(complete("submit \(Self.sd35) --set KSampler.s") == ["KSampler.seed=", "KSampler.steps=", "KSampler.sampler_name=", "KSampler.scheduler="])
        let twice = InputCompletion.candidates(
            "", nodes: [.init(id: "1", title: "Encode", inputs: ["text"]), .init(id: "2", title: "Encode", inputs: ["text"])])
        #expect(twice == ["1.", "2."])
    }

    @Test func withoutACatalogueAnAPIFileOffersItsValuesAndAnEditorFileNothing() throws {
        let folder = try TestFolder()
        let api = try folder.workflow("api.json")
        #expect(complete("submit \(api) --set 1.", AppState()) == ["1.width=", "1.height=", "1.batch_size=", "1.color="])
        #expect(complete("submit \(Self.loop) --set ", AppState()) == [])
        #expect(complete("submit /no/such/file.json --set ") == [])
    }

    @Test func submitsOwnOptionsSeedsAndServers() {
        #expect(complete("submit \(Self.loop) --se") == ["--set", "--seed"])
        #expect(complete("submit \(Self.loop) --seed ") == ["saved", "fixed", "randomize"])
        #expect(complete("submit \(Self.loop) --on ") == ["default"])
        // Once the file is given, no more files are offered.
        #expect(complete("submit \(Self.loop) --watch ") == [])
        #expect(complete("submit de") == ["demo"])
    }

    @Test func theWordKeepsAnEscapedBlank() {
        #expect(Completion.word(beforeCursor: #"submit f.json --set Empty\ Ima"#) == #"Empty\ Ima"#)
        #expect(Completion.word(beforeCursor: #"submit a\\ b"#) == "b")
        #expect(Completion.outcome(word: "Pro", candidates: ["Progress."], nextCharacter: nil) == .init(replacement: "Progress.", listing: []))
    }
}
