import Foundation
import LoreCore

/// A file found by the walker.
public struct FoundFile: Sendable, Equatable {
    /// Absolute, standardised path.
    public var path: String
    /// Path relative to the root it was found under, for glob matching.
    public var relativePath: String
    public var size: Int
    public var mtime: Double
}

/// A path the walker could not use, and why.
public struct WalkProblem: Sendable, Equatable {
    public var path: String
    public var reason: String
}

/// Walks files and directories: follows symbolic links but detects loops (by device and
/// inode of the directories on the current path), skips hidden entries, and applies
/// include and exclude globs to paths relative to each root.
public struct FileWalker: Sendable {
    public var include: [Glob]
    public var exclude: [Glob]

    public init(include: [Glob] = [], exclude: [Glob] = []) {
        self.include = include
        self.exclude = exclude
    }

    public func walk(_ roots: [String]) -> (files: [FoundFile], problems: [WalkProblem]) {
        var files: [FoundFile] = []
        var problems: [WalkProblem] = []
        var seen = Set<String>()
        for root in roots {
            let absolute = Self.absolute(root)
            var st = stat()
            guard stat(absolute, &st) == 0 else {
                problems.append(WalkProblem(path: root, reason: Self.describe(errno, path: absolute)))
                continue
            }
            if st.st_mode & S_IFMT == S_IFDIR {
                var ancestors: Set<FileID> = [FileID(st)]
                visit(directory: absolute, relative: "", ancestors: &ancestors, files: &files, problems: &problems, seen: &seen)
            } else if st.st_mode & S_IFMT == S_IFREG {
                let name = (absolute as NSString).lastPathComponent
                if accept(name), seen.insert(absolute).inserted { files.append(Self.found(absolute, name, st)) }
            } else {
                problems.append(WalkProblem(path: root, reason: "not a regular file or directory"))
            }
        }
        return (files, problems)
    }

    private struct FileID: Hashable {
        var dev: UInt64
        var ino: UInt64
        init(_ st: stat) { dev = UInt64(st.st_dev); ino = UInt64(st.st_ino) }
    }

    private func visit(
        directory: String, relative: String, ancestors: inout Set<FileID>,
        files: inout [FoundFile], problems: inout [WalkProblem], seen: inout Set<String>
    ) {
        let entries: [String]
        do { entries = try FileManager.default.contentsOfDirectory(atPath: directory).sorted() } catch {
            problems.append(WalkProblem(path: directory, reason: "cannot list directory: \(Self.describe(errno, path: directory))"))
            return
        }
        for name in entries where !name.hasPrefix(".") {
            let path = directory == "/" ? "/" + name : directory + "/" + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            var st = stat()
            guard stat(path, &st) == 0 else {
                let err = errno
                var lst = stat()
                let isLink = lstat(path, &lst) == 0 && lst.st_mode & S_IFMT == S_IFLNK
                if isLink && err == ELOOP {
                    problems.append(WalkProblem(path: path, reason: "symbolic link loop"))
                } else if isLink && err == ENOENT {
                    problems.append(WalkProblem(path: path, reason: "broken symbolic link"))
                } else {
                    problems.append(WalkProblem(path: path, reason: Self.describe(err, path: path)))
                }
                continue
            }
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                let id = FileID(st)
                if ancestors.contains(id) {
                    problems.append(WalkProblem(path: path, reason: "symbolic link loop (leads back to a directory above it)"))
                    continue
                }
                if exclude.contains(where: { $0.matches(rel) }) { continue }
                ancestors.insert(id)
                visit(directory: path, relative: rel, ancestors: &ancestors, files: &files, problems: &problems, seen: &seen)
                ancestors.remove(id)
            case S_IFREG:
                if accept(rel), seen.insert(path).inserted { files.append(Self.found(path, rel, st)) }
            default:
                problems.append(WalkProblem(path: path, reason: "not a regular file"))
            }
        }
    }

    private func accept(_ rel: String) -> Bool {
        if exclude.contains(where: { $0.matches(rel) }) { return false }
        return include.isEmpty || include.contains(where: { $0.matches(rel) })
    }

    private static func found(_ path: String, _ rel: String, _ st: stat) -> FoundFile {
        FoundFile(
            path: path, relativePath: rel, size: Int(st.st_size),
            mtime: Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9)
    }

    static func absolute(_ path: String) -> String {
        let p = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let standardized = (p as NSString).standardizingPath
        return standardized.isEmpty ? "/" : standardized
    }

    static func describe(_ err: Int32, path: String) -> String {
        switch err {
        case ENOENT: return "no such file or directory"
        case EACCES: return "permission denied"
        case ELOOP: return "symbolic link loop"
        default: return String(cString: strerror(err))
        }
    }
}
