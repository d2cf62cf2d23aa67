import Foundation
import Logging
import LoreCore

/// Every template under a prompts directory, validated, with a default version per name and
/// optional weighted A/B splits.
///
/// Selection: `name@version` pins a version; plain `name` gets the split's sticky choice for
/// the request's key (user or session id), or the default version when there is no split or
/// no key (never a random draw, so unkeyed requests are reproducible).
public struct PromptRegistry: Sendable {
    /// Where the templates were read from (empty for registries built in memory).
    public let directory: String
    /// name → version → template.
    public let templates: [String: [String: PromptTemplate]]
    /// name → default version, for every name.
    public let defaults: [String: String]
    /// name → split, for the names that have one.
    public let splits: [String: PromptSplit]
    /// Weights that replace a split's while the process runs (a bandit's); nil: the
    /// configured weights always.
    public var live: LiveSplitWeights?

    /// Builds a registry from parsed templates. `defaults` and `splits` must name existing
    /// versions; a name with no configured default gets its lowest version (natural order:
    /// v2 < v10), so adding a file never changes what is served until the configuration does.
    public init(
        templates list: [PromptTemplate], directory: String = "", defaults: [String: String] = [:],
        splits: [String: [String: Int]] = [:]
    ) throws {
        var templates: [String: [String: PromptTemplate]] = [:]
        for t in list { templates[t.name, default: [:]][t.version] = t }
        func available(_ name: String) -> String {
            (templates[name].map { VersionOrder.sorted($0.keys).map { "\(name)@\($0)" } } ?? []).joined(separator: ", ")
        }
        let names = templates.keys.sorted().joined(separator: ", ")
        var resolved: [String: String] = [:]
        for (name, versions) in templates { resolved[name] = VersionOrder.sorted(versions.keys).first }
        for (name, version) in defaults {
            guard templates[name] != nil else {
                throw PromptError.invalidConfiguration(key: "defaults.\(name)", message: "no prompt named \(name) (available: \(names))")
            }
            guard templates[name]?[version] != nil else {
                throw PromptError.invalidConfiguration(
                    key: "defaults.\(name)", message: "no version \(version) (available: \(available(name)))")
            }
            resolved[name] = version
        }
        var built: [String: PromptSplit] = [:]
        for (name, weights) in splits {
            guard templates[name] != nil else {
                throw PromptError.invalidConfiguration(key: "splits.\(name)", message: "no prompt named \(name) (available: \(names))")
            }
            for (version, weight) in weights {
                guard templates[name]?[version] != nil else {
                    throw PromptError.invalidConfiguration(
                        key: "splits.\(name).\(version)", message: "no version \(version) (available: \(available(name)))")
                }
                guard weight >= 0 else {
                    throw PromptError.invalidConfiguration(key: "splits.\(name).\(version)", message: "weight \(weight) is negative")
                }
            }
            guard weights.values.reduce(0, +) > 0 else {
                throw PromptError.invalidConfiguration(
                    key: "splits.\(name)",
                    message: "the weights add up to 0: give at least one version a positive weight, or remove the split")
            }
            built[name] = PromptSplit(name: name, weights: weights)
        }
        self.directory = directory
        self.templates = templates
        self.defaults = resolved
        self.splits = built
    }

    /// Reads and validates every `<directory>/<name>/<version>.md`. Throws `PromptLoadError`
    /// listing every problem in every file (`path:line: message`), or `PromptError.invalidConfiguration`.
    /// Other files (a README at the top, non-`.md` files, hidden entries) are ignored.
    public static func load(
        directory: String, defaults: [String: String] = [:], splits: [String: [String: Int]] = [:],
        logger: Logger = Logger(label: "lore.prompts")
    ) throws -> PromptRegistry {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw PromptLoadError(problems: [
                PromptProblem(path: directory, line: nil, message: "no prompts directory here (set prompts.directory or LORE_PROMPTS_DIR)")
            ])
        }
        var problems: [PromptProblem] = []
        var list: [PromptTemplate] = []
        let names = ((try? fm.contentsOfDirectory(atPath: directory)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        for name in names {
            let dir = directory + "/" + name
            guard fm.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else { continue }
            if !BodyParser.isIdentifier(name) {
                problems.append(PromptProblem(path: dir, line: nil, message: "a prompt name must be letters, digits and _"))
                continue
            }
            let files = ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).filter { !$0.hasPrefix(".") && $0.hasSuffix(".md") }
            for file in VersionOrder.sorted(files) {
                let path = dir + "/" + file
                let version = String(file.dropLast(3))
                guard !version.isEmpty, version.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
                    problems.append(
                        PromptProblem(path: path, line: nil, message: "a version must be letters, digits, ., _ and - (e.g. v1.md)"))
                    continue
                }
                guard let data = fm.contents(atPath: path) else {
                    problems.append(PromptProblem(path: path, line: nil, message: "cannot read the file"))
                    continue
                }
                switch PromptTemplate.parse(path: path, bytes: Array(data), expectedName: name, expectedVersion: version) {
                case .success(let t): list.append(t)
                case .failure(let e): problems += e.problems
                }
            }
        }
        if problems.isEmpty && list.isEmpty {
            problems.append(PromptProblem(path: directory, line: nil, message: "no templates (expected <name>/<version>.md files)"))
        }
        guard problems.isEmpty else { throw PromptLoadError(problems: problems) }
        let registry = try PromptRegistry(templates: list, directory: directory, defaults: defaults, splits: splits)
        logger.info(
            "loaded prompt templates",
            metadata: [
                "directory": .string(directory),
                "count": .stringConvertible(list.count),
                "names": .string(registry.names.joined(separator: ",")),
                "templates": .array(registry.all.map { .string($0.identity.description) }),
                "defaults": .string(registry.names.map { "\($0)@\(registry.defaults[$0]!)" }.joined(separator: ",")),
                "splits": .string(registry.splits.keys.sorted().map { registry.splits[$0]!.description }.joined(separator: "; "))
            ])
        return registry
    }

    /// The prompt names, sorted.
    public var names: [String] { templates.keys.sorted() }

    /// A name's versions in natural order (v2 before v10); empty for an unknown name.
    public func versions(of name: String) -> [String] { templates[name].map { VersionOrder.sorted($0.keys) } ?? [] }

    /// Every template, by name then version.
    public var all: [PromptTemplate] { names.flatMap { n in versions(of: n).map { templates[n]![$0]! } } }

    /// Every `name@version`, for error messages.
    public var references: [String] { all.map(\.reference) }
}
