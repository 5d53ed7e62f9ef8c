using OvnAcl.Collections;

namespace OvnAcl.Acl;

/// <summary>One backend of a VIP and what the ACLs decide for a connection OVN sends to it.</summary>
public sealed record LoadBalancedBackend
{
    /// <summary>The backend's address and port, as in <c>vips</c>.</summary>
    public required LoadBalancerAddress Backend { get; init; }

    /// <summary>The logical switch port that holds the backend's address on the client's switch; null when none does.</summary>
    public string? Port { get; init; }

    /// <summary>The decision for the connection DNATed to this backend; null when <see cref="Port"/> is (the backend is not on the switch).</summary>
    public AclDecision? Decision { get; init; }
}

/// <summary>
/// A new connection to a load balancer VIP decided for each backend (<see cref="AclDecisionEngine.DecideThroughLoadBalancer"/>):
/// OVN picks one per connection by a hash, so a client reaches the VIP reliably only when every backend is allowed.
/// </summary>
public sealed record LoadBalancedDecision
{
    /// <summary>The load balancer holding the VIP.</summary>
    public required LoadBalancerView LoadBalancer { get; init; }

    /// <summary>The VIP entry the connection hits.</summary>
    public required LoadBalancerVip Vip { get; init; }

    /// <summary>The client's logical switch, which applies the load balancer.</summary>
    public required string Switch { get; init; }

    /// <summary>Each backend in the VIP's order with its decision; empty when the VIP has none.</summary>
    public EquatableArray<LoadBalancedBackend> Backends { get; init; } = EquatableArray<LoadBalancedBackend>.Empty;

    /// <summary>For a VIP without backends: the from-lport stage, then the load balancer's drop (or reject).</summary>
    public AclDecision? WithoutBackends { get; init; }

    /// <summary>How many backends the connection is allowed to.</summary>
    public int Allowed => Backends.Count(b => b.Decision?.Verdict == AclVerdict.Allow);

    /// <summary>Allow when every backend is decided and allowed; deny otherwise (also without backends).</summary>
    public AclVerdict Verdict => WithoutBackends is null && Backends.Count > 0 && Backends.All(b => b.Decision?.Verdict == AclVerdict.Allow) ? AclVerdict.Allow : AclVerdict.Deny;

    /// <summary>The decision to show in full: the first backend denied, else the first backend decided, else the no-backends one.</summary>
    public AclDecision? Representative =>
        WithoutBackends
        ?? Backends.Select(b => b.Decision).FirstOrDefault(d => d?.Verdict == AclVerdict.Deny)
        ?? Backends.Select(b => b.Decision).FirstOrDefault(d => d is not null);
}
