using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Orchestrations.Tables;

/// <summary>
/// Local copies of Delta data files, one per (table, path, size) for the life of the process. A committed data file is
/// never rewritten in place (a new version is a new path), so a copy taken once stays right: refreshes and queries
/// download each part once instead of once per call. Processes on one machine share the folder: a copy is moved into
/// place whole, and its name is a hash of (table, path, size). Nothing is evicted yet: the folder grows with the tables read.
/// </summary>
public sealed class TableFileCache
{
    /// <summary>Downloads in flight at once for one <see cref="GetAllAsync"/>.</summary>
    public const int DownloadsAtOnce = 64;

    private readonly string folder;
    private readonly ConcurrentDictionary<string, Lazy<Task<string?>>> files = new(StringComparer.Ordinal);
    private readonly ConditionalWeakTable<IDeltaStore, string> storeIds = new();

    public TableFileCache(PipelineOptions options)
        : this(Path.Combine(options.WorkDirectory, "table-cache"))
    {
    }

    public TableFileCache(string folder)
    {
        this.folder = folder;
        Directory.CreateDirectory(folder);
    }

    /// <summary>
    /// The local path of a data file (relative to the table root, decoded), or null when the file is gone from storage
    /// (vacuumed). Concurrent callers share one download.
    /// </summary>
    public async Task<string?> GetAsync(IDeltaStore store, string storagePath, long size, CancellationToken cancellationToken = default)
    {
        var key = KeyOf(store, storagePath, size);
        var entry = files.GetOrAdd(key, k => new Lazy<Task<string?>>(() => DownloadAsync(store, storagePath, LocalName(k), cancellationToken)));
        try
        {
            var local = await entry.Value;
            if (local is null)
            {
                // A missing file is not cached: a later call may find it (or still not).
                files.TryRemove(new KeyValuePair<string, Lazy<Task<string?>>>(key, entry));
            }

            return local;
        }
        catch
        {
            files.TryRemove(new KeyValuePair<string, Lazy<Task<string?>>>(key, entry));
            throw;
        }
    }

    /// <summary>
    /// Takes in a data file this process wrote and uploaded to <paramref name="storagePath"/>: <paramref name="localFile"/> is
    /// moved into the cache, so the table's next read on this machine finds it instead of downloading it again.
    /// </summary>
    public void Keep(IDeltaStore store, string storagePath, long size, string localFile)
    {
        var key = KeyOf(store, storagePath, size);
        var local = LocalName(key);
        if (!File.Exists(local))
        {
            File.Move(localFile, local, overwrite: true);
        }

        files.TryAdd(key, new Lazy<Task<string?>>(Task.FromResult<string?>(local)));
    }

    /// <summary>
    /// All of <paramref name="paths"/> (storage path, size), in order; throws when one is missing from storage. At most
    /// <see cref="DownloadsAtOnce"/> at a time: a table of 3,000 small parts fetched all at once had 1,500 downloads in
    /// flight, each with its copy buffer, and serve peaked near 600 MB on a 2,000-file drop (docs/reliability.md).
    /// </summary>
    public async Task<IReadOnlyList<string>> GetAllAsync(IDeltaStore store, IEnumerable<(string StoragePath, long Size)> paths, CancellationToken cancellationToken = default)
    {
        var wanted = paths.ToList();
        var locals = new string[wanted.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = DownloadsAtOnce, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, wanted.Count), options, async (i, token) =>
        {
            var (storagePath, size) = wanted[i];
            locals[i] = await GetAsync(store, storagePath, size, token)
                ?? throw new FileNotFoundException($"The table's data file '{storagePath}' is missing from storage.", storagePath);
        });
        return locals;
    }

    private static async Task<string?> DownloadAsync(IDeltaStore store, string storagePath, string local, CancellationToken cancellationToken)
    {
        if (File.Exists(local))
        {
            return local;
        }

        // Download beside the target and move, so no reader ever sees half a file.
        var partial = $"{local}.{Guid.NewGuid():N}.partial";
        try
        {
            if (store is BlobDeltaStore blobs)
            {
                var blob = blobs.Container.GetBlobClient(blobs.TableRoot + storagePath);
                try
                {
                    // One streamed GET: the SDK's DownloadTo buffers ranges in the shared array pool, which keeps them.
                    await BlobStore.DownloadToFileAsync(blob, partial, cancellationToken: cancellationToken);
                }
                catch (Azure.RequestFailedException e) when (e.Status == 404)
                {
                    return null;
                }
            }
            else
            {
                var content = await store.ReadAsync(storagePath, cancellationToken);
                if (content is null)
                {
                    return null;
                }

                await File.WriteAllBytesAsync(partial, content.ToArray(), cancellationToken);
            }

            File.Move(partial, local, overwrite: true);
            return local;
        }
        finally
        {
            File.Delete(partial);
        }
    }

    /// <summary>One data file of one table at one size: what a local copy stands for.</summary>
    private string KeyOf(IDeltaStore store, string storagePath, long size) => $"{StoreId(store)}|{storagePath}|{size}";

    private string StoreId(IDeltaStore store) => store is BlobDeltaStore blobs
        ? $"{blobs.Container.Uri}/{blobs.TableRoot}"
        : storeIds.GetValue(store, _ => Guid.NewGuid().ToString("N"));

    private string LocalName(string key) =>
        Path.Combine(folder, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))[..16]) + ".parquet");
}
