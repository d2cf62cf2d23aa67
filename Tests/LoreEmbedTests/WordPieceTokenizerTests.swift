import LoreEmbed
import LoreTestSupport
import Testing

/// The tokenizer against BERT-uncased behaviour, as Hugging Face's `tokenizers` gives it for
/// all-MiniLM-L6-v2 (expected tokens and ids checked with `Tokenizer.from_file("tokenizer.json")`).
@Suite("WordPiece tokenizer")
struct WordPieceTokenizerTests {
    let tokenizer = TestModel.tokenizer

    @Test(
        "text is lower-cased and split at whitespace and punctuation",
        arguments: [
            ("Hello, World!", ["hello", ",", "world", "!"]),
            ("The quick brown fox.", ["the", "quick", "brown", "fox", "."]),
            ("don't", ["don", "'", "t"]),
            ("U.S.A.", ["u", ".", "s", ".", "a", "."]),
            ("e-mail: someone@example.com", ["e", "-", "mail", ":", "someone", "@", "example", ".", "com"]),
            ("$100 C++ foo_bar", ["$", "100", "c", "+", "+", "foo", "_", "bar"]),
            ("3.14159", ["3", ".", "141", "##59"]),
            ("¿Qué? «quote»", ["¿", "que", "?", "«", "quote", "»"]),
            ("tab\tnew\nline\r\nend", ["tab", "new", "line", "end"]),
            ("x\u{00A0}y\u{3000}z", ["x", "y", "z"])  // no-break and ideographic spaces are whitespace
        ])
    func basicSplitting(_ text: String, _ tokens: [String]) {
        #expect(tokenizer.tokenStrings(text) == tokens)
    }

    @Test("the ids are the vocabulary's")
    func ids() {
        #expect(tokenizer.tokenize("Hello, World!") == [7592, 1010, 2088, 999])
        #expect(tokenizer.vocabulary.count == 30522)
        #expect(tokenizer.vocabulary.id(of: "hello") == 7592)
        #expect(tokenizer.vocabulary.tokens[7592] == "hello")
    }

    @Test(
        "accents are stripped, precomposed or decomposed",
        arguments: [
            ("Café", ["cafe"]), ("Cafe\u{301}", ["cafe"]), ("naïve résumé", ["naive", "resume"]),
            ("CAFÉ au LAIT", ["cafe", "au", "lai", "##t"]),
            ("İstanbul", ["istanbul"]), ("Pokémon", ["pokemon"]), ("à la carte", ["a", "la", "cart", "##e"])
        ])
    func accents(_ text: String, _ tokens: [String]) {
        #expect(tokenizer.tokenStrings(text) == tokens)
    }

    @Test("letters without decomposition are kept, lower-cased: ß, Greek, superscripts")
    func otherLetters() {
        #expect(tokenizer.tokenStrings("straße") == ["st", "##raße"])
        #expect(tokenizer.tokenStrings("Ωmega ΣΑΣ") == ["ω", "##me", "##ga", "σ", "##α", "##σ"])
        #expect(tokenizer.tokenStrings("x²") == ["x", "##²"])
    }

    @Test("a word the vocabulary lacks is cut into the longest pieces, continuations marked ##")
    func continuationPieces() throws {
        #expect(tokenizer.tokenStrings("unaffable") == ["una", "##ffa", "##ble"])
        #expect(tokenizer.tokenize("unaffable") == [14477, 20961, 3468])
        #expect(tokenizer.tokenStrings("tokenization") == ["token", "##ization"])
        #expect(tokenizer.tokenStrings("embeddings") == ["em", "##bed", "##ding", "##s"])
        // The pieces are real vocabulary entries; the unsplit words are not.
        #expect(tokenizer.vocabulary.id(of: "##ffa") == 20961)
        #expect(tokenizer.vocabulary.id(of: "##ization") == 3989)
        #expect(tokenizer.vocabulary.id(of: "unaffable") == nil)
        #expect(tokenizer.vocabulary.id(of: "ffa") != tokenizer.vocabulary.id(of: "##ffa"))
    }

    @Test("CJK characters are split one per token, even inside a word")
    func cjk() {
        #expect(tokenizer.tokenStrings("中国人") == ["中", "国", "人"])
        #expect(tokenizer.tokenStrings("日本語") == ["日", "本", "語"])
        #expect(tokenizer.tokenStrings("hello你好world") == ["hello", "[UNK]", "[UNK]", "world"])
        #expect(tokenizer.tokenStrings("你好世界") == ["[UNK]", "[UNK]", "世", "[UNK]"])
    }

    @Test("control and format characters are dropped, without splitting the word")
    func controlCharacters() {
        #expect(tokenizer.tokenStrings("a\u{0}b\u{7}c") == ["abc"])
        #expect(tokenizer.tokenStrings("\u{200B}zero\u{AD}width") == ["zero", "##wi", "##dt", "##h"])
        #expect(tokenizer.tokenStrings("\u{FEFF}BOM") == ["bo", "##m"])
        #expect(tokenizer.tokenize("\u{0}\u{1}\u{7F}") == [])
    }

