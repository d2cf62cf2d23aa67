// Standalone harness for the PII scanners (no package build needed):
//   swiftc -O Sources/LoreGuardrails/PII/*.swift bench/pii-harness/main.swift -o .cache/pii-harness
//   .cache/pii-harness < Tests/Fixtures/guardrails/pii-faker.jsonl
// Reads JSON Lines with "id" and "text"; prints one line per match: id<TAB>kind<TAB>start<TAB>end
// (UTF-8 byte offsets), and "id<TAB>-" for a line without matches.
import Foundation

let detector = PIIDetector()
var out = ""
while let line = readLine(strippingNewline: true) {
    guard !line.isEmpty,
          let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
          let id = object["id"] as? String, let text = object["text"] as? String else { continue }
    let matches = detector.find(in: text)
    if matches.isEmpty { out += "\(id)\t-\n" }
    for m in matches { out += "\(id)\t\(m.kind.rawValue)\t\(m.utf8Range.lowerBound)\t\(m.utf8Range.upperBound)\n" }
}
FileHandle.standardOutput.write(out.data(using: .utf8)!)
