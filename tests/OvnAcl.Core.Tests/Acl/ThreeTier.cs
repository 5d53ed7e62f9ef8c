using OvnAcl.Acl;

using OvnAcl.Collections;
using OvnAcl.Northbound;

namespace OvnAcl.Core.Tests.Acl;

/// <summary>
/// The three-tier application of OVN's documentation: web, business-logic and database ports on one switch; the web
/// tier answers HTTP from anywhere, business logic only the web tier, the database only business logic (tcp/5432);
/// everything else to those ports is dropped.
/// </summary>
internal static class ThreeTier
{
    public const string Switch = "ls_3tier";

    public static readonly (string Name, string Addresses)[] Ports =
    [
        ("web1", "0a:00:00:00:01:01 10.0.0.11 fd00::11"),
        ("web2", "0a:00:00:00:01:02 10.0.0.12 fd00::12"),
        ("bl1", "0a:00:00:00:02:01 10.0.0.21 fd00::21"),
        ("db1", "0a:00:00:00:03:01 10.0.0.31 fd00::31"),
    ];

    public static readonly (string Group, string[] Members)[] Groups =
    [
        ("pg_web", ["web1", "web2"]),
        ("pg_bl", ["bl1"]),
        ("pg_db", ["db1"]),
    ];

    public static readonly (string Owner, string Direction, int Priority, string Match, string Action, string Name)[] Acls =
    [
        ("pg_web", "to-lport", 1000, "outport == @pg_web && ip4 && tcp.dst == 80", "allow-related", "web-http"),
        ("pg_bl", "to-lport", 1000, "outport == @pg_bl && ip4 && ip4.src == $pg_web_ip4 && tcp.dst == 8080", "allow-related", "bl-from-web"),
        ("pg_db", "to-lport", 1000, "outport == @pg_db && ip4 && ip4.src == $pg_bl_ip4 && tcp.dst == 5432", "allow-related", "db-from-bl"),
        ("pg_web", "to-lport", 900, "outport == @pg_web && ip", "drop", "web-default-drop"),
        ("pg_bl", "to-lport", 900, "outport == @pg_bl && ip", "drop", "bl-default-drop"),
        ("pg_db", "to-lport", 900, "outport == @pg_db && ip", "drop", "db-default-drop"),
    ];

    public static NorthboundAclRows Rows() => new()
    {
        Switches =
        [
            new LogicalSwitchRow(Switch)
            {
                Ports = Ports.Select(p => new LogicalSwitchPortRow(p.Name) { Addresses = [p.Addresses], PortSecurity = [p.Addresses] }).ToArray(),
            },
        ],
        PortGroups = Groups.Select(g => new PortGroupRow
        {
            Name = g.Group,
            Ports = g.Members,
            Acls = Acls.Where(a => a.Owner == g.Group).Select(a => new AclRow
            {
                Name = a.Name,
                Direction = a.Direction,
                Priority = a.Priority,
                Match = a.Match,
                Action = a.Action,
            }).ToArray(),
        }).ToArray(),
    };

    /// <summary>The same as one <c>ovn-nbctl</c> command line.</summary>
    public static List<string> NbctlArgs()
    {
        var args = new List<string> { "ls-add", Switch };
        foreach (var (name, addresses) in Ports)
        {
            args.AddRange(["--", "lsp-add", Switch, name, "--", "lsp-set-addresses", name, addresses, "--", "lsp-set-port-security", name, addresses]);
        }

        foreach (var (group, members) in Groups)
        {
            args.AddRange(["--", "pg-add", group, .. members]);
        }

        foreach (var acl in Acls)
        {
            args.AddRange(["--", $"--name={acl.Name}", "acl-add", acl.Owner, acl.Direction, acl.Priority.ToString(System.Globalization.CultureInfo.InvariantCulture), acl.Match, acl.Action]);
        }

        return args;
    }
}
