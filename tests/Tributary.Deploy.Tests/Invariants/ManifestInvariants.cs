using System.Text.RegularExpressions;
using k8s.Models;
using Tributary.Deploy.Tests.Keda;
using Tributary.Deploy.Tests.Rendering;

namespace Tributary.Deploy.Tests.Invariants;

/// <summary>
/// Rules every rendered overlay must satisfy. Each rule returns its violations (empty when it holds), so a test
/// can show both that the committed overlays pass and that a broken manifest is caught.
/// </summary>
public static partial class ManifestInvariants
{
    public const string Namespace = "tributary";

    public static IReadOnlyList<string> All(RenderedManifests render, HostSettings host) =>
        ScaleTargetsNameDeployments(render)
            .Concat(KedaEnvironmentIsDefined(render))
            .Concat(TriggerMetadataIsKnown(render))
            .Concat(QueueNamesMatchHost(render, host))
            .Concat(SelectorsMatchLabels(render))
            .Concat(ImagesArePinned(render))
            .Concat(PodsMeetRestrictedProfile(render))
            .Concat(NoSecretHoldsALiteral(render))
            .Concat(DeploymentsAreHardened(render))
            .Concat(ObjectsLiveInNamespace(render))
            .ToList();

    public static IEnumerable<string> ScaleTargetsNameDeployments(RenderedManifests render)
    {
        var deployments = render.Deployments.Select(d => d.Metadata.Name).ToHashSet();
        foreach (var scaled in render.ScaledObjects)
        {
            var target = scaled.Spec.ScaleTargetRef;
            if (target is null || (target.Kind ?? "Deployment") != "Deployment" || !deployments.Contains(target.Name))
            {
                yield return $"ScaledObject/{scaled.Metadata.Name}: scaleTargetRef {target?.Kind}/{target?.Name} is not a Deployment in this render";
            }
        }
    }

    /// <summary>KEDA resolves connectionFromEnv and TriggerAuthentication env from the target container's env.</summary>
    public static IEnumerable<string> KedaEnvironmentIsDefined(RenderedManifests render)
    {
        foreach (var scaled in render.ScaledObjects)
        {
            var deployment = render.Deployments.FirstOrDefault(d => d.Metadata.Name == scaled.Spec.ScaleTargetRef?.Name);
            if (deployment is null)
            {
                continue; // reported by ScaleTargetsNameDeployments
            }
            foreach (var trigger in scaled.Spec.Triggers)
            {
                var where = $"ScaledObject/{scaled.Metadata.Name} trigger {trigger.Name ?? trigger.Type}";
                var sourceContainer = scaled.Spec.ScaleTargetRef?.EnvSourceContainerName;
                if (trigger.Metadata.TryGetValue("connectionFromEnv", out var fromEnv) &&
                    !DefinesEnv(render, deployment, sourceContainer, fromEnv))
                {
                    yield return $"{where}: connectionFromEnv {fromEnv} is not defined on the container";
                }
                if (trigger.AuthenticationRef is not { } reference)
                {
                    continue;
                }
                var auth = render.TriggerAuthentications.FirstOrDefault(a => a.Metadata.Name == reference.Name);
                if (auth is null)
                {
                    yield return $"{where}: TriggerAuthentication {reference.Name} is not in this render";
                    continue;
                }
                foreach (var env in auth.Spec.Env.Where(e => !DefinesEnv(render, deployment, e.ContainerName ?? sourceContainer, e.Name)))
                {
                    yield return $"{where}: TriggerAuthentication/{auth.Metadata.Name} reads env {env.Name}, not defined on container {env.ContainerName}";
                }
                if (auth.Spec.PodIdentity is null && auth.Spec.Env.Count == 0 && auth.Spec.SecretTargetRef.Count == 0)
                {
                    yield return $"{where}: TriggerAuthentication/{auth.Metadata.Name} provides no credential";
                }
            }
        }
    }

