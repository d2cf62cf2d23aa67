import LoreEmbed
import LoreTestSupport
import Testing

/// The tokenizer gives the same ids as Hugging Face's tokenizer for all-MiniLM-L6-v2 on the
/// committed reference strings (accents, CJK, emoji, control characters, long words, URLs,
/// code, empty strings, truncation at 256).
@Suite("WordPiece tokenizer parity with Hugging Face")
struct TokenizerParityTests {
    @Test("at least 200 reference strings, every one identical")
    func identicalIDs() {
        let cases = ReferenceFixtures.tokenizerCases
        #expect(cases.count >= 200)
        var mismatches: [String] = []
        for c in cases {
            let ids = TestModel.tokenizer.encode(c.text, maxLength: 256)
            if ids != c.ids {
                mismatches.append(
                    "\(c.text.unicodeScalars.map { String($0.value, radix: 16) }.prefix(12)): got \(ids.prefix(12)) want \(c.ids.prefix(12))"
                )
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(cases.count) differ:\n\(mismatches.prefix(10).joined(separator: "\n"))")
    }
}

extension TokenizerParityTests {
    @Test("a CJK compatibility ideograph is isolated, then normalised to its unified form")
    func compatibilityIdeograph() {
        #expect(TestModel.tokenizer.tokenStrings("\u{F967}") == ["不"])
    }

    @Test("verbatim special tokens in text are recognised, as Hugging Face's added tokens are")
    func specialTokensInText() {
        #expect(TestModel.tokenizer.tokenize("a [SEP] b") == [1037, 102, 1038])
        #expect(TestModel.tokenizer.countTokens("a [SEP] b") == 3)
    }
}
