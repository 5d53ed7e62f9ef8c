namespace OvnAcl.Sandbox;

/// <summary>How many simulated hypervisors an <see cref="OvnChassisSandbox"/> runs, and how it waits for the datapath.</summary>
public sealed record OvnChassisSandboxOptions
{
    public static OvnChassisSandboxOptions Default { get; } = new();

    /// <summary>The chassis names, one simulated hypervisor each (at most 250); <c>hv1</c>, <c>hv2</c> by default.</summary>
    public IReadOnlyList<string> ChassisNames { get; init; } = ["hv1", "hv2"];

    /// <summary>How long startup, port binding and <c>--wait=hv</c> may take before they fail.</summary>
    public TimeSpan SyncTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// After sending packets, how long no new frame may have arrived at any destination VIF before the ones still
    /// missing count as dropped. A packet crosses up to three ovs-vswitchd (source chassis, the interconnect, the
    /// destination chassis), each possibly upcalling for its first packet of a flow.
    /// </summary>
    public TimeSpan DeliveryQuietPeriod { get; init; } = TimeSpan.FromMilliseconds(750);

    /// <summary>The longest <see cref="OvnChassisSandbox.SendAsync"/> waits for packets to arrive.</summary>
    public TimeSpan DeliveryTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A command the hypervisors' daemons are run through, e.g. <c>["nice", "-n", "10"]</c> to leave the CPU to other
    /// work; empty by default. The central NB, SB and northd are not affected.
    /// </summary>
    public IReadOnlyList<string> Launcher { get; init; } = [];
}
