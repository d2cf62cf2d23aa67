/// Lore's version: `lore --version`, and the `service.version` of exported traces.
public enum LoreVersion {
    public static let current = "0.1.0"
}
