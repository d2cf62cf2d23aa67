import Configuration
import Foundation

/// A value a flag gives a setting (swift-configuration's `ConfigContent`: `.string`, `.int`,
/// `.double`, `.bool`, `.stringArray`).
public typealias SettingValue = ConfigContent

/// One setting of Lore's configuration: its dotted key, its type, what it means, and how a
/// value read through swift-configuration is written into a ``LoreConfiguration``.
///
/// ``LoreConfiguration/settings`` lists every setting in one place. The environment
/// (`LORE_` and the key in capitals, as swift-configuration's `EnvironmentVariablesProvider`
/// spells it: `server.port` is `LORE_SERVER_PORT`) and the command-line flags are read
/// through that list, and docs/CONFIGURATION.md's table is generated from it
/// (`lore config --reference`).
public struct Setting {
    /// What a setting holds, as the reference names it.
    public enum Kind: Equatable, Sendable {
        case string, int, float, bool, strings
        /// One of a closed set of words (an enum's raw values).
        case choice([String])
        /// A list or map the file holds whole (`generation.backends`, `prompts.splits`);
        /// no variable or flag sets it.
        case structure(String)

        /// The type column of the reference.
        public var name: String {
            switch self {
            case .string, .choice: "string"
            case .int: "int"
            case .float: "float"
            case .bool: "bool"
            case .strings: "list of strings"
            case .structure(let name): name
            }
        }

        /// The swift-configuration type a provider is asked for.
        var configType: ConfigType? {
            switch self {
            case .string, .choice, .bool: .string  // booleans also take on/off, which the provider's decoder does not
            case .int: .int
            case .float: .double
            case .strings: .stringArray
            case .structure: nil
            }
        }
    }

    /// The dotted key (`server.rate_limit.burst`).
    public let key: String
    public let kind: Kind
    /// What it does, with the flags that set it too: the reference's last column.
    public let meaning: String
    /// Older or shorter variables that set it as well (`LORE_DB`).
    public let aliases: [String]
    /// The default column when the value alone does not say it ("none (CORS off)").
    let defaultText: String?
    /// The environment column when it is not the derived variable (the `LORE_LLM_*` backend).
    let environmentText: String?
    /// The current value as the reference prints it; nil when unset.
    let render: (LoreConfiguration) -> String?
    /// Writes a value (already of ``Kind/configType``) into a configuration.
    let assign: ((inout LoreConfiguration, ConfigContent) throws -> Void)?

    /// The swift-configuration key: `lore` and the key's parts (`lore.server.port`).
    public var configKey: AbsoluteConfigKey { AbsoluteConfigKey(["lore"] + key.split(separator: ".").map(String.init)) }

    /// The environment variable swift-configuration's `EnvironmentVariablesProvider` reads it
    /// from; nil for a structure.
    public var variable: String? {
        guard let type = kind.configType, assign != nil, environmentText == nil else { return nil }
        return (try? EnvironmentVariablesProvider(environmentVariables: [:]).value(forKey: configKey, type: type))?.encodedKey
    }

    /// Every variable that sets it: the derived one, then the aliases.
    public var variables: [String] { (variable.map { [$0] } ?? []) + aliases }

    /// The default, as the reference prints it.
    public var defaultValue: String { defaultText ?? render(LoreConfiguration()) ?? "none" }

    /// The environment column of the reference.
    public var environmentColumn: String {
        if let environmentText { return environmentText }
        guard let variable else { return "" }
        let main = "`\(variable)`" + (kind == .strings ? " (comma-separated)" : "")
        let others = aliases.map { "`\($0)`" }.joined(separator: ", ")
        return others.isEmpty ? main : main + " (or \(others))"
    }
}

// MARK: - Kinds of setting

extension Setting {
    private static func text(_ value: String) -> String { "`\(value)`" }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    private static func list(_ value: [String]) -> String { "`[" + value.joined(separator: ", ") + "]`" }

    /// The one shape every scalar setting has: read its current value for the reference,
    /// pick a provider's value of its type out of the content (`content`) and write it.
    private static func scalar<V>(
        _ key: String, _ kind: Kind, aliases: [String] = [], default defaultText: String? = nil,
        get: @escaping (LoreConfiguration) -> V?, set: @escaping (inout LoreConfiguration, V) throws -> Void,
        content: @escaping (ConfigContent) -> V?, show: @escaping (V) -> String, _ meaning: String
    ) -> Setting {
        Setting(
            key: key, kind: kind, meaning: meaning, aliases: aliases, defaultText: defaultText, environmentText: nil,
            render: { get($0).map(show) },
            assign: { c, v in if let value = content(v) { try set(&c, value) } })
    }

