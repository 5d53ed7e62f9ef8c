using Xunit;

namespace OvnAcl.Testing;

/// <summary>
/// One <see cref="OvnChassisSandbox"/> shared by a collection: the central NB, SB and northd and three simulated
/// hypervisors, <see cref="ChassisNames"/>. Tests bind the ports they need once and change only ACL rows between
/// cases, since binding is the slow part; <see cref="OvnChassisSandbox.FlushConntrackAsync"/> forgets earlier packets.
/// </summary>
public sealed class OvnChassisFixture : IAsyncLifetime
{
    public static readonly IReadOnlyList<string> ChassisNames = ["hv1", "hv2", "hv3"];

    private OvnChassisSandbox? _sandbox;

    public OvnChassisSandbox Sandbox => _sandbox ?? throw new InvalidOperationException("the fixture has not been initialized");

    public async Task InitializeAsync() =>
        _sandbox = await OvnChassisSandbox.StartAsync(OvnChassisSandboxOptions.Default with { ChassisNames = ChassisNames }).ConfigureAwait(false);

    public async Task DisposeAsync()
    {
        if (_sandbox is not null)
        {
            await _sandbox.DisposeAsync().ConfigureAwait(false);
        }
    }
}
