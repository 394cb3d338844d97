using Azure;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Runs;

/// <summary>What became of one input when its run's <see cref="InputAfterCommit"/> was carried out.</summary>
public enum InputMove
{
    /// <summary>Copied to the archive, verified, and removed from incoming.</summary>
    Archived,

    /// <summary>Removed from incoming (afterCommit = delete).</summary>
    Deleted,

    /// <summary>Left in incoming (afterCommit = keep).</summary>
    Kept,

    /// <summary>
    /// A newer upload replaced the processed version under the same name: the newer one stays in incoming (it has its
    /// own run). The processed version is archived if it was copied before it was replaced.
    /// </summary>
    Replaced,

    /// <summary>Neither in incoming nor in the archive: deleted by someone else before it could be archived.</summary>
    Gone,
}

/// <summary>
/// Moves a run's inputs out of incoming after its manifest is written: copy to the archive, verify the copy, then
/// delete the source only if its ETag is still the processed one. Every step is idempotent, so a retry or a replay
/// after a crash between the manifest and the move (or in the middle of it) finishes the move without losing a copy.
/// </summary>
public sealed class InputArchiver(BlobStore store, ILogger<InputArchiver> logger)
{
    /// <summary>Metadata on an archived copy: the ETag of the incoming version it copies (a retry recognises its own copy).</summary>
    public const string SourceETagKey = "sourceetag";

    /// <summary>
    /// Metadata on an archived copy: the incoming version's last-modified time (round-trip format). A backfill that reads
    /// the archive needs it: "newest input version wins" compares upload times, and the copy's own is the archive time.
    /// </summary>
    public const string SourceModifiedKey = "sourcemodified";

    public async Task<InputMove> MoveAsync(InputAfterCommit input, CancellationToken cancellationToken = default)
    {
        var version = input.Input;
        switch (input.Action)
        {
            case InputLifecycle.Keep:
                return InputMove.Kept;
            case InputLifecycle.Delete:
                return await DeleteSourceAsync(version, cancellationToken) ? InputMove.Deleted : InputMove.Replaced;
            case InputLifecycle.Archive:
                var archived = await CopyAsync(input, cancellationToken);
                if (!archived)
                {
                    return await Exists(version, cancellationToken) ? InputMove.Replaced : InputMove.Gone;
                }

                return await DeleteSourceAsync(version, cancellationToken) ? InputMove.Archived : InputMove.Replaced;
            default:
                throw new ArgumentException($"unknown afterCommit action '{input.Action}' for {version}", nameof(input));
        }
    }

