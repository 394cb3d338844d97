namespace Tributary.Orchestrations; public static class Placeholder {}
