import Testing

@testable import LoreServer

/// The parsing layer of `POST /v1/documents` multipart uploads, in process: `MultipartForm`
/// (multipart-kit's parser with Lore's checks) and `DocumentUploadBody.multipart`. Bodies
/// are written out byte for byte as clients send them; every malformed one is a 400
/// (`invalid_request`) whose message names what is wrong.
@Suite("multipart uploads: MultipartForm and DocumentUploadBody")
struct MultipartUploadTests {
    static let boundary = "------------------------lore7MA4YWxkTrZu0gW"
    static let contentType = "multipart/form-data; boundary=\(boundary)"

    typealias RawPart = (headers: [String], data: [UInt8])

    /// A body: for each part a boundary line, its header lines, an empty line and its
    /// bytes; then the closing boundary line (unless `close` is false) and an epilogue.
    static func body(
        _ parts: [RawPart], boundary: String = boundary, preamble: String = "", close: Bool = true, epilogue: String = ""
    ) -> [UInt8] {
        var out = Array(preamble.utf8)
        for part in parts {
            out += Array("--\(boundary)\r\n".utf8)
            for header in part.headers { out += Array("\(header)\r\n".utf8) }
            out += Array("\r\n".utf8) + part.data + Array("\r\n".utf8)
        }
        if close { out += Array("--\(boundary)--\r\n".utf8) }
        return out + Array(epilogue.utf8)
    }