    @Test("a word over 100 characters is one [UNK]; 100 characters are still split")
    func longWords() {
        #expect(tokenizer.tokenStrings(String(repeating: "x", count: 101)) == ["[UNK]"])
        #expect(tokenizer.tokenize(String(repeating: "x", count: 101)) == [100])
        #expect(tokenizer.tokenStrings(String(repeating: "x", count: 100)) == ["xx"] + Array(repeating: "##xx", count: 49))
        #expect(tokenizer.tokenStrings("a " + String(repeating: "é", count: 101) + " b") == ["a", "[UNK]", "b"])
    }

    @Test("symbols outside the vocabulary are [UNK]; no NFKC folding")
    func unknown() {
        #expect(tokenizer.tokenStrings("emoji 😀 ok") == ["em", "##oj", "##i", "[UNK]", "ok"])
        #expect(tokenizer.tokenStrings("ＡＢＣ") == ["[UNK]"])
        #expect(tokenizer.tokenStrings("ﬁne") == ["ﬁ", "##ne"])
    }

    @Test("encode adds [CLS] = 101 and [SEP] = 102")
    func encodeSpecialTokens() {
        #expect(tokenizer.encode("Hello, World!") == [101, 7592, 1010, 2088, 999, 102])
        #expect(tokenizer.encode("") == [101, 102])
        #expect((tokenizer.clsID, tokenizer.sepID, tokenizer.unknownID, tokenizer.padID) == (101, 102, 100, 0))
        #expect(tokenizer.specialTokenCount == 2)
    }

    @Test("encode truncates to 256 ids, [SEP] last, cutting inside a word if it must")
    func encodeTruncates() {
        let words = tokenizer.encode(String(repeating: "word ", count: 300))
        #expect(words.count == 256)
        #expect(words.first == 101 && words.last == 102)
        #expect(words.dropFirst().dropLast().allSatisfy { $0 == 2773 })
        let pieces = tokenizer.encode(String(repeating: "unaffable ", count: 200))
        #expect(pieces.count == 256)
        #expect(pieces.suffix(4) == [3468, 14477, 20961, 102])
        #expect(tokenizer.encode(String(repeating: "word ", count: 300), maxLength: 10).count == 10)
        #expect(tokenizer.encode(String(repeating: "word ", count: 254)).count == 256)
        #expect(tokenizer.maxSequenceLength == 256)
    }

    @Test(
        "countTokens equals the number of tokens, and pre-token counts add up to it",
        arguments: [
            "Hello, World!", "unaffable tokenization", "中国人 hello你好world", "", "   ", String(repeating: "x", count: 150) + " y",
            "Café naïve résumé — “quoted” text, with 1,000,000 numbers and https://example.com/a?b=c#d."
        ])
    func countsAgree(_ text: String) {
        let n = tokenizer.tokenize(text).count
        #expect(tokenizer.countTokens(text) == n)
        var sum = 0
        var copy = text
        copy.withUTF8 { tokenizer.forEachPretoken(in: $0) { _, count in sum += count } }
        #expect(sum == n)
    }

    @Test("pre-tokens report their byte ranges in the input")
    func pretokenRanges() {
        var seen: [(Range<Int>, Int)] = []
        var text = "Hello, Wörld! unaffable"
        text.withUTF8 { tokenizer.forEachPretoken(in: $0) { seen.append(($0, $1)) } }
        #expect(seen.map(\.0) == [0..<5, 5..<6, 7..<13, 13..<14, 15..<24])
        #expect(seen.map(\.1) == [1, 1, 1, 1, 3])
    }

    @Test("a tiny vocabulary: greedy longest match, and a word with an uncovered part is one [UNK]")
    func tinyVocabulary() throws {
        let vocab = Vocabulary(tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "una", "##aff", "##able", "##ffable", "a"])
        let t = try WordPieceTokenizer(vocabulary: vocab)
        #expect(t.tokenStrings("unaffable") == ["una", "##ffable"])
        #expect(t.tokenStrings("unaffablex") == ["[UNK]"])
        #expect(t.tokenStrings("a unaffable") == ["a", "una", "##ffable"])
        #expect(t.encode("a") == [2, 10, 3])
        #expect(t.tokenize("una") == [6])
    }

    @Test("a vocabulary without the special tokens is refused, naming the missing one")
    func missingSpecialTokens() {
        #expect(throws: (any Error).self) { try WordPieceTokenizer(vocabulary: Vocabulary(tokens: ["[PAD]", "[UNK]", "[CLS]", "a"])) }
        do {
            _ = try WordPieceTokenizer(vocabulary: Vocabulary(tokens: ["[PAD]", "[UNK]", "[CLS]", "a"]))
        } catch {
            #expect("\(error)".contains("[SEP]"))
        }
    }
}
