using k8s;
using k8s.Models;
using Tributary.Deploy.Tests.Keda;

namespace Tributary.Deploy.Tests.Rendering;

/// <summary>Every object of one render, typed: core kinds by KubernetesClient, KEDA kinds by our strict records.</summary>
public sealed record RenderedManifests(IReadOnlyList<object> Objects)
{
    public IEnumerable<T> OfKind<T>() => Objects.OfType<T>();

    public IEnumerable<V1Deployment> Deployments => OfKind<V1Deployment>();

    public IEnumerable<ScaledObject> ScaledObjects => OfKind<ScaledObject>();

    public IEnumerable<TriggerAuthentication> TriggerAuthentications => OfKind<TriggerAuthentication>();

    public V1Deployment Deployment(string name) => Deployments.Single(d => d.Metadata.Name == name);

    public T Single<T>(string name) where T : IKubernetesObject<V1ObjectMeta> =>
        OfKind<T>().Single(o => o.Metadata.Name == name);

    /// <summary>Pod templates of every workload kind in the render, with the owner's kind/name for messages.</summary>
    public IEnumerable<(string Owner, V1PodTemplateSpec Template)> PodTemplates =>
        Deployments.Select(d => ($"Deployment/{d.Metadata.Name}", d.Spec.Template))
            .Concat(OfKind<V1StatefulSet>().Select(s => ($"StatefulSet/{s.Metadata.Name}", s.Spec.Template)));

    public RenderedManifests With(object added) => new(Objects.Append(added).ToList());

    public RenderedManifests Replace<T>(Func<T, bool> match, Func<T, object> replacement) =>
        new(Objects.Select(o => o is T t && match(t) ? replacement(t) : o).ToList());
}