    static func field(_ name: String, _ value: String) -> RawPart {
        ([#"Content-Disposition: form-data; name="\#(name)""#], Array(value.utf8))
    }

    static func file(_ filename: String, _ text: String, type: String = "text/markdown") -> RawPart {
        ([#"Content-Disposition: form-data; name="file"; filename="\#(filename)""#, "Content-Type: \(type)"], Array(text.utf8))
    }

    static func disposition(_ value: String, _ data: String = "text") -> RawPart { (["Content-Disposition: \(value)"], Array(data.utf8)) }

    /// The message of the 400 that parsing `body` as an upload gives; nil when it parses.
    static func rejection(_ body: [UInt8], contentType: String = contentType) -> String? {
        do {
            _ = try DocumentUploadBody.parse(body, contentType: contentType)
            return nil
        } catch {
            #expect(error.code == "invalid_request", "\(error.message)")
            #expect(error.status.code == 400, "\(error.message)")
            return error.message
        }
    }

    // MARK: Round trips

    @Test("round trip: files, collection, format and metadata come back with their names, filenames and exact bytes")
    func roundTrip() throws {
        // Bytes a parser could trip on: every byte value, CRLFs, a boundary that stops one
        // byte short, a line of dashes, and the boundary without its CRLF in front.
        let near = Array("\r\n--\(Self.boundary.dropLast())".utf8)
        let binary: [UInt8] = Array(0...255) + Array("\r\n\r\n--\r\n-".utf8) + near + Array("x--\(Self.boundary)".utf8) + [13]
        let parts = try MultipartForm.parts(
            Self.body(
                [
                    Self.file("notes/zephyr.md", "# Zephyr\n\nRotate the keys every quarter.\n"),
                    (
                        [
                            #"content-disposition: form-data; name=file; filename="blobs/raw.txt""#,
                            "Content-Type: application/octet-stream"
                        ], binary
                    ),
                    Self.field("collection", "other"), Self.field("metadata", #"{"team": "ops", "tier": 2}"#),
                    Self.field("format", "md"), Self.file("empty.md", "")
                ], preamble: "This is the preamble; it is ignored.\r\n", epilogue: "and this epilogue too"),
            boundary: Self.boundary)
        #expect(parts.map(\.name) == ["file", "file", "collection", "metadata", "format", "file"])
        #expect(parts.map(\.filename) == ["notes/zephyr.md", "blobs/raw.txt", nil, nil, nil, "empty.md"])
        #expect(parts[0].data == Array("# Zephyr\n\nRotate the keys every quarter.\n".utf8))
        #expect(parts[1].data == binary)
        #expect(parts[2].data == Array("other".utf8))
        #expect(parts[5].data == [])

        let upload = try DocumentUploadBody.parse(
            Self.body([
                Self.file("ops/zephyr.md", "Zephyr rotates keys."), Self.file("ops/b.txt", "Second file."),
                Self.field("collection", "other"), Self.field("metadata", #"{"team": "ops"}"#)
            ]), contentType: Self.contentType)
        #expect(upload.collection?.name == "other")
        #expect(upload.uploads.map(\.name) == ["ops/zephyr.md", "ops/b.txt"])
        #expect(upload.uploads.map(\.field) == ["file[0]", "file[1]"])
        #expect(upload.uploads[1].data == Array("Second file.".utf8))
        #expect(upload.uploads[0].metadata == ["team": .string("ops")])
    }

    @Test("a large body, fed to the parser in chunks: part bytes that straddle chunk edges come back whole")
    func largeBody() throws {
        // 600 KiB of CRLF lines, every other one the start of the boundary line, stopping short
        // of it (by 1 to 43 characters), so that near misses fall across every chunk edge.
        var big: [UInt8] = []
        var n = 0
        while big.count < 600 * 1024 {
            big += Array("line \(n) of the large part\r\n--\(Self.boundary.prefix(n % Self.boundary.count))\r\n".utf8)
            n += 1
        }
        let parts = try MultipartForm.parts(
            Self.body([Self.field("collection", "default"), (Self.file("big.txt", "").headers, big), Self.file("small.md", "tail")]),
            boundary: Self.boundary)
        #expect(parts.map(\.filename) == [nil, "big.txt", "small.md"])
        #expect(parts[1].data == big)
        #expect(parts[2].data == Array("tail".utf8))
    }

    @Test("a quoted boundary, and one given with other parameters around it")
    func quotedBoundary() throws {
        let boundary = "gc0p4Jq0M2Yt08j34c0p: a=b?(quoted)"
        let type = #"multipart/form-data; charset=utf-8; boundary="\#(boundary)"; x="y""#
        #expect(try MultipartForm.boundary(contentType: type) == boundary)
        #expect(try MultipartForm.boundary(contentType: "Multipart/Form-Data;BOUNDARY=simple-1") == "simple-1")
        let upload = try DocumentUploadBody.parse(Self.body([Self.file("q.md", "Quoted boundary.")], boundary: boundary), contentType: type)
        #expect(upload.uploads.map(\.name) == ["q.md"])
        #expect(upload.uploads[0].data == Array("Quoted boundary.".utf8))
    }

    @Test("Content-Disposition: quoted values may hold ; and = and escaped quotes; parameter names are case-insensitive")
    func dispositionValues() throws {
        let parts = try MultipartForm.parts(
            Self.body([
                Self.disposition(#"form-data; name="file"; filename="a;b=c.md""#),
                Self.disposition(#"FORM-DATA;NAME="file";  FileName="say \"hi\".md""#),
                Self.disposition(#"form-data; name=file; filename=plain.md;"#)
            ]), boundary: Self.boundary)
        #expect(parts.map(\.filename) == ["a;b=c.md", #"say "hi".md"#, "plain.md"])
    }

    // MARK: filename*

    @Test("filename*=UTF-8''... is percent-decoded UTF-8 and wins over filename, in either order")
    func extendedFilename() throws {
        let upload = try DocumentUploadBody.parse(
            Self.body([
                Self.disposition(#"form-data; name="file"; filename*=UTF-8''r%C3%A9sum%C3%A9.md"#, "Résumé of the project."),
                Self.disposition(#"form-data; name="file"; filename="resume.md"; filename*=utf-8'fr'notes%2Fcaf%C3%A9.md"#),
                Self.disposition(#"form-data; name="file"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt; filename="nihon.txt""#)
            ]), contentType: Self.contentType)
        #expect(upload.uploads.map(\.name) == ["résumé.md", "notes/café.md", "日本.txt"])
        #expect(upload.uploads[0].data == Array("Résumé of the project.".utf8))
    }

    @Test(
        "a bad filename* is a 400 naming it",
        arguments: [
            (#"filename*=ISO-8859-1''r%E9sum%E9.md"#, "the charset must be UTF-8"),
            (#"filename*=UTF-8''r%C3sum%C3.md"#, "not UTF-8"),
            (#"filename*=UTF-8''bad%G1.md"#, "two hexadecimal digits"),
            (#"filename*=UTF-8''trailing%4"#, "two hexadecimal digits"),
            (#"filename*=r%C3%A9sum%C3%A9.md"#, "UTF-8''PERCENT-ENCODED-NAME"),
            (#"filename*="UTF-8''two words.md""#, "must be percent-encoded")
        ])
    func badExtendedFilename(parameter: String, message: String) throws {
        let text = try #require(Self.rejection(Self.body([Self.disposition(#"form-data; name="file"; \#(parameter)"#)])))
        #expect(text.contains("filename*"), "\(text)")
        #expect(text.contains(message), "\(text)")
    }

    // MARK: Duplicates

    @Test("several file parts are several uploads; a repeated collection, format or metadata is a 400 naming it")
    func duplicates() throws {
        let files = try DocumentUploadBody.parse(
            Self.body([Self.file("a.md", "First."), Self.file("a.md", "Same name again."), Self.file("c.md", "Third.")]),
            contentType: Self.contentType)
        #expect(files.uploads.map(\.field) == ["file[0]", "file[1]", "file[2]"])
        for name in ["collection", "format", "metadata"] {
            let value = name == "metadata" ? "{}" : name == "format" ? "md" : "default"
            let text = Self.rejection(Self.body([Self.file("a.md", "A file."), Self.field(name, value), Self.field(name, value)]))
            #expect(text == "\(name): given more than once; only file may be repeated")
        }
        #expect(
            Self.rejection(Self.body([Self.disposition(#"form-data; name="file"; name="other"; filename="a.md""#)]))
                == "multipart body: part 0: Content-Disposition has name more than once")
        #expect(
            Self.rejection(
                Self.body([
                    (
                        [#"Content-Disposition: form-data; name="file"; filename="a.md""#, #"Content-Disposition: form-data; name="x""#],
                        Array("text".utf8)
                    )
                ])) == "multipart body: part 0 has more than one Content-Disposition header")
    }

    // MARK: Malformed bodies and content types

    @Test("no boundary parameter, an empty or malformed one: a 400 naming the boundary parameter")
    func missingBoundary() {
        for type in [
            "multipart/form-data", "multipart/form-data;", "multipart/form-data; boundary=", "multipart/form-data; charset=utf-8",
            #"multipart/form-data; boundary="""#, "multipart/form-data; boundary=\(String(repeating: "b", count: 71))",
            "multipart/form-data; boundary=bad@boundary", "multipart/form-data; boundary=\"ends in space \""
        ] {
            let text = Self.rejection(Self.body([Self.file("a.md", "A file.")]), contentType: type)
            #expect(
                text?.hasPrefix("Content-Type: multipart/form-data needs a boundary parameter of 1 to 70 characters") == true, "\(type)")
        }
        #expect(
            Self.rejection([], contentType: #"multipart/form-data; boundary="unclosed"#)?.hasPrefix("Content-Type: malformed parameters")
                == true)
        #expect(
            Self.rejection([], contentType: "multipart/form-data; boundary=a; boundary=b")
                == "Content-Type: the boundary parameter is given more than once")
    }

    @Test("a body without the boundary is a 400 naming the boundary")
    func bodyWithoutBoundary() {
        let other = Self.body([Self.file("a.md", "A file.")], boundary: "some-other-boundary")
        let message = "multipart body: no part starts with the boundary line --\(Self.boundary)"
        #expect(Self.rejection(other) == message)
        #expect(Self.rejection(Array(#"{"documents": []}"#.utf8)) == message)
        #expect(Self.rejection([]) == message)
    }

    @Test("a truncated body (no closing boundary line) is a 400, wherever it stops")
    func truncated() throws {
        let whole = Self.body([Self.file("a.md", "First file."), Self.file("b.md", "Second file, cut short.")])
        let closing = Array("\r\n--\(Self.boundary)--\r\n".utf8)
        let cuts = [
            whole.count - closing.count,  // the last part's bytes, no closing line
            whole.count - closing.count + 2 + 2 + Self.boundary.utf8.count,  // "--BOUNDARY" without its "--"
            whole.count - 40,  // inside the last part's bytes
            whole.count / 2,  // about halfway
            Self.body([Self.file("a.md", "First file.")], close: false).count + 5  // inside the second boundary line
        ]
        for cut in cuts {
            let text = Self.rejection(Array(whole[..<cut]))
            #expect(
                text?.hasPrefix("multipart body: the parts do not end with the closing boundary line --\(Self.boundary)--") == true,
                "\(cut): \(text ?? "parsed")")
        }
        // A boundary line, then the closing line straight after it: the second part has no
        // headers and no end, though the closing line's bytes are there.
        let dangling = Array(whole[..<(whole.count - closing.count)]) + Array("\r\n--\(Self.boundary)\r\n--\(Self.boundary)--".utf8)
        #expect(Self.rejection(dangling)?.hasPrefix("multipart body: the parts do not end") == true)
        // `--BOUNDARY-x` is neither a next part nor the end.
        let dashX = Self.body([Self.file("a.md", "First file.")], close: false) + Array("--\(Self.boundary)-x\r\n".utf8)
        #expect(Self.rejection(dashX)?.hasPrefix("multipart body: the parts do not end") == true)
        // The closing line at once: no parts, so no file.
        #expect(Self.rejection(Array("--\(Self.boundary)--\r\n".utf8)) == "file: required (one or more file parts)")
    }

    @Test("malformed boundary lines, headers and Content-Disposition are 400s naming the part")
    func malformedParts() {
        let malformed = "multipart body: malformed at part"
        let b = Self.boundary
        let cases: [([UInt8], String)] = [
            // Text after a boundary line, and after the first one.
            (Array("--\(b)\r\n\(Self.header("a.md"))\r\n\r\nA file.\r\n--\(b)junk\r\n--\(b)--".utf8), malformed),
            (Array("--\(b)junk\r\n\(Self.header("a.md"))\r\n\r\nA file.\r\n--\(b)--".utf8), malformed),
            // A header line with no colon; a header block with no empty line after it.
            (Self.body([(["Content-Disposition form-data"], Array("x".utf8))]), malformed),
            (Array("--\(b)\r\n\(Self.header("a.md"))\r\nbody with no empty line\r\n--\(b)--".utf8), malformed),
            // Content-Disposition missing, not form-data, without a name, unparseable.
            (Self.body([(["Content-Type: text/plain"], Array("x".utf8))]), "multipart body: part 0 has no Content-Disposition header"),
            (
                Self.body([Self.file("a.md", "A file."), Self.disposition(#"attachment; name="file"; filename="b.md""#)]),
                "multipart body: part 1: Content-Disposition must be form-data, not attachment"
            ),
            (
                Self.body([Self.disposition(#"form-data; filename="a.md""#)]),
                "multipart body: part 0 has no name in its Content-Disposition"
            ),
            (Self.body([Self.disposition(#"form-data; name="""#)]), "multipart body: part 0 has no name in its Content-Disposition"),
            (
                Self.body([Self.disposition(#"form-data; name="file; filename=a.md"#)]),
                "multipart body: part 0: malformed Content-Disposition"
            ),
            (Self.body([Self.disposition(#"form-data; name"#)]), "multipart body: part 0: malformed Content-Disposition"),
            // Well-formed, but not what the upload takes.
            (Self.body([Self.disposition(#"form-data; name="file""#)]), "file[0]: the part has no filename"),
            (Self.body([Self.file("a.md", "A file."), Self.field("colour", "red")]), "colour: unknown form field")
        ]
        for (body, message) in cases {
            let text = Self.rejection(body)
            #expect(text?.hasPrefix(message) == true, "\(text ?? "parsed"), expected \(message)")
        }
    }

    static func header(_ filename: String) -> String { #"Content-Disposition: form-data; name="file"; filename="\#(filename)""# }

    // MARK: Header size

    @Test("part headers over 16 KiB are a 400: one huge line (refused before it ends), or many lines together")
    func hugeHeaders() throws {
        let limit = MultipartForm.maxHeaderBytes
        let message = "multipart body: part 1: its headers are larger than \(limit) bytes"
        let longLine = "X-Padding: " + String(repeating: "a", count: limit)
        #expect(Self.rejection(Self.body([Self.file("a.md", "A file."), (Self.file("b.md", "").headers + [longLine], [])])) == message)
        // A 4 MiB header line: refused from the bytes seen so far, not kept whole. (Read to its
        // end, its bare CR would make it malformed instead: the size is what is reported.)
        let endless = "X-Padding: " + String(repeating: "a", count: 4 << 20) + "\rbroken"
        #expect(Self.rejection(Self.body([Self.file("a.md", "A file."), ([endless] + Self.file("b.md", "").headers, [])])) == message)
        // Many short lines.
        let many = (0..<400).map { "X-Header-\($0): " + String(repeating: "v", count: 40) }
        #expect(Self.rejection(Self.body([Self.file("a.md", "A file."), (Self.file("b.md", "").headers + many, [])])) == message)
        // Just under the limit is fine.
        let under = "X-Padding: " + String(repeating: "a", count: limit - 200)
        let parts = try MultipartForm.parts(
            Self.body([(Self.file("b.md", "").headers + [under], Array("ok".utf8))]), boundary: Self.boundary)
        #expect(parts.map(\.filename) == ["b.md"])
    }
}
