import Foundation
import LoreCore
import ZIPFoundation

/// The ZIP container of an Office Open XML, OpenDocument or EPUB file, read with
/// ZIPFoundation, with the limits that keep a hostile file from exhausting memory: a cap on
/// the bytes any one part and all parts together may expand to, counted as they are
/// inflated (the sizes a ZIP declares can lie), and on the ratio of expanded to stored bytes.
struct ZipPackage {
    /// The limits on what a package may expand to.
    struct Limits: Sendable {
        /// The most bytes one part may expand to.
        var partBytes = 256 << 20
        /// The most bytes all the parts read may expand to together.
        var totalBytes = 512 << 20
        /// The largest expanded-to-stored ratio of a part, checked once it has expanded past
        /// `ratioFloor` (ZIP bombs reach thousands; the XML of Office files rarely passes 30,
        /// a sheet of a million near-identical rows about 60).
        var ratio = 100
        /// The expanded size from which the ratio is checked.
        var ratioFloor = 1 << 20
        /// The most entries the archive may list.
        var entries = 50_000

        static let standard = Limits()
    }

    private let archive: Archive
    /// The entries by path, read once: `Archive`'s subscript walks the central directory on
    /// every lookup, which made a deck of many slides quadratic.
    private let entries: [String: Entry]
    private let file: String
    private let limits: Limits
    private var expanded = 0

    /// The Compound File Binary signature: what password-protected OOXML files (and the
    /// legacy binary `.doc`, `.xls`, `.ppt`) are.
    static let compoundFileSignature: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]

    /// Opens the package in `data`; `file` names the format in messages (`DOCX`).
    init(_ data: [UInt8], file: String, limits: Limits = .standard) throws(LoadError) {
        if data.starts(with: Self.compoundFileSignature) {
            throw LoadError(
                .encrypted,
                "password-protected (encrypted) or a legacy binary Office file, not a \(file) package: remove the password or save it as \(file)"
            )
        }
        guard data.starts(with: [0x50, 0x4B, 0x03, 0x04]) else {
            throw LoadError(.malformed, "not a \(file) file (not a ZIP package)")
        }
        do {
            archive = try Archive(data: Data(data), accessMode: .read)
        } catch {
            throw LoadError(.malformed, "not a readable \(file) package (\(error))")
        }
        self.file = file
        self.limits = limits
        var entries: [String: Entry] = [:]
        for entry in archive {
            if entries.count == limits.entries {
                throw LoadError(.tooLarge, "the \(file) package lists more than \(limits.entries) parts")
            }
            if entries[entry.path] == nil { entries[entry.path] = entry }
        }
        self.entries = entries
    }

    /// Whether the package has a part at `path`.
    func contains(_ path: String) -> Bool { entries[path] != nil }

    /// The bytes of the part at `path`, or nil when there is none.
    mutating func read(_ path: String) throws(LoadError) -> Data? {
        guard let entry = entries[path] else { return nil }
        let stored = max(Int(entry.compressedSize), 1)
        var out = Data()
        let partLimit = limits.partBytes, totalLimit = limits.totalBytes, ratio = limits.ratio, floor = limits.ratioFloor
        let already = expanded
        // What the archive declares is checked first; what is inflated is counted as it comes,
        // since a crafted archive can declare anything.
        if entry.uncompressedSize > UInt64(partLimit) || Int(entry.uncompressedSize) > totalLimit - already {
            throw LoadError(
                .tooLarge,
                "\(path) in the \(file) package declares \(entry.uncompressedSize >> 20) MiB expanded, over the \(min(partLimit, totalLimit - already) >> 20) MiB limit: refused (a ZIP bomb, or too large to ingest)"
            )
        }
        do {
            _ = try archive.extract(entry, skipCRC32: false) { chunk in
                out.append(chunk)
                if out.count > partLimit || already + out.count > totalLimit {
                    throw Refusal.tooLarge
                }
                if out.count > floor, out.count / stored > ratio {
                    throw Refusal.ratio
                }
            }
        } catch Refusal.tooLarge {
            throw LoadError(
                .tooLarge,
                "\(path) in the \(file) package expands past \(min(partLimit, totalLimit - already) >> 20) MiB: refused (a ZIP bomb, or too large to ingest)"
            )
        } catch Refusal.ratio {
            throw LoadError(
                .tooLarge, "\(path) in the \(file) package expands more than \(ratio) times its stored size: refused as a ZIP bomb")
        } catch {
            throw LoadError(.malformed, "\(path) in the \(file) package cannot be read (\(error))")
        }
        expanded += out.count
        return out
    }

    /// The part at `path` parsed as XML, or nil when there is none.
    mutating func xml(_ path: String) throws(LoadError) -> XElement? {
        guard let data = try read(path) else { return nil }
        return try XMLTree.parse(data, part: path)
    }

    private enum Refusal: Error { case tooLarge, ratio }

    /// The targets of a relationships part (`word/_rels/document.xml.rels`) by id, resolved
    /// against the directory of the part they belong to.
    mutating func relationships(of part: String) throws(LoadError) -> [String: (type: String, target: String)] {
        let dir = part.contains("/") ? String(part[..<part.lastIndex(of: "/")!]) : ""
        let name = part.split(separator: "/").last.map(String.init) ?? part
        let relsPath = (dir.isEmpty ? "" : dir + "/") + "_rels/" + name + ".rels"
        guard let rels = try xml(relsPath) else { return [:] }
        var out: [String: (type: String, target: String)] = [:]
        for r in rels.all("Relationship") {
            guard let id = r["Id"], let target = r["Target"], r["TargetMode"] != "External" else { continue }
            out[id] = (r["Type"] ?? "", Self.resolve(target, against: dir))
        }
        return out
    }

    /// `target` relative to `dir` (`../media/a.png` from `word` is `media/a.png`), or
    /// absolute within the package when it starts with `/`.
    static func resolve(_ target: String, against dir: String) -> String {
        var parts: [Substring] = target.hasPrefix("/") ? [] : dir.split(separator: "/")
        for p in target.split(separator: "/") {
            if p == ".." { _ = parts.popLast() } else if p != "." { parts.append(p) }
        }
        return parts.joined(separator: "/")
    }
}
