using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Tributary.Functions;

// A thin host: the core does the work; the functions only translate triggers into core calls.
var host = new HostBuilder()
    .ConfigureFunctionsWorkerDefaults()
    .ConfigureServices((context, services) => services.AddSingleton(TimeProvider.System).AddTributaryFunctions(context.Configuration).AddTributaryTelemetry(context.Configuration))
    .Build();

await host.RunAsync();