    public static IEnumerable<string> TriggerMetadataIsKnown(RenderedManifests render) =>
        from scaled in render.ScaledObjects
        from trigger in scaled.Spec.Triggers
        from key in TriggerMetadataKeys.Unknown(trigger)
        select $"ScaledObject/{scaled.Metadata.Name} trigger {trigger.Name ?? trigger.Type}: unknown metadata {key}";

    private static readonly string[] AppQueues = ["blob-created", "batch-seal"];

    /// <summary>The scaler watches exactly the task hub queues host.json implies, plus the app's own inputs.</summary>
    public static IEnumerable<string> QueueNamesMatchHost(RenderedManifests render, HostSettings host)
    {
        var scaled = render.ScaledObjects.SingleOrDefault(s => s.Spec.ScaleTargetRef?.Name == "tributary-worker");
        if (scaled is null)
        {
            yield return "no ScaledObject targets tributary-worker";
            yield break;
        }
        var queues = scaled.Spec.Triggers.Where(t => t.Type == "azure-queue")
            .Select(t => t.Metadata.GetValueOrDefault("queueName", "")).ToList();
        var hubPrefix = host.HubName.ToLowerInvariant() + "-";
        var expectedHubQueues = host.ControlQueues.Append(host.WorkItemQueue).ToHashSet();
        var actualHubQueues = queues.Where(q => q.StartsWith(hubPrefix, StringComparison.OrdinalIgnoreCase)).ToHashSet();
        foreach (var missing in expectedHubQueues.Except(actualHubQueues))
        {
            yield return $"task hub queue {missing} (from host.json) has no azure-queue trigger";
        }
        foreach (var extra in actualHubQueues.Except(expectedHubQueues))
        {
            yield return $"azure-queue trigger on {extra} is not a queue of hub {host.HubName} with {host.PartitionCount} partitions";
        }
        foreach (var queue in queues.Where(q => !QueueName().IsMatch(q)))
        {
            yield return $"queue name '{queue}' is not a valid Azure queue name (lower case)";
        }
        if (!queues.Contains("backfill-requests"))
        {
            yield return "no azure-queue trigger on backfill-requests";
        }
        foreach (var queue in AppQueues.Where(q => !queues.Contains(q)))
        {
            yield return $"no azure-queue trigger on {queue}";
        }
        // Only incoming may be counted as blobs: it holds the backlog, while archive and curated grow with history.
        foreach (var blob in scaled.Spec.Triggers.Where(t => t.Type == "azure-blob"))
        {
            if (blob.Metadata.GetValueOrDefault("blobContainerName") != "incoming" || !blob.Metadata.ContainsKey("blobPrefix"))
            {
                yield return "an azure-blob trigger counts something other than container incoming (with a blobPrefix)";
            }
        }
    }

    public static IEnumerable<string> SelectorsMatchLabels(RenderedManifests render)
    {
        var templates = render.PodTemplates.ToList();
        foreach (var deployment in render.Deployments)
        {
            if (!LabelSelectors.Selects(deployment.Spec.Selector, deployment.Spec.Template.Metadata?.Labels))
            {
                yield return $"Deployment/{deployment.Metadata.Name}: selector does not match its pod labels";
            }
        }
        foreach (var set in render.OfKind<V1StatefulSet>())
        {
            if (!LabelSelectors.Selects(set.Spec.Selector, set.Spec.Template.Metadata?.Labels))
            {
                yield return $"StatefulSet/{set.Metadata.Name}: selector does not match its pod labels";
            }
        }
        foreach (var service in render.OfKind<V1Service>())
        {
            if (!templates.Any(t => LabelSelectors.Selects(service.Spec.Selector, t.Template.Metadata?.Labels)))
            {
                yield return $"Service/{service.Metadata.Name}: selector matches no pod template";
            }
        }
        foreach (var budget in render.OfKind<V1PodDisruptionBudget>())
        {
            if (templates.Count(t => LabelSelectors.Selects(budget.Spec.Selector, t.Template.Metadata?.Labels)) != 1)
            {
                yield return $"PodDisruptionBudget/{budget.Metadata.Name}: selector does not match exactly one workload";
            }
        }
        foreach (var policy in render.OfKind<V1NetworkPolicy>().Where(p => p.Spec.PodSelector.MatchLabels is { Count: > 0 }))
        {
            if (!templates.Any(t => LabelSelectors.Selects(policy.Spec.PodSelector, t.Template.Metadata?.Labels)))
            {
                yield return $"NetworkPolicy/{policy.Metadata.Name}: podSelector matches no pod template";
            }
        }
    }

