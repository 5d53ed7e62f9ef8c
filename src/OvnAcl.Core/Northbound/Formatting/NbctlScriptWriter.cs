using System.Globalization;
using System.Text;
using OvnAcl.Collections;

namespace OvnAcl.Northbound.Formatting;

/// <summary>
/// A POSIX shell script creating the rows in one <c>ovn-nbctl</c> transaction: address sets (<c>create
/// Address_Set</c>), then per port group its ACLs (<c>--id=@aclN create ACL …</c>, every column), <c>pg-add</c> with
/// the member logical switch ports (which must exist) and <c>add Port_Group … acls</c>. The script's arguments go to
/// ovn-nbctl (<c>sh rows.sh --db=unix:/run/ovn/ovnnb_db.sock</c>). It creates; it does not reconcile: rows of the
/// same names must not exist yet.
/// </summary>
internal static class NbctlScriptWriter
{
    public static void Write(NorthboundRows rows, TextWriter writer)
    {
        var acls = rows.PortGroups.Sum(p => p.Acls.Count);
        writer.Write("#!/bin/sh\n");
        writer.Write($"# {rows.PortGroups.Count} port group(s), {acls} ACL(s), {rows.AddressSets.Count} address set(s), in one ovn-nbctl transaction.\n");
        writer.Write("# Arguments are passed to ovn-nbctl, e.g.: sh this-script.sh --db=unix:/run/ovn/ovnnb_db.sock\n");
        writer.Write("set -e\n");
        writer.Write("ovn-nbctl \"$@\"");
        foreach (var set in rows.AddressSets)
        {
            Command(writer, [.. CreateAddressSet(set)]);
        }

        var id = 0;
        foreach (var group in rows.PortGroups)
        {
            var ids = new List<string>();
            foreach (var acl in group.Acls)
            {
                var name = "@acl" + id++.ToString(CultureInfo.InvariantCulture);
                ids.Add(name);
                Command(writer, [.. CreateAcl(acl, name)]);
            }

            Command(writer, ["pg-add", group.Name, .. group.Ports]);
            if (group.ExternalIds.Count > 0)
            {
                Command(writer, "set", "Port_Group", group.Name, "external_ids=" + Map(group.ExternalIds));
            }

            if (ids.Count > 0)
            {
                Command(writer, ["add", "Port_Group", group.Name, "acls", .. ids]);
            }
        }

        writer.Write('\n');
    }

    /// <summary>
    /// The ovn-nbctl words creating <paramref name="acl"/> with every column, named <paramref name="id"/> (<c>@aclN</c>)
    /// for the rest of the transaction; OVSDB-quoted, not yet for the shell.
    /// </summary>
    public static List<string> CreateAcl(AclRow acl, string id)
    {
        var columns = new List<string>
        {
            "--id=" + id, "create", "ACL",
            "direction=" + acl.Direction,
            "priority=" + acl.Priority.ToString(CultureInfo.InvariantCulture),
            "match=" + Atom(acl.Match),
            "action=" + acl.Action,
        };
        if (acl.Name is not null)
        {
            columns.Add("name=" + Atom(acl.Name));
        }

        columns.Add("log=" + (acl.Log ? "true" : "false"));
        if (acl.Severity is not null)
        {
            columns.Add("severity=" + Atom(acl.Severity));
        }

        if (acl.Meter is not null)
        {
            columns.Add("meter=" + Atom(acl.Meter));
        }

        if (acl.Tier != 0)
        {
            columns.Add("tier=" + acl.Tier.ToString(CultureInfo.InvariantCulture));
        }

        columns.Add("options=" + Map(acl.Options));
        columns.Add("external_ids=" + Map(acl.ExternalIds));
        return columns;
    }

    /// <summary>The ovn-nbctl words creating <paramref name="set"/>; OVSDB-quoted, not yet for the shell.</summary>
    public static string[] CreateAddressSet(AddressSetRow set) =>
        ["create", "Address_Set", "name=" + Atom(set.Name), "addresses=" + Set(set.Addresses), "external_ids=" + Map(set.ExternalIds)];

    /// <summary>An address set's <c>addresses</c> or a port group's <c>ports</c> as one ovn-nbctl set value.</summary>
    public static string Set(EquatableArray<string> values) => "[" + string.Join(",", values.Select(Atom)) + "]";

    private static void Command(TextWriter writer, params string[] words)
    {
        writer.Write(" \\\n  --");
        foreach (var word in words)
        {
            writer.Write(' ');
            writer.Write(Shell(word));
        }
    }

    /// <summary>An OVSDB string atom as ovn-nbctl reads it: double quotes, with <c>\</c> and <c>"</c> escaped.</summary>
    private static string Atom(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string Map(EquatableMap map) => "{" + string.Join(",", map.Select(p => Atom(p.Key) + "=" + Atom(p.Value))) + "}";

    /// <summary>Single-quoted for the shell unless every character is plainly safe.</summary>
    private static string Shell(string word)
    {
        if (word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_=./:@,+".Contains(c, StringComparison.Ordinal)))
        {
            return word;
        }

        var quoted = new StringBuilder("'");
        quoted.Append(word.Replace("'", "'\\''", StringComparison.Ordinal));
        return quoted.Append('\'').ToString();
    }
}
