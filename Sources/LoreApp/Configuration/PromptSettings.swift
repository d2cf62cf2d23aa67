import Foundation
import Logging
import LoreOps
import LorePrompts

/// The prompt templates (`prompts:` in the configuration): where they are, the default
/// version per name, and weighted A/B splits.
///
/// ```yaml
/// prompts:
///   directory: prompts             # LORE_PROMPTS_DIR
///   defaults: {answer: v1, condense: v1}
///   splits:
///     answer: {v1: 90, v2: 10}     # sticky per user or session id
///   bandit: thompson               # the splits' weights follow users' ratings (needs the request log)
///   bandit_refresh_s: 60
///   bandit_floor: 0.05             # every version keeps at least this share
/// ```
public struct PromptSettings: Codable, Equatable, Sendable {
    /// Where the templates live (`<directory>/<name>/<version>.md`). A relative path is looked
    /// up from the working directory, then upwards from the executable.
    public var directory = "prompts"
    /// name → default version. Entries in the file are merged over these built-in ones.
    public var defaults: [String: String] = ["answer": "v1", "condense": "v1"]
    /// name → version → weight. None by default.
    public var splits: [String: [String: Int]] = [:]
    /// `thompson`: each split's weights are recomputed from users' ratings (Thompson
    /// sampling); `none`: the configured weights.
    public var bandit = BanditStrategy.none
    public var banditRefreshSeconds = 60.0
    public var banditFloor = 0.05

    /// How split weights are set.
    public enum BanditStrategy: String, Codable, Sendable, CaseIterable {
        case none, thompson
    }

    public enum CodingKeys: String, CodingKey {
        case directory, defaults, splits, bandit, banditRefreshSeconds = "bandit_refresh_s", banditFloor = "bandit_floor"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let d = Self()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        directory = try c.decodeIfPresent(String.self, forKey: .directory) ?? d.directory
        let given = try c.decodeIfPresent([String: String].self, forKey: .defaults) ?? [:]
        defaults = d.defaults.merging(given) { $1 }
        splits = try c.decodeIfPresent([String: [String: Int]].self, forKey: .splits) ?? d.splits
        if let word = try c.decodeIfPresent(String.self, forKey: .bandit) {
            guard let b = BanditStrategy(rawValue: word) else {
                throw ConfigurationError(description: "prompts.bandit must be one of none, thompson, not \(word)")
            }
            bandit = b
        }
        banditRefreshSeconds = try c.decodeIfPresent(Double.self, forKey: .banditRefreshSeconds) ?? d.banditRefreshSeconds
        banditFloor = try c.decodeIfPresent(Double.self, forKey: .banditFloor) ?? d.banditFloor
    }

    /// Checks what can be checked without reading the templates (`makeRegistry` checks that
    /// defaults and splits name existing versions).
    public func validate() throws {
        guard !directory.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ConfigurationError(description: "prompts.directory must not be empty")
        }
        for (name, version) in defaults.sorted(by: { $0.key < $1.key }) where version.isEmpty || version.contains("@") {
            throw ConfigurationError(description: "prompts.defaults.\(name) must be a version such as v1, not '\(version)'")
        }
        for (name, weights) in splits.sorted(by: { $0.key < $1.key }) {
            guard !weights.isEmpty else {
                throw ConfigurationError(
                    description: "prompts.splits.\(name) has no versions: give weights such as {v1: 90, v2: 10}, or remove it")
            }
            for (version, weight) in weights.sorted(by: { $0.key < $1.key }) where weight < 0 {
                throw ConfigurationError(description: "prompts.splits.\(name).\(version) must not be negative (it is \(weight))")
            }
            guard weights.values.reduce(0, +) > 0 else {
                throw ConfigurationError(
                    description: "prompts.splits.\(name): the weights add up to 0; give at least one version a positive weight")
            }
        }
        guard banditRefreshSeconds > 0 else {
            throw ConfigurationError(description: "prompts.bandit_refresh_s must be above 0, not \(banditRefreshSeconds)")
        }
        guard banditFloor >= 0 && banditFloor < 0.5 else {
            throw ConfigurationError(description: "prompts.bandit_floor must be from 0 to below 0.5, not \(banditFloor)")
        }
        if bandit == .thompson && splits.isEmpty {
            throw ConfigurationError(
                description:
                    "prompts.bandit: thompson chooses between the versions of a split; name them in prompts.splits (e.g. {answer: {v1: 1, v2: 1}})"
            )
        }
    }

    /// The bandit's settings: each split's versions with a positive weight are its arms.
    public var banditSettings: PromptBandit.Settings {
        PromptBandit.Settings(
            arms: splits.mapValues { weights in VersionOrder.sorted(weights.filter { $0.value > 0 }.keys) },
            refresh: banditRefreshSeconds, floor: banditFloor)
    }

    /// The directory the templates are read from.
    public func resolvedDirectory() throws -> String {
        if directory.hasPrefix("/") { return directory }
        var candidates = [FileManager.default.currentDirectoryPath + "/" + directory]
        // Upwards from the executable (e.g. .build/x86_64-unknown-linux-gnu/release/lore).
        var dir = URL(fileURLWithPath: CommandLine.executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(dir.path + "/" + directory)
            dir.deleteLastPathComponent()
        }
        var isDir: ObjCBool = false
        for c in candidates where FileManager.default.fileExists(atPath: c, isDirectory: &isDir) && isDir.boolValue {
            return URL(fileURLWithPath: c).standardizedFileURL.path
        }
        throw ConfigurationError(
            description:
                "prompt templates not found under \(directory)/ (looked in \(candidates[0]) and above the lore executable): set prompts.directory or LORE_PROMPTS_DIR"
        )
    }

    /// Loads and validates every template; throws `PromptLoadError` (every broken file, as
    /// `path:line: message`) or `ConfigurationError` (a default or split naming a version
    /// that does not exist). Lore must not start when this throws.
    public func makeRegistry(logger: Logger = Logger(label: "lore.prompts")) throws -> PromptRegistry {
        try validate()
        let dir = try resolvedDirectory()
        do {
            return try PromptRegistry.load(directory: dir, defaults: defaults, splits: splits, logger: logger)
        } catch let e as PromptError {
            throw ConfigurationError(description: "\(e)")
        }
    }
}
