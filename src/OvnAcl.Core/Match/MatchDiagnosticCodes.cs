namespace OvnAcl.Match;

/// <summary>The diagnostic codes; they never change meaning once shipped.</summary>
public static class MatchDiagnosticCodes
{
    /// <summary>Not a match expression: unbalanced parentheses, a dangling operator, a malformed constant, …</summary>
    public const string Syntax = "OVNM0001";
    /// <summary>A function call (<c>is_chassis_resident("lrp")</c>): OVN evaluates it per chassis; OvnAcl reports it as unsupported.</summary>
    public const string UnsupportedFunction = "OVNM0002";
    /// <summary>A field or predicate name OVN does not define.</summary>
    public const string UnknownField = "OVNM0100";
    /// <summary>A string constant compared with an integer field, or an integer constant with a string field.</summary>
    public const string TypeMismatch = "OVNM0101";
    /// <summary>A constant wider than the field, e.g. <c>tcp.dst == 70000</c>.</summary>
    public const string ConstantTooWide = "OVNM0102";
    /// <summary>A CIDR prefix longer than the address, e.g. <c>10.0.0.0/33</c>.</summary>
    public const string PrefixTooLong = "OVNM0103";
    /// <summary>A mask on a string, e.g. <c>inport == "a"/3</c>.</summary>
    public const string MaskOnString = "OVNM0104";
    /// <summary><c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c> on a field OVN can only test for equality.</summary>
    public const string OrderingOnNominal = "OVNM0105";
    /// <summary><c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c> against a set, an address set or a masked constant.</summary>
    public const string OrderingOnSetOrMask = "OVNM0106";
    /// <summary>A MAC, IPv4 or IPv6 constant compared with a field holding another kind of address.</summary>
    public const string AddressKindMismatch = "OVNM0107";
    /// <summary>An address-set or port-group name OVN's lexer would not read as one identifier.</summary>
    public const string InvalidName = "OVNM0108";
    /// <summary>A nominal field (string ports, <c>eth.type</c>, <c>ip.proto</c>, …) tested for inequality, counting enclosing <c>!</c>.</summary>
    public const string NominalInequality = "OVNM0109";
    /// <summary>A nominal predicate (<c>ip4</c>, <c>tcp</c>, …) tested negatively, e.g. <c>!tcp</c>.</summary>
    public const string NominalPredicateNegated = "OVNM0110";
    /// <summary>A multi-bit field used bare, e.g. <c>tcp.dst</c> alone: OVN wants an explicit <c>!= 0</c>.</summary>
    public const string BareMultibitField = "OVNM0111";
    /// <summary>A bit selection OVN refuses: out of range, reversed, on a string or nominal field.</summary>
    public const string InvalidSubfield = "OVNM0112";
    /// <summary>A masked constant with 1-bits outside its mask, e.g. <c>10.0.0.1/8</c>.</summary>
    public const string UnmaskedBits = "OVNM0113";
    /// <summary>Value and mask written in incompatible forms, e.g. a MAC with a prefix length.</summary>
    public const string IncompatibleMask = "OVNM0114";
    /// <summary>A range chain that is not <c>x &lt; f &lt; y</c> or <c>x &gt; f &gt; y</c>.</summary>
    public const string InvalidRange = "OVNM0115";
    /// <summary>A string field used bare, e.g. <c>inport</c> alone.</summary>
    public const string BareStringField = "OVNM0116";
    /// <summary>A decimal constant of 2^64 or more in a built tree: OVN reads only hex constants that wide.</summary>
    public const string DecimalTooLarge = "OVNM0117";
}
