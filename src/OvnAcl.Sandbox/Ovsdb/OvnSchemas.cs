namespace OvnAcl.Sandbox;

/// <summary>The OVN schemas the installed packages ship (Debian: ovn-common).</summary>
public static class OvnSchemas
{
    public const string Northbound = "/usr/share/ovn/ovn-nb.ovsschema";
    public const string Southbound = "/usr/share/ovn/ovn-sb.ovsschema";
    public const string NorthboundDatabase = "OVN_Northbound";
    public const string SouthboundDatabase = "OVN_Southbound";
}
