namespace OvnAcl.Neutron;

/// <summary>How a rule's <c>remote_address_group_id</c> is translated.</summary>
public enum NeutronRemoteAddressGroupHandling
{
    /// <summary>
    /// As Neutron releases with address group support in the OVN driver do: one address set per address group and IP
    /// version (<c>ag_&lt;id&gt;_ip4</c>, <c>ag_&lt;id&gt;_ip6</c>, always both) and <c>ip4.src == $ag_&lt;id&gt;_ip4</c>
    /// in the match, where a remote group would be.
    /// </summary>
    AddressSets,

    /// <summary>
    /// As Neutron 21 (Zed, the reference this translator is tested against) and older do: the field is not looked at,
    /// the ACL admits every remote, and no address set is made. Each such rule gets warning NEUT0400.
    /// </summary>
    Ignore,
}

/// <summary>Choices where Neutron's output depends on its version or on the OVN it talks to.</summary>
public sealed record NeutronTranslationOptions
{
    /// <summary>Neutron's own defaults: remote address groups as address sets.</summary>
    public static NeutronTranslationOptions Default { get; } = new();

    /// <summary>How rules with a remote address group are written: as address sets, the way Neutron's ML2/OVN driver does by default.</summary>
    public NeutronRemoteAddressGroupHandling RemoteAddressGroups { get; init; } = NeutronRemoteAddressGroupHandling.AddressSets;

    /// <summary>
    /// Neutron's <c>is_allow_stateless_supported()</c>: whether the NB schema has the <c>allow-stateless</c> action (OVN
    /// 21.06 and later). When false, stateless groups are translated as stateful, as Neutron does.
    /// </summary>
    public bool StatelessSupported { get; init; } = true;
}
