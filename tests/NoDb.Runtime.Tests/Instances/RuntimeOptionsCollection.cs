namespace NoDb.Runtime.Tests.Instances;

/// <summary>
/// The tests that change or assert the process-wide runtime (NoDbRuntime.Configure, hosts, process-wide listeners): they run
/// alone, one after another. Every other test binds the file backend's engine to its own flow and does not mind them.
/// </summary>
[CollectionDefinition(nameof(RuntimeOptionsCollection), DisableParallelization = true)]
public sealed class RuntimeOptionsCollection;
