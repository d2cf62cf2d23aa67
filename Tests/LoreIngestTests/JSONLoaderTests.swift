import LoreCore
import LoreIngest
import Testing

@Suite("JSON loader")
struct JSONLoaderTests {
    let loader = JSONLoader()

    @Test("each object of an array is a document with source path#N")
    func arrayOfObjects() throws {
        let input = try Fixture.input("good/records.json")
        let docs = try loader.load(input)
        #expect(docs.map(\.source) == (1...3).map { "\(input.path)#\($0)" })
        #expect(docs.map(\.text) == ["RECORDONE text about apples.", "RECORDTWO text about bananas.", "RECORDTHREE text about cherries."])
        #expect(docs.map(\.title) == ["First Record", "Second Record", "Third Record"])
        #expect(docs.allSatisfy { $0.format == .json && $0.path == input.path })
        #expect(docs.allSatisfy { $0.sections == [Section(range: 0..<$0.text.utf8.count)] })
    }

    @Test("the other fields become metadata, with the record number")
    func metadata() throws {
        let docs = try loader.load(try Fixture.input("good/records.json"))
        let first = try #require(docs.first)
        #expect(
            first.metadata == [
                "id": .number(1), "title": .string("First Record"), "tags": .array([.string("a"), .string("b")]), "record": .number(1)
            ])
        #expect(docs[2].metadata["record"] == .number(3))
    }

    @Test("a single object is one document; body is a text field; no title field means 'stem #1'")
    func singleObject() throws {
        let input = try Fixture.input("good/single.json")
        let doc = try Fixture.single(try loader.load(input))
        #expect(doc.source == input.path + "#1")
        #expect(doc.text == "SINGLEBODY is the only text field of this object.")
        #expect(doc.title == "single #1")
        #expect(doc.metadata == ["author": .string("Ada Example"), "year": .number(2024), "record": .number(1)])
    }

    @Test(
        "the text field is looked for as text, content, body, then page_content",
        arguments: [
            (#"{"content": "C", "body": "B"}"#, "C"), (#"{"body": "B", "page_content": "P"}"#, "B"),
            (#"{"page_content": "P", "note": "N"}"#, "P"), (#"{"text": "T", "content": "C"}"#, "T")
        ])
    func defaultTextFields(_ json: String, _ text: String) throws {
        #expect(try loader.load(Fixture.inline(json, name: "r.json")).first?.text == text)
    }

    @Test("--text-field chooses the field; the default text field then becomes metadata")
    func textFieldOption() throws {
        let docs = try loader.load(try Fixture.input("good/records.json", textField: "title"))
        #expect(docs.map(\.text) == ["First Record", "Second Record", "Third Record"])
        #expect(docs[0].metadata["text"] == .string("RECORDONE text about apples."))
        #expect(docs[0].metadata["title"] == nil)
    }

    @Test("a non-string text field is used as compact JSON")
    func nonStringTextField() throws {
        let docs = try loader.load(try Fixture.input("good/records.json", textField: "tags"))
        #expect(docs.map(\.text) == [#"["a","b"]"#, #"["b","c"]"#, #"["a","c"]"#])
    }

    @Test("a --text-field missing from a record is a clear error naming the field and the fields there are")
    func missingTextField() throws {
        let input = try Fixture.input("good/records.json", textField: "summary")
        let e = try #require(Fixture.loadError { () throws(LoadError) in try loader.load(input) })
        #expect(e.kind == .malformed)
        #expect(e.message.contains("\"summary\""))
        #expect(e.message.contains("--text-field"))
        #expect(e.message.contains("id, title, text, tags"))
    }

    @Test("a record without any text field is an error that suggests --text-field")
    func noTextField() throws {
        let e = try #require(
            Fixture.loadError { () throws(LoadError) in try loader.load(Fixture.inline(#"[{"a": 1}, {"b": 2}]"#, name: "x.json")) })
        #expect(e.kind == .malformed)
        #expect(e.message.contains("object 1"))
        #expect(e.message.contains("--text-field"))
    }

    @Test("malformed JSON is rejected, naming the line and column")
    func malformed() throws {
        let input = try Fixture.input("bad/malformed.json")
        let e = try #require(Fixture.loadError { () throws(LoadError) in try loader.load(input) })
        #expect(e.kind == .malformed)
        #expect(e.message.contains("line 1, column 42"), "\(e.message)")
    }

    @Test(
        "anything but an object or an array of objects is rejected",
        arguments: [
            (#"[{"text": "a"}, 7]"#, "array element 2"), (#""just a string""#, "object"), ("42", "object")
        ])
    func wrongShape(_ json: String, _ reason: String) throws {
        let e = try #require(Fixture.loadError { () throws(LoadError) in try loader.load(Fixture.inline(json, name: "x.json")) })
        #expect(e.kind == .malformed)
        #expect(e.message.contains(reason))
    }

    @Test("an empty array has no documents")
    func emptyArray() throws {
        #expect(try loader.load(Fixture.inline("[]", name: "x.json")).isEmpty)
    }

    @Test("a byte order mark before the JSON is ignored")
    func byteOrderMark() throws {
        #expect(try loader.load(Fixture.inline("\u{FEFF}{\"text\": \"bom\"}", name: "x.json")).first?.text == "bom")
    }
}

@Suite("JSON Lines loader")
struct JSONLinesLoaderTests {
    let loader = JSONLinesLoader()

    @Test("each line is a document with source path#N and the other fields as metadata")
    func lines() throws {
        let input = try Fixture.input("good/records.jsonl")
        let docs = try loader.load(input)
        #expect(docs.map(\.source) == (1...3).map { "\(input.path)#\($0)" })
        #expect(docs.map(\.text) == ["JSONLONE first line.", "JSONLTWO second line.", "JSONLTHREE third line."])
        #expect(docs.map(\.title) == ["records #1", "records #2", "records #3"])
        #expect(docs.allSatisfy { $0.format == .jsonl })
        #expect(docs[2].metadata == ["id": .number(3), "lang": .string("de"), "record": .number(3)])
    }

    @Test("--text-field works per line")
    func textField() throws {
        let docs = try loader.load(try Fixture.input("good/records.jsonl", textField: "lang"))
        #expect(docs.map(\.text) == ["en", "en", "de"])
        #expect(docs[0].metadata["text"] == .string("JSONLONE first line."))
    }

    @Test("a --text-field missing from a line names the field and the line")
    func missingTextField() throws {
        let e = try #require(
            Fixture.loadError { () throws(LoadError) in
                try loader.load(Fixture.inline("{\"a\": \"x\", \"b\": 1}\n{\"b\": 2}\n", name: "x.jsonl", textField: "a"))
            })
        #expect(e.kind == .malformed)
        #expect(e.message.contains("line 2"))
        #expect(e.message.contains("\"a\""))
        #expect(e.message.contains("--text-field"))
    }

    @Test("a malformed line rejects the file, naming line 2")
    func malformedLine() throws {
        let input = try Fixture.input("bad/malformed.jsonl")
        let e = try #require(Fixture.loadError { () throws(LoadError) in try loader.load(input) })
        #expect(e.kind == .malformed)
        #expect(e.message.contains("line 2"), "\(e.message)")
        #expect(e.message.contains("column 33"), "\(e.message)")
    }

    @Test("blank lines are ignored")
    func blankLines() throws {
        let docs = try loader.load(Fixture.inline("\n{\"text\": \"a\"}\n\n   \n{\"text\": \"b\"}\n\n", name: "x.jsonl"))
        #expect(docs.map(\.text) == ["a", "b"])
    }

    @Test("CRLF line ends split lines too")
    func crlf() throws {
        let docs = try loader.load(Fixture.inline("{\"text\": \"a\"}\r\n{\"text\": \"b\"}\r\n", name: "x.jsonl"))
        #expect(docs.map(\.text) == ["a", "b"])
        #expect(docs.map(\.source) == ["/virtual/x.jsonl#1", "/virtual/x.jsonl#2"])
    }

    @Test("a line that is not an object is rejected, naming the line")
    func notAnObject() throws {
        let e = try #require(
            Fixture.loadError { () throws(LoadError) in
                try loader.load(Fixture.inline("{\"text\": \"a\"}\n[1, 2]\n", name: "x.jsonl"))
            })
        #expect(e.message.contains("line 2"))
    }
}
