using k8s.Models;

namespace Tributary.Deploy.Tests.Invariants;

/// <summary>
/// The Pod Security "restricted" profile, plus this project's read-only root filesystem rule.
/// Container-level settings override pod-level ones, as in the kubelet.
/// </summary>
public static class RestrictedProfile
{
    private static readonly HashSet<string> AllowedVolumeKinds =
        ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

    public static IEnumerable<string> Violations(string owner, V1PodSpec pod)
    {
        if (pod.HostNetwork == true || pod.HostPID == true || pod.HostIPC == true)
        {
            yield return $"{owner}: shares a host namespace";
        }
        foreach (var volume in pod.Volumes ?? [])
        {
            var kind = VolumeKind(volume);
            if (!AllowedVolumeKinds.Contains(kind))
            {
                yield return $"{owner}: volume {volume.Name} of kind {kind} is not allowed";
            }
        }
        foreach (var container in (pod.InitContainers ?? []).Concat(pod.Containers))
        {
            foreach (var violation in ContainerViolations(pod.SecurityContext, container))
            {
                yield return $"{owner}/{container.Name}: {violation}";
            }
        }
    }

    private static IEnumerable<string> ContainerViolations(V1PodSecurityContext? pod, V1Container container)
    {
        var own = container.SecurityContext;
        if ((own?.RunAsNonRoot ?? pod?.RunAsNonRoot) != true)
        {
            yield return "runAsNonRoot is not true";
        }
        if ((own?.RunAsUser ?? pod?.RunAsUser) == 0)
        {
            yield return "runs as user 0";
        }
        if (own?.Privileged == true)
        {
            yield return "is privileged";
        }
        if (own?.AllowPrivilegeEscalation != false)
        {
            yield return "allowPrivilegeEscalation is not false";
        }
        if (own?.Capabilities?.Drop?.Contains("ALL") != true)
        {
            yield return "does not drop ALL capabilities";
        }
        foreach (var added in (own?.Capabilities?.Add ?? []).Where(c => c != "NET_BIND_SERVICE"))
        {
            yield return $"adds capability {added}";
        }
        var seccomp = own?.SeccompProfile?.Type ?? pod?.SeccompProfile?.Type;
        if (seccomp is not ("RuntimeDefault" or "Localhost"))
        {
            yield return $"seccomp profile is {seccomp ?? "unset"}, not RuntimeDefault";
        }
        if (own?.ReadOnlyRootFilesystem != true)
        {
            yield return "root filesystem is writable";
        }
        if ((container.Ports ?? []).Any(p => p.HostPort is > 0))
        {
            yield return "uses a hostPort";
        }
    }

    private static string VolumeKind(V1Volume volume) => volume switch
    {
        { ConfigMap: not null } => "configMap",
        { Csi: not null } => "csi",
        { DownwardAPI: not null } => "downwardAPI",
        { EmptyDir: not null } => "emptyDir",
        { Ephemeral: not null } => "ephemeral",
        { PersistentVolumeClaim: not null } => "persistentVolumeClaim",
        { Projected: not null } => "projected",
        { Secret: not null } => "secret",
        { HostPath: not null } => "hostPath",
        _ => "other",
    };
}
