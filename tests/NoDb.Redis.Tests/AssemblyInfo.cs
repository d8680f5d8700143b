using NoDb.TestSupport;

[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]

// A redis-server on a free loopback port for the whole run, stopped when it ends. The test classes bind its engine
// (BackendTest) and start their workers on it; the tests that need a server of their own start one.
[assembly: AssemblyFixture(typeof(RedisFixture))]
