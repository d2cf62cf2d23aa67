import LoreCore
import LoreIngest
import Testing

@Suite("Code loader")
struct CodeLoaderTests {
    let loader = CodeLoader()

    @Test(
        "a source file is one document: its text as written, the file name as title, the language in metadata",
        arguments: [
            ("good/sample.py", "python", "PYMODULE"), ("good/sample.go", "go", "GoGreeter"), ("good/sample.swift", "swift", "SWIFTSTRUCT")
        ])
    func sourceFile(_ fixture: String, _ language: String, _ marker: String) throws {
        let input = try Fixture.input(fixture)
        let doc = try Fixture.single(try loader.load(input))
        #expect(doc.format == .code)
        #expect(doc.source == input.path)
        #expect(doc.title == input.fileName)
        #expect(doc.text == input.text)
        #expect(doc.text.contains(marker))
        #expect(doc.metadata == ["language": .string(language)])
        #expect(doc.sections == [Section(range: 0..<input.text.utf8.count)])
    }

    @Test(
        "the extension names the language, case-insensitively",
        arguments: [
            ("a.ts", "typescript"), ("b.RS", "rust"), ("c.h", "c"), ("d.hpp", "cpp"), ("e.mjs", "javascript"),
            ("f.bash", "shell"), ("g.sql", "sql"), ("h.java", "java"), ("i.rb", "ruby")
        ])
    func languageByExtension(_ name: String, _ language: String) throws {
        let doc = try Fixture.single(try loader.load(Fixture.inline("x", name: name)))
        #expect(doc.metadata["language"] == .string(language))
    }

    @Test(
        "without a known extension, a shebang names the interpreter's language",
        arguments: [
            ("#!/bin/sh\necho hi\n", "shell"), ("#!/usr/bin/env bash\nset -e\n", "shell"),
            ("#!/usr/bin/env python3\nprint(1)\n", "python"), ("#!/usr/bin/python\nprint(1)\n", "python"),
            ("#!/usr/bin/env node\nconsole.log(1)\n", "javascript"), ("#!/usr/bin/env ruby\nputs 1\n", "ruby"),
            ("no shebang here\n", "text")
        ])
    func shebang(_ text: String, _ language: String) throws {
        let doc = try Fixture.single(try loader.load(Fixture.inline(text, name: "deploy")))
        #expect(doc.metadata["language"] == .string(language))
        #expect(doc.title == "deploy")
    }
}
