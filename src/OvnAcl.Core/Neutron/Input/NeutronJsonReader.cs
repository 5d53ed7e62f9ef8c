using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using OvnAcl.Collections;

namespace OvnAcl.Neutron;

/// <summary>
/// Reads Neutron API JSON into the input records. Only the JSON shape is checked here (types, required ids);
/// what the values mean is checked by <see cref="NeutronValidator"/>, except for ports, which Neutron's API turns into
/// integers on the way in and which are checked here for that reason.
/// </summary>
internal sealed class NeutronJsonReader
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>Every attribute a security_group_rule has in Neutron's API, those this reader ignores included (neutron-lib's API definitions).</summary>
    private static readonly FrozenSet<string> RuleFields = FrozenSet.Create(StringComparer.Ordinal,
        "id", "security_group_id", "direction", "ethertype", "protocol", "port_range_min", "port_range_max",
        "remote_ip_prefix", "remote_group_id", "remote_address_group_id", "normalized_cidr", "belongs_to_default_sg",
        "description", "project_id", "tenant_id", "created_at", "updated_at", "revision_number", "tags");

    private readonly string _file;
    private readonly List<Diagnostic> _diagnostics = [];

    private NeutronJsonReader(string file) => _file = file;

    public static NeutronInput Read(string json, string file)
    {
        var reader = new NeutronJsonReader(file);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (Exception e) when (e is JsonException or ArgumentException) // ArgumentException: an unpaired surrogate in the text
        {
            reader.Error(NeutronDiagnosticCodes.InvalidJson, $"not JSON: {e.Message}", new NeutronLocation(file));
            return new NeutronInput { Diagnostics = reader._diagnostics.ToEquatableArray() };
        }

        using (document)
        {
            return reader.ReadDocument(document.RootElement);
        }
    }

    private NeutronInput ReadDocument(JsonElement root)
    {
        var fileLocation = new NeutronLocation(_file);
        if (root.ValueKind != JsonValueKind.Object)
        {
            Error(NeutronDiagnosticCodes.NotNeutronDocument, "expected a JSON object with security_groups, ports or address_groups", fileLocation);
            return new NeutronInput { Diagnostics = _diagnostics.ToEquatableArray() };
        }

        var groups = new List<NeutronSecurityGroup>();
        var ports = new List<NeutronPort>();
        var addressGroups = new List<NeutronAddressGroup>();
        var found = false;
        foreach (var (plural, singular, read) in new (string, string, Action<JsonElement>)[]
        {
            ("security_groups", "security_group", e => ReadGroup(e, groups)),
            ("ports", "port", e => ReadPort(e, ports)),
            ("address_groups", "address_group", e => ReadAddressGroup(e, addressGroups)),
        })
        {
            if (root.TryGetProperty(plural, out var list))
            {
                found = true;
                if (list.ValueKind != JsonValueKind.Array)
                {
                    Error(NeutronDiagnosticCodes.WrongType, $"{plural} must be a list", fileLocation with { Field = plural });
                    continue;
                }

                foreach (var item in list.EnumerateArray())
                {
                    read(item);
                }
            }

            if (root.TryGetProperty(singular, out var one))
            {
                found = true;
                read(one);
            }
        }

        if (!found)
        {
            Error(NeutronDiagnosticCodes.NotNeutronDocument, "none of security_groups, ports, address_groups found at the top of the document", fileLocation);
        }

        return new NeutronInput
        {
            SecurityGroups = groups.ToEquatableArray(),
            Ports = ports.ToEquatableArray(),
            AddressGroups = addressGroups.ToEquatableArray(),
            Diagnostics = _diagnostics.ToEquatableArray(),
        };
    }

    private void ReadGroup(JsonElement element, List<NeutronSecurityGroup> groups)
    {
        var location = new NeutronLocation(_file, NeutronObjectKinds.SecurityGroup);
        if (!IsObject(element, location) || RequiredId(element, location) is not { } id)
        {
            return;
        }

        location = location with { ObjectId = id, SecurityGroupId = id };
        bool? stateful = true;
        if (element.TryGetProperty("stateful", out var statefulElement))
        {
            stateful = statefulElement.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => null,
            };
            if (stateful is null)
            {
                Error(NeutronDiagnosticCodes.InvalidStateful, $"'{Raw(statefulElement)}' is not a valid boolean value", location with { Field = "stateful" });
            }
        }

        var rules = new List<NeutronSecurityGroupRule>();
        if (element.TryGetProperty("security_group_rules", out var rulesElement) && rulesElement.ValueKind != JsonValueKind.Null)
        {
            if (rulesElement.ValueKind != JsonValueKind.Array)
            {
                Error(NeutronDiagnosticCodes.WrongType, "security_group_rules must be a list", location with { Field = "security_group_rules" });
            }
            else
            {
                foreach (var ruleElement in rulesElement.EnumerateArray())
                {
                    if (ReadRule(ruleElement, id) is { } rule)
                    {
                        rules.Add(rule);
                    }
                }
            }
        }

        groups.Add(new NeutronSecurityGroup
        {
            Id = id,
            Name = OptionalString(element, "name", location),
            Stateful = stateful,
            Rules = rules.ToEquatableArray(),
            SourceFile = _file,
        });
    }

    private NeutronSecurityGroupRule? ReadRule(JsonElement element, string groupId)
    {
        var location = new NeutronLocation(_file, NeutronObjectKinds.SecurityGroupRule, SecurityGroupId: groupId);
        if (!IsObject(element, location) || RequiredId(element, location) is not { } id)
        {
            return null;
        }

        location = location with { ObjectId = id };
        foreach (var property in element.EnumerateObject())
        {
            if (!RuleFields.Contains(property.Name))
            {
                Error(NeutronDiagnosticCodes.UnknownField, $"Unrecognized attribute(s) '{property.Name}'", location with { Field = property.Name });
            }
        }

        return new NeutronSecurityGroupRule
        {
            Id = id,
            SecurityGroupId = OptionalString(element, "security_group_id", location),
            Direction = OptionalString(element, "direction", location),
            Ethertype = element.TryGetProperty("ethertype", out _) ? OptionalString(element, "ethertype", location) : "IPv4",
            Protocol = Protocol(element, location),
            PortRangeMin = Port(element, "port_range_min", location),
            PortRangeMax = Port(element, "port_range_max", location),
            RemoteIpPrefix = OptionalString(element, "remote_ip_prefix", location),
            RemoteGroupId = OptionalString(element, "remote_group_id", location),
            RemoteAddressGroupId = OptionalString(element, "remote_address_group_id", location),
            NormalizedCidr = OptionalString(element, "normalized_cidr", location),
        };
    }

    /// <summary>The API stores protocol numbers as strings; a JSON number becomes its decimal text as Python's <c>str()</c> would write it.</summary>
    private string? Protocol(JsonElement rule, NeutronLocation location)
    {
        if (!rule.TryGetProperty("protocol", out var element))
        {
            return null;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.Number when element.TryGetInt64(out var number):
                return number.ToString(CultureInfo.InvariantCulture);
            case JsonValueKind.Number:
                Error(NeutronDiagnosticCodes.InvalidProtocol, NeutronMessages.InvalidProtocol(Raw(element)), location with { Field = "protocol" });
                return null;
            default:
                Error(NeutronDiagnosticCodes.WrongType, "protocol must be a string, a number or null", location with { Field = "protocol" });
                return null;
        }
    }

    /// <summary>
    /// Neutron's <c>convert_validate_port_value</c>: anything Python's <c>int()</c> takes and that lies in 0–65535
    /// (so <c>"22"</c> and <c>22.7</c> are 22); anything else is "Invalid value for port".
    /// </summary>
    private int? Port(JsonElement rule, string field, NeutronLocation location)
    {
        if (!rule.TryGetProperty(field, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        long? value = element.ValueKind switch
        {
            JsonValueKind.Number when element.TryGetInt64(out var integer) => integer,
            JsonValueKind.Number when element.TryGetDouble(out var real) && double.IsFinite(real) && Math.Abs(real) < 1e15 => (long)Math.Truncate(real),
            JsonValueKind.String when PythonInt.TryParse(element.GetString()!, out var parsed, out var overflow) && !overflow => parsed,
            _ => null,
        };
        if (element.ValueKind is not (JsonValueKind.Number or JsonValueKind.String))
        {
            Error(NeutronDiagnosticCodes.WrongType, $"{field} must be an integer or null", location with { Field = field });
            return null;
        }

        if (value is not (>= 0 and <= 65535))
        {
            Error(NeutronDiagnosticCodes.InvalidPortValue, NeutronMessages.InvalidPortValue(Raw(element)), location with { Field = field });
            return null;
        }

        return (int)value;
    }

    private void ReadPort(JsonElement element, List<NeutronPort> ports)
    {
        var location = new NeutronLocation(_file, NeutronObjectKinds.Port);
        if (!IsObject(element, location) || RequiredId(element, location) is not { } id)
        {
            return;
        }

        location = location with { ObjectId = id };
        bool? portSecurity = null;
        if (element.TryGetProperty("port_security_enabled", out var psElement))
        {
            switch (psElement.ValueKind)
            {
                case JsonValueKind.True:
                    portSecurity = true;
                    break;
                case JsonValueKind.False:
                    portSecurity = false;
                    break;
                case JsonValueKind.Null:
                    break;
                default:
                    Error(NeutronDiagnosticCodes.WrongType, "port_security_enabled must be a boolean", location with { Field = "port_security_enabled" });
                    break;
            }
        }

        var fixedIps = ObjectList(element, "fixed_ips", location)
            .Select(e => (Ip: OptionalString(e, "ip_address", location with { Field = "fixed_ips" }), Subnet: OptionalString(e, "subnet_id", location with { Field = "fixed_ips" })))
            .Where(f => f.Ip is not null)
            .Select(f => new NeutronFixedIp(f.Subnet, f.Ip!));
        var pairs = ObjectList(element, "allowed_address_pairs", location)
            .Select(e => (Ip: OptionalString(e, "ip_address", location with { Field = "allowed_address_pairs" }), Mac: OptionalString(e, "mac_address", location with { Field = "allowed_address_pairs" })))
            .Where(p => p.Ip is not null)
            .Select(p => new NeutronAllowedAddressPair(p.Ip!, p.Mac));
        ports.Add(new NeutronPort
        {
            Id = id,
            Name = OptionalString(element, "name", location),
            NetworkId = OptionalString(element, "network_id", location),
            MacAddress = OptionalString(element, "mac_address", location),
            DeviceOwner = OptionalString(element, "device_owner", location),
            FixedIps = fixedIps.ToEquatableArray(),
            SecurityGroups = StringList(element, "security_groups", location).ToEquatableArray(),
            PortSecurityEnabled = portSecurity,
            AllowedAddressPairs = pairs.ToEquatableArray(),
            SourceFile = _file,
        });
    }

    private void ReadAddressGroup(JsonElement element, List<NeutronAddressGroup> addressGroups)
    {
        var location = new NeutronLocation(_file, NeutronObjectKinds.AddressGroup);
        if (!IsObject(element, location) || RequiredId(element, location) is not { } id)
        {
            return;
        }

        location = location with { ObjectId = id };
        addressGroups.Add(new NeutronAddressGroup
        {
            Id = id,
            Name = OptionalString(element, "name", location),
            Addresses = StringList(element, "addresses", location).ToEquatableArray(),
            SourceFile = _file,
        });
    }

    private bool IsObject(JsonElement element, NeutronLocation location)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            return true;
        }

        Error(NeutronDiagnosticCodes.WrongType, $"expected a JSON object, found {element.ValueKind.ToString().ToLowerInvariant()}", location);
        return false;
    }

    private string? RequiredId(JsonElement element, NeutronLocation location)
    {
        if (element.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 } value)
        {
            return value;
        }

        Error(NeutronDiagnosticCodes.MissingField, "id is missing or not a non-empty string", location with { Field = "id" });
        return null;
    }

    private string? OptionalString(JsonElement element, string field, NeutronLocation location)
    {
        if (!element.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString();
        }

        Error(NeutronDiagnosticCodes.WrongType, $"{field} must be a string or null", location with { Field = field });
        return null;
    }

    private IEnumerable<string> StringList(JsonElement element, string field, NeutronLocation location)
    {
        if (!element.TryGetProperty(field, out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (list.ValueKind != JsonValueKind.Array || list.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            Error(NeutronDiagnosticCodes.WrongType, $"{field} must be a list of strings", location with { Field = field });
            return [];
        }

        return list.EnumerateArray().Select(e => e.GetString()!).ToList();
    }

    private List<JsonElement> ObjectList(JsonElement element, string field, NeutronLocation location)
    {
        if (!element.TryGetProperty(field, out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (list.ValueKind != JsonValueKind.Array || list.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Object))
        {
            Error(NeutronDiagnosticCodes.WrongType, $"{field} must be a list of objects", location with { Field = field });
            return [];
        }

        return [.. list.EnumerateArray()];
    }

    private static string Raw(JsonElement element) =>
        element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();

    private void Error(string code, string message, NeutronLocation location) =>
        _diagnostics.Add(new Diagnostic(code, DiagnosticSeverity.Error, message, location));
}
