namespace OvnAcl.Northbound.Formatting;

/// <summary>How <c>ovnacl compile</c> prints rows.</summary>
public enum NorthboundFormat
{
    /// <summary>The documented JSON schema (docs/kubernetes.md): port groups with their ACLs, address sets.</summary>
    Json,
    /// <summary>A POSIX shell script running one <c>ovn-nbctl</c> transaction that creates the rows.</summary>
    Nbctl,
    /// <summary>Aligned text for people.</summary>
    Table,
}

/// <summary>Writes any <see cref="NorthboundRows"/> (Kubernetes or Neutron) in one of the <see cref="NorthboundFormat"/>s.</summary>
public static class NorthboundFormatter
{
    /// <summary>Writes <paramref name="rows"/> to <paramref name="writer"/> in <paramref name="format"/>.</summary>
    public static void Write(NorthboundRows rows, NorthboundFormat format, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(writer);
        switch (format)
        {
            case NorthboundFormat.Json:
                JsonRowsWriter.Write(rows, writer);
                break;
            case NorthboundFormat.Nbctl:
                NbctlScriptWriter.Write(rows, writer);
                break;
            case NorthboundFormat.Table:
                TableRowsWriter.Write(rows, writer);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "unknown format");
        }
    }

    /// <summary><paramref name="rows"/> in <paramref name="format"/>, as a string.</summary>
    public static string Format(NorthboundRows rows, NorthboundFormat format)
    {
        using var writer = new StringWriter { NewLine = "\n" };
        Write(rows, format, writer);
        return writer.ToString();
    }

    /// <summary><c>json</c>, <c>nbctl</c> or <c>table</c> (any case).</summary>
    public static bool TryParseFormat(string? text, out NorthboundFormat format) =>
        Enum.TryParse(text, ignoreCase: true, out format) && Enum.IsDefined(format) && !int.TryParse(text, out _);
}
