import ComfyCore
import Testing

/// Whatever a workflow file holds, the converter returns a prompt or a `ConversionError`
/// and the materializer a prompt: no crash, no hang. The fixtures, mutated at random
/// (nodes and links dropped, values and modes changed, links left dangling, types
/// swapped), seeded so a failure is reproducible.
@Suite struct ConverterPropertyTests {
    @Test func mutatedTemplatesNeverCrashTheConverter() throws {
        var random = SplitMix64(seed: 11)
        let converter = WorkflowConverter(catalog: WorkflowFixture.catalog)
        let materializer = PromptMaterializer(catalog: WorkflowFixture.catalog, seeds: .randomize)
        var converted = 0
        for name in WorkflowFixture.names {
            let original = try WorkflowFixture.json(name)
            for _ in 0..<15 {
                let json = Self.mutate(original, &random, rounds: 6)
                guard let workflow = try? EditorWorkflow(json: json) else { continue }
                if let prompt = try? converter.convert(workflow) {
                    converted += 1
                    _ = materializer.submission(prompt, index: 2, using: &random)
                    _ = WorkflowInputs.list(prompt, catalog: WorkflowFixture.catalog)
                }
            }
        }
        #expect(converted > 0)
    }

    /// Changes a random place of the document, `rounds` times.
    static func mutate(_ value: JSONValue, _ random: inout SplitMix64, rounds: Int) -> JSONValue {
        var out = value
        for _ in 0..<rounds { out = mutateOnce(out, &random, depth: 0) }
        return out
    }

    static func mutateOnce(_ value: JSONValue, _ random: inout SplitMix64, depth: Int) -> JSONValue {
        let roll = random.next() % 100
        switch value {
        case .array(var items) where !items.isEmpty:
            let i = Int(random.next() % UInt64(items.count))
            if roll < 15 { items.remove(at: i) } else { items[i] = mutateOnce(items[i], &random, depth: depth + 1) }
            return .array(items)
        case .object(var fields) where !fields.isEmpty:
            let i = Int(random.next() % UInt64(fields.count))
            if roll < 10 && depth > 0 {
                fields.remove(at: i)
            } else {
                fields[i].value = mutateOnce(fields[i].value, &random, depth: depth + 1)
            }
            return .object(fields)
        default:
            // A leaf: another value of any type, often a small number (a mode, a slot,
            // a link id that may not exist).
            switch roll % 7 {
            case 0: return .null
            case 1: return .bool(roll % 2 == 0)
            case 2: return .number(Double(Int(random.next() % 12) - 2))
            case 3: return .string(["randomize", "fixed", "*", "IMAGE", "", "-10", "{a|b}"][Int(random.next() % 7)])
            case 4: return .array([.number(Double(random.next() % 400)), .number(Double(random.next() % 4))])
            case 5: return .object([JSONField("__value__", .array([]))])
            default: return .number(Double(random.next() % 1000) / 7)
            }
        }
    }
}
