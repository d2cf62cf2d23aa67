import Foundation
import LoreCore

/// The learned half of the injection detector: a small feed-forward network (logistic
/// regression is one sigmoid layer) over the sentence embedding Lore already computes for a
/// question or a chunk, followed by a few structural features (``InjectionFeatures``).
///
/// The weights are a data file written by `scripts/train-guard` from attack corpora shipped in
/// PyPI packages and benign Debian documentation (its manifest lists the sources, versions,
/// counts, hashes and licences). The default file is compiled into the binary
/// (`Resources/injection-classifier.json`); `guardrails.injection_model` names another. The
/// detector's version is derived from the file's SHA-256, so stored scan outcomes are redone
/// whenever the weights change.
public struct InjectionClassifier: Sendable {
    /// One dense layer: `out = activation(W · in + b)`, `W` row-major (`out` rows of `in`).
    struct Layer: Sendable {
        var inputs: Int
        var outputs: Int
        var weights: [Float]
        var bias: [Float]
        var relu: Bool
    }

    /// The feature names the weights were trained on, in order.
    public let featureNames: [String]
    /// The embedding model the weights expect (vectors from another model are refused).
    public let embeddingModel: String
    /// A score at or above it is an injection.
    public let threshold: Double
    /// The same for one window of a document (``InjectionWindows``): a document has many, and a
    /// sentence read alone looks more like an instruction than its chunk, so the training
    /// script sets it from the benign documents' windows (the file's `window_threshold`;
    /// `threshold` when it has none).
    public let windowThreshold: Double
    /// `classifier-` and the first 12 hex digits of the file's SHA-256.
    public let version: String
    let mean: [Float]
    let scale: [Float]
    let layers: [Layer]

    /// The classifier compiled into the binary.
    public static let bundled: InjectionClassifier = {
        do { return try InjectionClassifier(data: Data(PackageResources.injection_classifier_json)) } catch {
            fatalError("the bundled injection classifier does not load: \(error)")
        }
    }()

    /// Loads a classifier file (JSON, `lore-injection-classifier/1`).
    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GuardrailError("injection classifier \(path): cannot read the file")
        }
        do { try self.init(data: data) } catch let e as GuardrailError {
            throw GuardrailError("injection classifier \(path): \(e.description)")
        }
    }

    /// Parses a classifier file's contents.
    public init(data: Data) throws {
        guard let o = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw GuardrailError("not a JSON object")
        }
        guard o["format"] as? String == "lore-injection-classifier/1" else {
            throw GuardrailError("format: expected lore-injection-classifier/1, found \(o["format"].map { "\($0)" } ?? "nothing")")
        }
        guard let names = o["feature_names"] as? [String], !names.isEmpty else { throw GuardrailError("feature_names: missing") }
        let expected = InjectionFeatures.names
        guard names == expected else {
            throw GuardrailError(
                "feature_names: the file was trained on \(names.count) features that differ from this build's \(expected.count) (\(InjectionFeatures.describeDifference(names, expected))): train it again with scripts/train-guard"
            )
        }
        func floats(_ key: String, _ any: Any?) throws -> [Float] {
            guard let a = any as? [Any] else { throw GuardrailError("\(key): missing or not an array") }
            return try a.map {
                guard let n = $0 as? NSNumber else { throw GuardrailError("\(key): not a number: \($0)") }
                return n.floatValue
            }
        }
        let n = names.count
        mean = try o["mean"] == nil ? [Float](repeating: 0, count: n) : floats("mean", o["mean"])
        scale = try o["scale"] == nil ? [Float](repeating: 1, count: n) : floats("scale", o["scale"])
        guard mean.count == n, scale.count == n, !scale.contains(where: { $0 == 0 || !$0.isFinite }) else {
            throw GuardrailError("mean and scale: need \(n) finite values each, scale never 0")
        }
        guard let rawLayers = o["layers"] as? [[String: Any]], !rawLayers.isEmpty else { throw GuardrailError("layers: missing") }
        var layers: [Layer] = []
        var width = n
        for (k, l) in rawLayers.enumerated() {
            guard let i = l["in"] as? Int, let out = l["out"] as? Int, i == width, out > 0 else {
                throw GuardrailError("layers[\(k)]: in must be \(width) and out positive")
            }
            let w = try floats("layers[\(k)].weights", l["weights"]), b = try floats("layers[\(k)].bias", l["bias"])
            guard w.count == i * out, b.count == out, !w.contains(where: { !$0.isFinite }) else {
                throw GuardrailError("layers[\(k)]: weights need \(i * out) finite values and bias \(out)")
            }
            let activation = l["activation"] as? String ?? ""
            let last = k == rawLayers.count - 1
            guard last ? activation == "sigmoid" : activation == "relu" else {
                throw GuardrailError(
                    "layers[\(k)].activation: \(last ? "the last layer is sigmoid" : "hidden layers are relu"), not \(activation)")
            }
            layers.append(Layer(inputs: i, outputs: out, weights: w, bias: b, relu: !last))
            width = out
        }
        guard width == 1 else { throw GuardrailError("layers: the last layer must have one output") }
        self.layers = layers
        featureNames = names
        embeddingModel = o["embedding_model"] as? String ?? ""
        threshold = (o["threshold"] as? NSNumber)?.doubleValue ?? 0.5
        guard threshold > 0, threshold < 1 else { throw GuardrailError("threshold: must be in (0, 1)") }
        windowThreshold = (o["window_threshold"] as? NSNumber)?.doubleValue ?? threshold
        guard windowThreshold >= threshold, windowThreshold < 1 else { throw GuardrailError("window_threshold: must be in [threshold, 1)") }
        var h = SHA256()
        h.update(data)
        version = "classifier-" + String(h.finalizeHex().prefix(12))
    }

    /// A window's score on the scale of ``threshold`` (piecewise linear: `windowThreshold`
    /// becomes `threshold`, 0 and 1 stay), so that one threshold decides for every signal.
    public func windowWeight(_ p: Double) -> Double {
        p >= windowThreshold ? threshold + (p - windowThreshold) / (1 - windowThreshold) * (1 - threshold) : p / windowThreshold * threshold
    }

    /// The probability that the text behind `features` carries instructions aimed at the model.
    public func score(_ features: [Float]) -> Double {
        precondition(features.count == mean.count, "\(features.count) features given; the classifier takes \(mean.count)")
        var x = [Float](repeating: 0, count: features.count)
        for i in 0..<features.count { x[i] = (features[i] - mean[i]) / scale[i] }
        for layer in layers {
            var y = layer.bias
            layer.weights.withUnsafeBufferPointer { w in
                x.withUnsafeBufferPointer { xin in
                    for o in 0..<layer.outputs {
                        var s: Float = 0
                        let row = o * layer.inputs
                        for i in 0..<layer.inputs { s += w[row + i] * xin[i] }
                        y[o] += s
                    }
                }
            }
            if layer.relu { for i in 0..<y.count { y[i] = max(0, y[i]) } }
            x = y
        }
        let z = Double(x[0])
        return 1 / (1 + exp(-z))
    }
}
