namespace WebApp;

/// <summary>Writes the address the app listens on, so that a script that asked for port 0 learns the port the OS chose.</summary>
public static class ListeningAddress
{
    /// <summary>Writes the first address, whole or not at all (a temp file renamed over the target).</summary>
    public static void Write(string path, ICollection<string> urls)
    {
        ArgumentNullException.ThrowIfNull(urls);
        string address = urls.FirstOrDefault() ?? throw new InvalidOperationException("The server listens on no address.");
        string temp = path + ".tmp";
        File.WriteAllText(temp, address + "\n");
        File.Move(temp, path, overwrite: true);
    }
}
