import LoreCore
import LoreIngest
import Testing

@Suite("CSV loader")
struct CSVLoaderTests {
    let loader = CSVLoader()

    private func load(_ csv: String, textField: String? = nil) throws(LoadError) -> [Document] {
        try loader.load(Fixture.inline(csv, name: "t.csv", textField: textField))
    }

    @Test("each row after the header is a document with source path#N; the text column is the text")
    func rows() throws {
        let input = try Fixture.input("good/table.csv")
        let docs = try loader.load(input)
        #expect(docs.map(\.source) == (1...3).map { "\(input.path)#\($0)" })
        #expect(docs.map(\.title) == ["Comma Row", "Quote Row", "Newline Row"])
        #expect(docs.allSatisfy { $0.format == .csv && $0.path == input.path })
    }

    @Test("quoted fields keep commas, \"\" escapes and newlines")
    func quoting() throws {
        let docs = try loader.load(try Fixture.input("good/table.csv"))
        #expect(
            docs.map(\.text) == [
                "CSVONE has a comma, inside quotes",
                "CSVTWO says \"hello\" with escaped quotes",
                "CSVTHREE spans\ntwo lines"
            ])
    }

    @Test("the other columns are metadata, as strings, with the record number")
    func metadata() throws {
        let docs = try loader.load(try Fixture.input("good/table.csv"))
        #expect(docs[1].metadata == ["id": .string("2"), "title": .string("Quote Row"), "category": .string("beta"), "record": .number(2)])
    }

    @Test("without a text column, every column becomes a 'name: value' line")
    func allColumnsAsText() throws {
        let docs = try load("name,city\nAnn,Paris\n\"Bo, Jr.\",Oslo\n")
        #expect(docs.map(\.text) == ["name: Ann\ncity: Paris", "name: Bo, Jr.\ncity: Oslo"])
        #expect(docs.map(\.title) == ["Ann", "Bo, Jr."])
    }

    @Test("--text-field picks the column")
    func textField() throws {
        let docs = try loader.load(try Fixture.input("good/table.csv", textField: "category"))
        #expect(docs.map(\.text) == ["alpha", "beta", "gamma"])
        #expect(docs[0].metadata["text"] == .string("CSVONE has a comma, inside quotes"))
    }

    @Test("a --text-field that is not a column is a clear error naming it and listing the columns")
    func missingTextField() throws {
        let input = try Fixture.input("good/table.csv", textField: "body")
        let e = try #require(Fixture.loadError { () throws(LoadError) in try loader.load(input) })
        #expect(e.kind == .malformed)
        #expect(e.message.contains("\"body\""))
        #expect(e.message.contains("--text-field"))
        #expect(e.message.contains("id, title, text, category"))
    }

    @Test("a ragged row rejects the file, naming its line")
    func ragged() throws {
        let input = try Fixture.input("bad/ragged.csv")
        let e = try #require(Fixture.loadError { () throws(LoadError) in try loader.load(input) })
        #expect(e.kind == .malformed)
        #expect(e.message.contains("line 3"), "\(e.message)")
        #expect(e.message.contains("4 fields"))
        #expect(e.message.contains("header has 3"))
    }

    @Test("line numbers in errors count the newlines inside quoted fields")
    func raggedAfterMultilineField() throws {
        let e = try #require(Fixture.loadError { () throws(LoadError) in try load("a,b\n\"x\ny\nz\",1\n1,2,3\n") })
        #expect(e.message.contains("line 5"), "\(e.message)")
    }

    @Test("an unterminated quote is an error naming the line it starts on")
    func unterminatedQuote() throws {
        let e = try #require(Fixture.loadError { () throws(LoadError) in try load("a,b\n1,2\n3,\"never closed\n4,5\n") })
        #expect(e.kind == .malformed)
        #expect(e.message.contains("line 3"), "\(e.message)")
    }

    @Test("CRLF line ends, a missing final newline and blank lines are all fine")
    func lineEnds() throws {
        #expect(try load("text,n\r\nalpha,1\r\n\r\nbeta,2").map(\.text) == ["alpha", "beta"])
        #expect(try load("text,n\r\n\"multi\r\nline\",1\r\n").map(\.text) == ["multi\r\nline"])
    }

    @Test("header names are trimmed; values are kept as written; empty fields are kept")
    func fieldsAsWritten() throws {
        let docs = try load(" text , note \n  padded  ,\n")
        #expect(docs.map(\.text) == ["  padded  "])
        #expect(docs[0].metadata["note"] == .string(""))
    }

    @Test("an empty file is an error; a header alone gives no documents")
    func emptyAndHeaderOnly() throws {
        let e = try #require(Fixture.loadError { () throws(LoadError) in try load("") })
        #expect(e.kind == .empty)
        #expect(try load("text,n\n").isEmpty)
    }

    @Test("a byte order mark does not become part of the first column name")
    func byteOrderMark() throws {
        #expect(try load("\u{FEFF}id,text\n1,hello\n", textField: "id").map(\.text) == ["1"])
    }
}
