namespace OvnAcl.Sandbox;

/// <summary>The parts of <c>ovs-appctl cluster/status OVN_Northbound</c> the fixtures act on; <see cref="Raw"/> holds it all.</summary>
/// <param name="ServerId">Short server id, e.g. <c>a36f</c>.</param>
/// <param name="Status">e.g. <c>cluster member</c>, <c>joining cluster</c>, <c>leaving cluster</c>.</param>
/// <param name="Role"><c>leader</c>, <c>follower</c> or <c>candidate</c>.</param>
/// <param name="LeaderId">The leader's short id as this server knows it (its own when it leads), or null when unknown.</param>
public sealed record RaftStatus(string ServerId, string Status, string Role, long Term, string? LeaderId, int? ElectionTimerMs, string Raw)
{
    public bool IsMember => Status == "cluster member";

    public bool IsLeader => Role == "leader";

    public static RaftStatus Parse(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && !char.IsWhiteSpace(line[0]))
            {
                fields.TryAdd(line[..colon], line[(colon + 1)..].Trim());
            }
        }

        string Field(string name) => fields.TryGetValue(name, out var value)
            ? value
            : throw new SandboxException($"cluster/status has no '{name}:' line:\n{text}");

        // "Server ID: a36f (a36f31f3-80ab-400b-bf93-8e9f015ab4f3)"
        var serverId = Field("Server ID").Split(' ')[0];
        var leader = Field("Leader");
        return new RaftStatus(
            serverId,
            Field("Status"),
            Field("Role"),
            long.Parse(Field("Term"), provider: null),
            leader == "self" ? serverId : leader == "unknown" ? null : leader,
            fields.TryGetValue("Election timer", out var timer) && int.TryParse(timer, out var ms) ? ms : null,
            text);
    }
}
