// The embedded backend these tests exercise uses flock(2): Linux and macOS.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