    /// <summary>
    /// Copies the processed version to its archive name. False when the version is no longer in incoming and no copy
    /// of it was made (replaced or deleted before archiving).
    /// </summary>
    /// <remarks>
    /// A service-side Copy Blob inside the account, conditioned on the processed ETag: one request, no bytes through
    /// the host, and the service copies content, headers and Content-MD5 as one version. A retry copies again (same
    /// bytes); when the source has gone or changed since, the copy already in the archive is recognised by the ETag
    /// it names. A store that refuses the service-side copy gets the streamed copy, verified by size and MD5.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The copy does not match the source (retried by the activity).</exception>
    public async Task<bool> CopyAsync(InputAfterCommit input, CancellationToken cancellationToken = default)
    {
        var version = input.Input;
        var target = store.BlobAt(input.ArchivedAs ?? throw new ArgumentException($"{version} has no archive name", nameof(input)));
        try
        {
            var modified = version.LastModified ?? await store.LastModifiedAsync(version with { Archived = null }, cancellationToken);
            if (modified is null)
            {
                return await VerifiedCopyAsync(target, version, sourceHash: null, cancellationToken);
            }

            var copy = await target.StartCopyFromUriAsync(store.Blob(version.Container, version.Name).Uri, new BlobCopyFromUriOptions
            {
                Metadata = ArchiveMetadata(version, modified.Value),
                SourceConditions = new BlobRequestConditions { IfMatch = new ETag(version.ETag) },
            }, cancellationToken);
            // Inside one account the copy is done when the service answers (x-ms-copy-status: success); else wait for it.
            if (!(copy.GetRawResponse().Headers.TryGetValue("x-ms-copy-status", out var status) && status == "success"))
            {
                await copy.WaitForCompletionAsync(cancellationToken);
            }

            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return await VerifiedCopyAsync(target, version, sourceHash: null, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 401 or 403 || ex.ErrorCode == "CannotVerifyCopySource")
        {
            logger.LogInformation("The store refused a service-side copy of {Input} ({Code}); streaming it instead", version, ex.ErrorCode);
            return await StreamedCopyAsync(input, target, cancellationToken);
        }
    }

    /// <summary>Reads the version through the host and uploads it, then checks size and MD5 against the source.</summary>
    private async Task<bool> StreamedCopyAsync(InputAfterCommit input, Azure.Storage.Blobs.BlobClient target, CancellationToken cancellationToken)
    {
        var version = input.Input;
        if (await VerifiedCopyAsync(target, version, sourceHash: null, cancellationToken))
        {
            return true;
        }

        BlobProperties source;
        try
        {
            source = (await store.Blob(version.Container, version.Name).GetPropertiesAsync(new BlobRequestConditions { IfMatch = new ETag(version.ETag) }, cancellationToken)).Value;
            await store.CopyAsync(version with { Archived = null }, target, new BlobUploadOptions
            {
                Metadata = ArchiveMetadata(version, source.LastModified),
                HttpHeaders = new BlobHttpHeaders { ContentType = source.ContentType, ContentEncoding = source.ContentEncoding },
            }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }

        if (!await VerifiedCopyAsync(target, version, source.ContentHash, cancellationToken))
        {
            throw new InvalidOperationException($"the archived copy {input.ArchivedAs} of {version} does not match it (size or MD5); the source stays in incoming");
        }

        return true;
    }

    private static Dictionary<string, string> ArchiveMetadata(BlobReference version, DateTimeOffset modified) => new()
    {
        [SourceETagKey] = version.ETag.Trim('"'),
        [SourceModifiedKey] = modified.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Deletes the incoming blob only while it is still the processed version; false when it is gone or newer.</summary>
    public async Task<bool> DeleteSourceAsync(BlobReference version, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.Blob(version.Container, version.Name).DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots, new BlobRequestConditions { IfMatch = new ETag(version.ETag) }, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            // If-Match on a blob that no longer exists is also 412 (Azure and Azurite): gone is done.
            if (!await Exists(version, cancellationToken))
            {
                return true;
            }

            logger.LogInformation("{Input} was replaced by a newer upload before it left incoming; the newer version stays for its own run", version);
            return false;
        }
    }

    /// <summary>
    /// The copy is this version's: it names the version's ETag, has its size, and (when both sides have a Content-MD5,
    /// which the service computes for single-request uploads) the same MD5.
    /// </summary>
    private static async Task<bool> VerifiedCopyAsync(Azure.Storage.Blobs.BlobClient target, BlobReference version, byte[]? sourceHash, CancellationToken cancellationToken)
    {
        BlobProperties copy;
        try
        {
            copy = (await target.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }

        var names = copy.Metadata.TryGetValue(SourceETagKey, out var etag) && etag == version.ETag.Trim('"');
        var sameHash = sourceHash is not { Length: > 0 } || copy.ContentHash is not { Length: > 0 } || sourceHash.AsSpan().SequenceEqual(copy.ContentHash);
        return names && copy.ContentLength == version.Size && sameHash;
    }

    private async Task<bool> Exists(BlobReference version, CancellationToken cancellationToken) =>
        (await store.Blob(version.Container, version.Name).ExistsAsync(cancellationToken)).Value;
}
