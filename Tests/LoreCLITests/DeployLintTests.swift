import Foundation
import LoreTestSupport
import Testing

/// `scripts/lint-deploy`: the deployment files (docker/Dockerfile, docker/compose.yaml,
/// docker/k8s/*.yaml, the deployment docs) pass hadolint, the Compose and Kubernetes
/// schemas and the structural checks, and every `lore` command they run exists in the
/// built binary; and the linter really fails, naming the file, when one of them is wrong.
/// The linters' venv is made by `scripts/lint-deploy --install-only` (scripts/test runs it
/// first), so these tests need no network.
@Suite("scripts/lint-deploy", .serialized)
struct DeployLintTests {
    static let script = TestPaths.repositoryRoot + "/scripts/lint-deploy"

    func lint(_ arguments: [String] = []) throws -> ProcessResult {
        let environment = ProcessInfo.processInfo.environment.merging(["LORE_BIN": TestPaths.loreBinary]) { $1 }
        return try runProcess(Self.script, arguments, environment: environment, currentDirectory: TestPaths.repositoryRoot)
    }

    @Test("the repository's deployment files pass, with every lore command checked against the built binary")
    func repositoryPasses() throws {
        let r = try lint()
        #expect(r.status == 0, "lint-deploy failed:\n\(r.stdout)\n\(r.stderr)")
        #expect(r.stderr.contains("lore commands checked against \(TestPaths.loreBinary)"), "\(r.stderr)")
        #expect(r.stderr.contains("all deployment files pass"), "\(r.stderr)")
    }

    @Test("a Dockerfile whose apt-get install lacks --no-install-recommends fails hadolint, naming the file")
    func brokenDockerfileFails() throws {
        let dir = TemporaryDirectory("lore-lint-deploy")
        let original = try String(contentsOfFile: TestPaths.repositoryRoot + "/docker/Dockerfile", encoding: .utf8)
        let broken = original.replacingOccurrences(of: "apt-get install -y --no-install-recommends", with: "apt-get install -y")
        #expect(broken != original, "docker/Dockerfile no longer has the line this test breaks")
        let path = dir.write("Dockerfile", broken)

        let r = try lint(["--dockerfile", path])
        #expect(r.status != 0, "lint-deploy passed a broken Dockerfile:\n\(r.stderr)")
        #expect(r.stderr.contains(path), "the output does not name \(path):\n\(r.stderr)")
        #expect(r.stderr.contains("DL3015"), "hadolint's rule for --no-install-recommends is not reported:\n\(r.stderr)")
    }

    @Test("a compose file that misspells a lore flag or mounts the index writable in a replica fails, naming the file")
    func brokenComposeFails() throws {
        // In a copy of the layout, so that its relative paths (../corpus, ./nginx/...,
        // the build context ..) resolve: links to the real files, the compose file broken.
        let dir = TemporaryDirectory("lore-lint-deploy")
        let root = TestPaths.repositoryRoot, docker = root + "/docker"
        try FileManager.default.createDirectory(atPath: dir.path + "/docker", withIntermediateDirectories: true)
        for (link, target) in [
            ("corpus", root + "/corpus"), ("docker/nginx", docker + "/nginx"),
            ("docker/prometheus.yml", docker + "/prometheus.yml"), ("docker/Dockerfile", docker + "/Dockerfile")
        ] {
            try FileManager.default.createSymbolicLink(atPath: dir.path + "/" + link, withDestinationPath: target)
        }
        let path = dir.path + "/docker/compose.yaml"
        let original = try String(contentsOfFile: docker + "/compose.yaml", encoding: .utf8)
        let broken =
            original
            .replacingOccurrences(of: "\"--publish\", \"/data/index\"", with: "\"--publsh\", \"/data/index\"")
            .replacingOccurrences(of: "- index:/data/index:ro", with: "- index:/data/index")
        #expect(broken != original, "docker/compose.yaml no longer has the lines this test breaks")
        try broken.write(toFile: path, atomically: true, encoding: .utf8)

        let r = try lint(["--compose", path])
        #expect(r.status != 0, "lint-deploy passed a broken compose file:\n\(r.stderr)")
        #expect(r.stderr.contains("has no option --publsh"), "the misspelt flag is not reported:\n\(r.stderr)")
        #expect(r.stderr.contains("mounts /data/index writable"), "the writable index is not reported:\n\(r.stderr)")
        #expect(r.stderr.contains(path), "the output does not name \(path):\n\(r.stderr)")
    }
}
