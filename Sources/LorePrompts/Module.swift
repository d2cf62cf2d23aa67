// LorePrompts: see docs/ARCHITECTURE.md.
