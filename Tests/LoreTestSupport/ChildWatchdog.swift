import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Makes every process a test starts end with the test run, however the run ends: a
/// normal exit, a crash, or `kill -9` of the runner.
///
/// The first registration starts one watchdog shell per test process. Its standard input
/// is a pipe whose only write end this process holds (close-on-exec, so no child inherits
/// it): each registration writes a child's pid and start time there. When this process
/// ends, the kernel closes the write end, the watchdog reads end-of-file, and it stops every
/// registered process that is still the same process (pid and start time match) together
/// with its descendants: SIGTERM, then SIGKILL after a grace period. The watchdog runs as
/// `lore-test-watchdog`, so `scripts/test` can wait for it before it checks that nothing
/// was left behind.
public enum ChildWatchdog {
    private static let script = #"""
        trap '' INT TERM HUP
        records=""
        while read -r pid start; do records="$records $pid:$start"; done
        tree() { for c in $(pgrep -P "$1" 2>/dev/null); do tree "$c"; done; echo "$1"; }
        alive=""
        for r in $records; do
          pid=${r%%:*}; start=${r#*:}
          stat=$(cat /proc/$pid/stat 2>/dev/null) || continue
          rest=${stat##*) }; set -- $rest
          [ "${20}" = "$start" ] || continue
          alive="$alive $(tree "$pid")"
        done
        [ -z "$alive" ] && exit 0
        kill -TERM $alive 2>/dev/null
        i=0
        while [ $i -lt 50 ]; do
          left=""; for p in $alive; do kill -0 "$p" 2>/dev/null && left="$left $p"; done
          [ -z "$left" ] && exit 0
          sleep 0.1; i=$((i + 1))
        done
        kill -KILL $left 2>/dev/null
        exit 0
        """#

    /// The write end of the watchdog's pipe (-1 if it could not be started).
    private static let writeEnd: Int32 = {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return -1 }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        let watchdog = Process()
        watchdog.executableURL = URL(fileURLWithPath: "/bin/bash")
        watchdog.arguments = ["-c", "exec -a lore-test-watchdog /bin/bash -c \"$0\"", script]
        watchdog.standardInput = FileHandle(fileDescriptor: fds[0], closeOnDealloc: false)
        watchdog.standardOutput = FileHandle.nullDevice
        watchdog.standardError = FileHandle.nullDevice
        do { try watchdog.run() } catch {
            close(fds[0]); close(fds[1])
            return -1
        }
        close(fds[0])
        return fds[1]
    }()

    private static let lock = Mutex<Void>(())

    /// Registers a child this process started: it is stopped when this process ends.
    public static func watch(_ pid: Int32) {
        guard pid > 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.range(of: ") ", options: .backwards)
        else { return }
        let fields = stat[close.upperBound...].split(separator: " ")
        guard fields.count > 19 else { return }
        let line = "\(pid) \(fields[19])\n"
        lock.withLock { _ in
            guard writeEnd >= 0 else { return }
            _ = line.withCString { write(writeEnd, $0, strlen($0)) }
        }
    }
}
