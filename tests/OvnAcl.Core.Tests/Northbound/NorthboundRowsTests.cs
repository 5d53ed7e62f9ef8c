using OvnAcl.Collections;
using OvnAcl.Northbound;

namespace OvnAcl.Core.Tests.Northbound;

public sealed class NorthboundRowsTests
{
    private static NorthboundRows Build(string port, string ip) => NorthboundRows.Create(
        [
            new PortGroupRow
            {
                Name = "pg_b",
                Ports = new[] { port, "x_a" }.ToSortedSet(),
                ExternalIds = new EquatableMap([new("owner", "ovnacl")]),
                Acls = EquatableArray.Create(new AclRow { Direction = "to-lport", Priority = 1001, Match = "outport == @pg_b && ip4", Action = "allow-related" }),
            },
            new PortGroupRow { Name = "pg_a" },
        ],
        [new AddressSetRow { Name = "as", Addresses = new[] { ip, "10.0.0.1" }.ToSortedSet() }]);

    [Fact]
    public void Rows_built_separately_from_equal_input_are_equal_and_hash_alike()
    {
        var a = Build("x_b", "10.0.0.2");
        var b = Build("x_b", "10.0.0.2");
        Assert.NotSame(a, b);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(["pg_a", "pg_b"], a.PortGroups.Select(p => p.Name));
    }

    [Fact]
    public void A_changed_member_or_address_makes_rows_unequal()
    {
        Assert.NotEqual(Build("x_b", "10.0.0.2"), Build("x_c", "10.0.0.2"));
        Assert.NotEqual(Build("x_b", "10.0.0.2"), Build("x_b", "10.0.0.3"));
    }

    [Fact]
    public void Sets_are_sorted_and_unique_and_maps_compare_by_content()
    {
        Assert.Equal(["a", "b"], new[] { "b", "a", "b" }.ToSortedSet());
        Assert.Equal(new EquatableMap([new("k", "v"), new("a", "b")]), new EquatableMap([new("a", "b"), new("k", "v")]));
        Assert.NotEqual(new EquatableMap([new("k", "v")]), new EquatableMap([new("k", "w")]));
    }
}
