using NoDb.TestSupport;

// The embedded backend uses flock(2): Linux and macOS.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]

// One of each backend for the whole run: a redis-server and a three-master Redis Cluster on free loopback ports, stopped
// when the run ends. Each concrete class of a contract suite takes the one it runs on.
[assembly: AssemblyFixture(typeof(FileLocksFixture))]
[assembly: AssemblyFixture(typeof(RedisFixture))]
[assembly: AssemblyFixture(typeof(RedisClusterFixture))]
