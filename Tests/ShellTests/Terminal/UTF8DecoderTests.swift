import Testing

@testable import ComfyShell

/// Key input arrives a byte at a time: a character is returned once all its bytes are in,
/// and a bad byte becomes U+FFFD without holding up the keys after it.
@Suite struct UTF8DecoderTests {
    /// Feeds the bytes one by one: what each byte returns (nil: waiting for more).
    static func feed(_ bytes: [UInt8], into decoder: inout UTF8Decoder) -> [UInt32?] {
        bytes.map { decoder.add($0) }
    }

    @Test func aMultiByteCharacterComesOnceItsLastByteIsIn() {
        var decoder = UTF8Decoder()
        // "é" (2 bytes), "✓" (3), "🙂" (4), "a" (1), as separate reads.
        let bytes: [UInt8] = [0xC3, 0xA9, 0xE2, 0x9C, 0x93, 0xF0, 0x9F, 0x99, 0x82, 0x61]
        #expect(Self.feed(bytes, into: &decoder) == [nil, 0xE9, nil, nil, 0x2713, nil, nil, nil, 0x1F642, 0x61])
        #expect(decoder.isEmpty)
    }

    @Test func theDecoderHoldsTheStartOfACharacterUntilItIsComplete() {
        var decoder = UTF8Decoder()
        #expect(decoder.add(0xF0) == nil)
        #expect(decoder.add(0x9F) == nil)
        #expect(!decoder.isEmpty)
        #expect(decoder.pending == [0xF0, 0x9F])
        #expect(decoder.add(0x99) == nil)
        #expect(decoder.add(0x82) == 0x1F642)
        #expect(decoder.isEmpty)
        #expect(decoder.pending == [])
    }

    @Test func aByteThatCannotStartACharacterIsAReplacementCharacter() {
        var decoder = UTF8Decoder()
        // A lone continuation byte, the never-valid C0/C1/F5..FF leads, then a plain key.
        #expect(Self.feed([0x80, 0xC0, 0xC1, 0xF5, 0xFF, 0x62], into: &decoder) == [0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD, 0x62])
        #expect(decoder.isEmpty)
    }

    @Test func aSequenceBrokenOffIsReplacedAsSoonAsTheBadByteArrives() {
        var decoder = UTF8Decoder()
        // "é" cut short by "A": the A is part of the broken sequence, the "b" after it is fine.
        #expect(Self.feed([0xC3, 0x41, 0x62], into: &decoder) == [nil, 0xFFFD, 0x62])
        // Three of four bytes, then a new lead byte: it goes with the broken sequence, so the
        // continuation byte after it stands alone.
        #expect(Self.feed([0xF0, 0x9F, 0x99, 0xC3, 0xA9], into: &decoder) == [nil, nil, nil, 0xFFFD, 0xFFFD])
        #expect(decoder.isEmpty)
    }

    @Test func overlongFormsAndSurrogatesAreReplacedOnceComplete() {
        var decoder = UTF8Decoder()
        #expect(Self.feed([0xE0, 0x80, 0x80], into: &decoder) == [nil, nil, 0xFFFD])  // overlong NUL
        #expect(Self.feed([0xED, 0xA0, 0x80], into: &decoder) == [nil, nil, 0xFFFD])  // U+D800
        #expect(Self.feed([0xF4, 0x90, 0x80, 0x80], into: &decoder) == [nil, nil, nil, 0xFFFD])  // past U+10FFFF
        #expect(Self.feed([0xEF, 0xBF, 0xBD], into: &decoder) == [nil, nil, 0xFFFD])  // U+FFFD itself
        #expect(decoder.isEmpty)
    }

    @Test func decodeSaysWhatTheBytesSoFarAre() {
        #expect(UTF8Decoder.decode([]) == .incomplete)
        #expect(UTF8Decoder.decode([0x7F]) == .scalar(0x7F))
        #expect(UTF8Decoder.decode([0xDF, 0xBF]) == .scalar(0x7FF))
        #expect(UTF8Decoder.decode([0xF4, 0x8F, 0xBF]) == .incomplete)
        #expect(UTF8Decoder.decode([0xF4, 0x8F, 0xBF, 0xBF]) == .scalar(0x10FFFF))
        #expect(UTF8Decoder.decode([0xE2, 0x28]) == .invalid)
    }
}