    private static func string(_ v: ConfigContent) -> String? { if case .string(let s) = v { s } else { nil } }
    private static func int(_ v: ConfigContent) -> Int? { if case .int(let n) = v { n } else { nil } }
    private static func double(_ v: ConfigContent) -> Double? { if case .double(let d) = v { d } else { nil } }
    private static func strings(_ v: ConfigContent) -> [String]? {
        guard case .stringArray(let items) = v else { return nil }
        return items.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A word or path.
    static func string(
        _ key: String, _ path: WritableKeyPath<LoreConfiguration, String>, aliases: [String] = [], _ meaning: String
    ) -> Setting {
        scalar(
            key, .string, aliases: aliases, get: { $0[keyPath: path] }, set: { $0[keyPath: path] = $1 }, content: string,
            show: text, meaning)
    }

    /// A word or path that may be absent; an empty value removes it.
    static func optionalString(
        _ key: String, _ path: WritableKeyPath<LoreConfiguration, String?>, default defaultText: String? = nil, _ meaning: String
    ) -> Setting {
        scalar(
            key, .string, default: defaultText, get: { $0[keyPath: path] },
            set: { c, s in
                let trimmed = s.trimmingCharacters(in: .whitespaces)
                c[keyPath: path] = trimmed.isEmpty ? nil : trimmed
            }, content: string, show: text, meaning)
    }

    /// One of a closed set of words.
    static func choice<E: RawRepresentable<String> & CaseIterable>(
        _ key: String, _ path: WritableKeyPath<LoreConfiguration, E>, _ meaning: String
    ) -> Setting {
        let words = E.allCases.map(\.rawValue)
        return scalar(
            key, .choice(words), get: { $0[keyPath: path].rawValue },
            set: { c, s in
                guard let value = E(rawValue: s.trimmingCharacters(in: .whitespaces)) else {
                    throw ConfigurationError(description: "\(key) must be one of \(words.joined(separator: ", ")), not \(s)")
                }
                c[keyPath: path] = value
            }, content: string, show: text, meaning)
    }

    /// A switch: `true`/`false`, `on`/`off`, `yes`/`no` or `1`/`0`.
    static func bool(
        _ key: String, _ path: WritableKeyPath<LoreConfiguration, Bool>, aliases: [String] = [], _ meaning: String
    ) -> Setting {
        let words = ["on": true, "1": true, "true": true, "yes": true, "off": false, "0": false, "false": false, "no": false]
        return scalar(
            key, .bool, aliases: aliases, get: { String($0[keyPath: path]) },
            set: { c, s in
                guard let on = words[s.trimmingCharacters(in: .whitespaces).lowercased()] else {
                    throw ConfigurationError(description: "\(key) must be on or off, not \(s)")
                }
                c[keyPath: path] = on
            }, content: string, show: text, meaning)
    }

    static func int(_ key: String, _ path: WritableKeyPath<LoreConfiguration, Int>, _ meaning: String) -> Setting {
        optionalInt(key, get: { $0[keyPath: path] }, set: { $0[keyPath: path] = $1 }, meaning)
    }

    static func optionalInt(
        _ key: String, _ path: WritableKeyPath<LoreConfiguration, Int?>, default defaultText: String? = nil, _ meaning: String
    ) -> Setting {
        optionalInt(key, default: defaultText, get: { $0[keyPath: path] }, set: { $0[keyPath: path] = $1 }, meaning)
    }

    /// A whole number written through code (a section created on first use, as `server.cors`).
    static func optionalInt(
        _ key: String, default defaultText: String? = nil, get: @escaping (LoreConfiguration) -> Int?,
        set: @escaping (inout LoreConfiguration, Int) -> Void, _ meaning: String
    ) -> Setting {
        scalar(key, .int, default: defaultText, get: get, set: set, content: int, show: { text(String($0)) }, meaning)
    }

    static func float(_ key: String, _ path: WritableKeyPath<LoreConfiguration, Double>, _ meaning: String) -> Setting {
        optionalFloat(key, get: { $0[keyPath: path] }, set: { $0[keyPath: path] = $1 }, meaning)
    }

    static func optionalFloat(
        _ key: String, _ path: WritableKeyPath<LoreConfiguration, Double?>, default defaultText: String? = nil, _ meaning: String
    ) -> Setting {
        optionalFloat(key, default: defaultText, get: { $0[keyPath: path] }, set: { $0[keyPath: path] = $1 }, meaning)
    }

    private static func optionalFloat(
        _ key: String, default defaultText: String? = nil, get: @escaping (LoreConfiguration) -> Double?,
        set: @escaping (inout LoreConfiguration, Double) -> Void, _ meaning: String
    ) -> Setting {
        scalar(key, .float, default: defaultText, get: get, set: set, content: double, show: { text(number($0)) }, meaning)
    }

    static func strings(_ key: String, _ path: WritableKeyPath<LoreConfiguration, [String]>, _ meaning: String) -> Setting {
        strings(key, get: { $0[keyPath: path] }, set: { $0[keyPath: path] = $1 }, meaning)
    }

    /// A list written through code (a section created on first use, as `server.cors`).
    static func strings(
        _ key: String, default defaultText: String? = nil, get: @escaping (LoreConfiguration) -> [String]?,
        set: @escaping (inout LoreConfiguration, [String]) -> Void, _ meaning: String
    ) -> Setting {
        scalar(key, .strings, default: defaultText, get: get, set: set, content: strings, show: list, meaning)
    }

    /// A list or map the file holds whole, or a part of one (`generation.backends[].model`).
    static func structure(
        _ key: String, _ type: String, default defaultText: String = "", environment: String = "", _ meaning: String
    ) -> Setting {
        Setting(
            key: key, kind: .structure(type), meaning: meaning, aliases: [], defaultText: defaultText,
            environmentText: environment, render: { _ in nil }, assign: nil)
    }
}

// MARK: - Reading

extension LoreConfiguration {
    /// Applies the settings the environment and the flags give, flags first: each setting is
    /// looked up through swift-configuration's providers (an `InMemoryProvider` of the flags,
    /// then an `EnvironmentVariablesProvider`), which convert the text to the setting's type.
    /// A value that does not convert, or is not one of a closed set, is an error naming the
    /// variable or key.
    public mutating func applyOverrides(environment: [String: String], flags: [String: SettingValue] = [:]) throws {
        let settings = Self.settings
        let known = Set(settings.map(\.key))
        if let unknown = flags.keys.sorted().first(where: { !known.contains($0) }) {
            throw ConfigurationError(description: "no setting \(unknown) (a flag mapped to an unknown key)")
        }
        var flagValues: [AbsoluteConfigKey: ConfigValue] = [:]
        for s in settings {
            if let value = flags[s.key], let type = s.kind.configType {
                flagValues[s.configKey] = ConfigValue(Self.converted(value, to: type), isSecret: false)
            }
        }
        let flagProvider = InMemoryProvider(name: "flags", values: flagValues)
        let environmentProvider = EnvironmentVariablesProvider(environmentVariables: environment)
        for setting in settings {
            guard let type = setting.kind.configType, let assign = setting.assign else { continue }
            if let value = try flagProvider.value(forKey: setting.configKey, type: type).value {
                try assign(&self, value.content)
                continue
            }
            // The derived name wins over an alias: it is applied last.
            for name in setting.variables.reversed() {
                guard let raw = environment[name] else { continue }
                // An alias is read through a provider that holds it under the derived name.
                let provider =
                    name == setting.variable
                    ? environmentProvider : EnvironmentVariablesProvider(environmentVariables: [setting.variable ?? name: raw])
                let value: ConfigValue?
                do { value = try provider.value(forKey: setting.configKey, type: type).value } catch {
                    throw ConfigurationError(description: "\(name)=\(raw) is not \(type == .int ? "an integer" : "a number")")
                }
                guard let value else { continue }
                do { try assign(&self, value.content) } catch let error as ConfigurationError {
                    throw ConfigurationError(description: "\(name): \(error.description)")
                }
            }
        }
        generation.applyLLMEnvironment(environment)
    }

    /// A flag's value in the type its setting is read as.
    private static func converted(_ content: ConfigContent, to type: ConfigType) -> ConfigContent {
        switch (content, type) {
        case (.bool(let b), .string): .string(String(b))
        case (.int(let n), .double): .double(Double(n))
        default: content
        }
    }
}

// MARK: - The reference

extension LoreConfiguration {
    /// docs/CONFIGURATION.md's table of keys, generated from ``settings``
    /// (`lore config --reference`).
    public static func reference() -> String {
        var lines = ["| key | type | default | environment | meaning |", "|---|---|---|---|---|"]
        for s in settings {
            let cells = ["`\(s.key)`", s.kind.name, s.defaultValue, s.environmentColumn, s.meaning]
            lines.append("|" + cells.map { $0.isEmpty ? " " : " \($0) " }.joined(separator: "|") + "|")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
