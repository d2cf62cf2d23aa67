// LoreGenerate: see docs/ARCHITECTURE.md.
