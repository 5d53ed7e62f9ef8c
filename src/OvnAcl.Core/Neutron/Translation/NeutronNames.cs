namespace OvnAcl.Neutron;

/// <summary>The OVN names and external_ids keys Neutron's ML2/OVN driver uses (neutron/common/ovn/utils.py, constants.py).</summary>
internal static class NeutronNames
{
    public const string DropPortGroup = "neutron_pg_drop";
    public const string SecurityGroupIdKey = "neutron:security_group_id";
    public const string SecurityGroupRuleIdKey = "neutron:security_group_rule_id";
    /// <summary>Not in Neutron 21; what OvnAcl writes on the address sets it makes for address groups.</summary>
    public const string AddressGroupIdKey = "neutron:address_group_id";

    public const int AllowPriority = 1002;
    public const int DropPriority = 1001;

    /// <summary>utils.ovn_port_group_name: <c>pg_</c> and the id, every <c>-</c> as <c>_</c> (OVN names cannot hold <c>-</c>).</summary>
    public static string PortGroup(string securityGroupId) => ("pg-" + securityGroupId).Replace('-', '_');

    /// <summary>utils.ovn_pg_addrset_name: the address set OVN derives from a port group, e.g. <c>pg_…_ip4</c>.</summary>
    public static string PortGroupAddressSet(string securityGroupId, string ipVersion) =>
        $"pg-{securityGroupId}-{ipVersion}".Replace('-', '_');

    /// <summary>The address set of an address group, <c>ag_…_ip4</c>, named the way Neutron names its per-family sets.</summary>
    public static string AddressGroupAddressSet(string addressGroupId, string ipVersion) =>
        $"ag-{addressGroupId}-{ipVersion}".Replace('-', '_');
}
