namespace OvnAcl.Sandbox;

/// <summary>The Open vSwitch schema the installed packages ship (Debian: openvswitch-common).</summary>
public static class OvsSchemas
{
    public const string Vswitch = "/usr/share/openvswitch/vswitch.ovsschema";
    public const string VswitchDatabase = "Open_vSwitch";
}
