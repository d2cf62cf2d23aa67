import LoreCore
import Testing

/// Shell-style globs as used by include/exclude patterns.
@Suite("Glob")
struct GlobTests {
    /// `(pattern, path, matches)`.
    typealias Case = (String, String, Bool)

    private func check(_ cases: [Case], sourceLocation: SourceLocation = #_sourceLocation) {
        for (pattern, path, expected) in cases {
            #expect(Glob(pattern).matches(path) == expected, "\(pattern) ~ \(path)", sourceLocation: sourceLocation)
        }
    }

    @Test("* matches any run of characters within one path component, the empty run included")
    func star() {
        check([
            ("*.md", "README.md", true), ("*.md", ".md", true), ("*.md", "README.mdx", false), ("*.md", "md", false),
            ("a*", "a", true), ("a*", "", false), ("*a*b*", "xxaYYbZZ", true), ("*a*b", "ab", true), ("*a*b", "ba", false),
            ("docs/*.md", "docs/a.md", true), ("docs/*.md", "docs/sub/a.md", false), ("docs/*", "docs/a/b", false),
            ("src/*/main.swift", "src/lore/main.swift", true), ("src/*/main.swift", "src/a/b/main.swift", false)
        ])
    }

    @Test("** matches across path components")
    func doubleStar() {
        check([
            ("**", "a/b/c.txt", true),
            ("docs/**", "docs/x", true), ("docs/**", "docs/a/b/c.txt", true), ("docs/**", "other/a.txt", false),
            ("a/**b", "a/x/yb", true),
            ("**/node_modules/**", "node_modules/x/y.js", true), ("**/node_modules/**", "a/b/node_modules/c", true),
            ("**/node_modules/**", "a/node_modulesx/c", false)
        ])
    }

    @Test("**/ also matches zero directories")
    func doubleStarSlash() {
        check([
            ("**/*.md", "a.md", true), ("**/*.md", "x/y/a.md", true), ("**/*.md", "x/y/a.txt", false),
            ("src/**/test_*.py", "src/test_a.py", true), ("src/**/test_*.py", "src/a/b/test_c.py", true),
            ("src/**/test_*.py", "src/a/btest_c.py", false), ("src/**/test_*.py", "lib/test_a.py", false),
            ("**/foo", "foo", true), ("**/foo", "a/foo", true), ("**/foo", "afoo", false)
        ])
    }

    @Test("? matches exactly one character, never a slash")
    func questionMark() {
        check([
            ("file?.txt", "file1.txt", true), ("file?.txt", "file10.txt", false), ("file?.txt", "file.txt", false),
            ("caf?", "café", true), ("x/a?b", "x/a/b", false), ("x/a?b", "x/acb", true)
        ])
    }

    @Test("[...] matches one character of a set or range")
    func classes() {
        check([
            ("[abc].txt", "a.txt", true), ("[abc].txt", "d.txt", false), ("[abc].txt", "ab.txt", false),
            ("[a-c]x", "bx", true), ("[a-c]x", "dx", false), ("v[0-9].[0-9]", "v1.5", true), ("v[0-9].[0-9]", "v1.x", false),
            ("[a-cx-z]", "y", true), ("[a-cx-z]", "m", false),
            ("x[]]", "x]", true), ("x[a-]", "x-", true)
        ])
    }

    @Test("[!...] and [^...] negate a class")
    func negation() {
        check([
            ("[!a-c]x", "dx", true), ("[!a-c]x", "ax", false), ("[^0-9].md", "a.md", true), ("[^0-9].md", "7.md", false),
            ("*.[!o]", "main.c", true), ("*.[!o]", "main.o", false)
        ])
    }

    @Test("a class never matches the path separator")
    func classAndSlash() {
        check([("a[!x]b/c", "a/b/c", false), ("a[!x]b/c", "ayb/c", true), ("a[/]b", "a/b", false)])
    }

    @Test("an unclosed [ is a literal character")
    func unclosedBracket() {
        check([("a[b", "a[b", true), ("a[b", "ab", false), ("[", "[", true)])
    }

    @Test("a pattern without / matches the file name; one with / the whole relative path")
    func basenameVersusPath() {
        check([
            ("*.swift", "Sources/Lore/main.swift", true), ("main.swift", "Sources/Lore/main.swift", true),
            ("Lore", "Sources/Lore/main.swift", false),
            ("Sources/*.swift", "Sources/Lore/main.swift", false), ("Sources/*/*.swift", "Sources/Lore/main.swift", true),
            ("Lore/main.swift", "Sources/Lore/main.swift", false), ("Sources/Lore/main.swift", "Sources/Lore/main.swift", true)
        ])
    }

    @Test("matching is exact and case-sensitive")
    func literalAndCase() {
        check([("*.MD", "a.md", false), ("readme.md", "README.md", false), ("abc", "abcd", false), ("abcd", "abc", false)])
        #expect(Glob("docs/**").description == "docs/**")
        #expect(Glob("a*") == Glob("a*"))
    }
}
