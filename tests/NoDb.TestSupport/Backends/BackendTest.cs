namespace NoDb.TestSupport;

/// <summary>
/// A test class whose tests run on one backend. The constructor binds the backend's shared engine to the test's flow:
/// xUnit v3 runs <c>IAsyncLifetime.InitializeAsync</c> and the test method in the execution context its class's
/// constructor left (checked by the contract's <c>BackendSelectionTests</c> on every backend), so every NoDb call of the test, and of the tasks it starts, goes to
/// that backend, whatever the process-wide runtime is. <see cref="Elsewhere"/> binds the same engine in the other flow it
/// starts. A flow that is started with the execution context suppressed in any other way must bind again
/// (<see cref="BackendFixture.Bind"/>).
/// </summary>
public abstract class BackendTest : IDisposable
{
    private readonly IDisposable _binding;

    protected BackendTest(BackendFixture backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        Backend = backend;
        _binding = backend.Bind();
    }

    protected BackendFixture Backend { get; }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _binding.Dispose();
        }
    }
}
