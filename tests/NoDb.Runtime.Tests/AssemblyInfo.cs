using NoDb.TestSupport;

// The embedded backend these tests exercise uses flock(2): Linux and macOS.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]

// The file backend with the test options; the test classes bind its engine (BackendTest), or reset the process-wide
// runtime to it after changing it (the RuntimeOptionsCollection).
[assembly: AssemblyFixture(typeof(FileLocksFixture))]