    public static IEnumerable<string> ImagesArePinned(RenderedManifests render) =>
        from t in render.PodTemplates
        from c in (t.Template.Spec.InitContainers ?? []).Concat(t.Template.Spec.Containers)
        where !IsPinned(c.Image)
        select $"{t.Owner}/{c.Name}: image '{c.Image}' is not pinned by tag or digest";

    public static IEnumerable<string> PodsMeetRestrictedProfile(RenderedManifests render) =>
        render.PodTemplates.SelectMany(t => RestrictedProfile.Violations(t.Owner, t.Template.Spec));

    /// <summary>Secrets are created out of band; the repository only references them.</summary>
    public static IEnumerable<string> NoSecretHoldsALiteral(RenderedManifests render)
    {
        foreach (var secret in render.OfKind<V1Secret>())
        {
            if (secret.Data is { Count: > 0 } || secret.StringData is { Count: > 0 })
            {
                yield return $"Secret/{secret.Metadata.Name}: holds literal values";
            }
        }
        var literals =
            (from t in render.PodTemplates
             from c in t.Template.Spec.Containers
             from e in c.Env ?? []
             where e.Value is not null
             select ($"{t.Owner}/{c.Name} env {e.Name}", e.Value))
            .Concat(
                from map in render.OfKind<V1ConfigMap>()
                from pair in map.Data ?? new Dictionary<string, string>()
                select ($"ConfigMap/{map.Metadata.Name} {pair.Key}", pair.Value))
            .Concat(
                from scaled in render.ScaledObjects
                from trigger in scaled.Spec.Triggers
                from pair in trigger.Metadata
                select ($"ScaledObject/{scaled.Metadata.Name} {pair.Key}", pair.Value));
        foreach (var (where, value) in literals.Where(l => CredentialLiteral().IsMatch(l.Item2)))
        {
            yield return $"{where}: holds a credential literal";
        }
    }

    public static IEnumerable<string> DeploymentsAreHardened(RenderedManifests render)
    {
        var policies = render.OfKind<V1NetworkPolicy>().ToList();
        if (!policies.Any(p => p.Spec.PodSelector.MatchLabels is not { Count: > 0 } && p.Spec.PodSelector.MatchExpressions is not { Count: > 0 }
                && p.Spec.PolicyTypes.Contains("Ingress") && p.Spec.PolicyTypes.Contains("Egress")
                && p.Spec.Ingress is not { Count: > 0 } && p.Spec.Egress is not { Count: > 0 }))
        {
            yield return "no default-deny NetworkPolicy for ingress and egress";
        }
        foreach (var deployment in render.Deployments)
        {
            var name = $"Deployment/{deployment.Metadata.Name}";
            var pod = deployment.Spec.Template;
            if (!render.OfKind<V1PodDisruptionBudget>().Any(b => LabelSelectors.Selects(b.Spec.Selector, pod.Metadata.Labels)))
            {
                yield return $"{name}: no PodDisruptionBudget";
            }
            if (!policies.Any(p => p.Spec.PodSelector.MatchLabels is { Count: > 0 } && LabelSelectors.Selects(p.Spec.PodSelector, pod.Metadata.Labels)))
            {
                yield return $"{name}: no NetworkPolicy of its own";
            }
            if (pod.Spec.TopologySpreadConstraints is not { Count: > 0 })
            {
                yield return $"{name}: no topology spread";
            }
            if (pod.Spec.AutomountServiceAccountToken != false)
            {
                yield return $"{name}: mounts a service account token";
            }
            foreach (var container in pod.Spec.Containers)
            {
                var where = $"{name}/{container.Name}";
                if (container.LivenessProbe is null || container.ReadinessProbe is null)
                {
                    yield return $"{where}: missing liveness or readiness probe";
                }
                foreach (var resource in new[] { "cpu", "memory" })
                {
                    if (container.Resources?.Requests?.ContainsKey(resource) != true || container.Resources?.Limits?.ContainsKey(resource) != true)
                    {
                        yield return $"{where}: no {resource} request and limit";
                    }
                }
                var mounts = container.VolumeMounts ?? [];
                if (!mounts.Any(m => m.MountPath == "/tmp" && pod.Spec.Volumes?.Any(v => v.Name == m.Name && v.EmptyDir is not null) == true))
                {
                    yield return $"{where}: no emptyDir at /tmp for the read-only root filesystem";
                }
            }
        }
    }

