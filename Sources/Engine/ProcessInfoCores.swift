#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Online CPU count without Foundation.
enum ProcessInfoCores {
    static var count: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}