    public static IEnumerable<string> ObjectsLiveInNamespace(RenderedManifests render)
    {
        foreach (var item in render.Objects)
        {
            var (kind, name, ns) = item switch
            {
                V1Namespace n => ("Namespace", n.Metadata.Name, Namespace),
                k8s.IKubernetesObject<V1ObjectMeta> o => (o.Kind, o.Metadata.Name, o.Metadata.NamespaceProperty),
                ScaledObject s => (s.Kind, s.Metadata.Name, s.Metadata.Namespace),
                TriggerAuthentication a => (a.Kind, a.Metadata.Name, a.Metadata.Namespace),
                _ => (item.GetType().Name, "?", null),
            };
            if (ns != Namespace)
            {
                yield return $"{kind}/{name}: namespace {ns ?? "(none)"}, expected {Namespace}";
            }
        }
    }

    /// <summary>Whether the named container (the first one when unnamed) defines the variable, directly or
    /// through a ConfigMap of this render. Keys of an envFrom Secret cannot be known, so they do not count.</summary>
    private static bool DefinesEnv(RenderedManifests render, V1Deployment deployment, string? containerName, string variable)
    {
        var containers = deployment.Spec.Template.Spec.Containers;
        var container = containerName is null ? containers.FirstOrDefault() : containers.FirstOrDefault(c => c.Name == containerName);
        if (container is null)
        {
            return false;
        }
        var fromConfigMaps =
            from source in container.EnvFrom ?? []
            where source.ConfigMapRef is not null
            from map in render.OfKind<V1ConfigMap>().Where(m => m.Metadata.Name == source.ConfigMapRef.Name)
            from key in (map.Data ?? new Dictionary<string, string>()).Keys
            select (source.Prefix ?? "") + key;
        return (container.Env ?? []).Any(e => e.Name == variable) || fromConfigMaps.Contains(variable);
    }

    private static bool IsPinned(string? image)
    {
        if (string.IsNullOrEmpty(image))
        {
            return false;
        }
        if (image.Contains("@sha256:", StringComparison.Ordinal))
        {
            return true;
        }
        var lastSegment = image[(image.LastIndexOf('/') + 1)..];
        var colon = lastSegment.LastIndexOf(':');
        return colon > 0 && lastSegment[(colon + 1)..] is { Length: > 0 } tag && tag != "latest";
    }

    [GeneratedRegex("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex QueueName();

    // Storage keys, SAS tokens and passwords in connection strings.
    [GeneratedRegex("AccountKey=|SharedAccessSignature=|[?&]sig=|Password=", RegexOptions.IgnoreCase)]
    private static partial Regex CredentialLiteral();
}
