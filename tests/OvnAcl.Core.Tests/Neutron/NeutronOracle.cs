using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OvnAcl.Core.Tests.Neutron;

/// <summary>
/// Runs <c>oracle/neutron_oracle.py</c> with the system Python, where Debian's python3-neutron lives, on one batch.
/// Fails the test (never skips) when Neutron cannot be imported.
/// </summary>
internal static class NeutronOracle
{
    public const string Python = "/usr/bin/python3";
    public const string AptPackages = "python3-neutron (it brings python3-neutron-lib, python3-ovsdbapp, python3-netaddr, python3-oslo.config)";

    public static JsonObject Run(JsonObject request)
    {
        var script = FindScript();
        Assert.True(File.Exists(Python), $"{Python} is missing: the Neutron oracle needs Debian's system Python with {AptPackages}; `make test` installs them.");
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        // The pyenv python on PATH must not leak its site-packages into the system interpreter.
        start.Environment.Remove("PYTHONPATH");
        start.Environment.Remove("PYTHONHOME");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(request.ToJsonString());
        process.StandardInput.Close();
        Assert.True(process.WaitForExit(120_000), "the Neutron oracle did not finish within 120 s");
        var error = stderr.GetAwaiter().GetResult();
        if (process.ExitCode != 0)
        {
            if (error.Contains("ModuleNotFoundError", StringComparison.Ordinal) || error.Contains("ImportError", StringComparison.Ordinal))
            {
                Assert.Fail($"Neutron's own code cannot be imported by {Python}: install {AptPackages} (`make test` does).{Environment.NewLine}{error}");
            }

            Assert.Fail($"the Neutron oracle failed (exit {process.ExitCode}):{Environment.NewLine}{error}");
        }

        return JsonNode.Parse(stdout.GetAwaiter().GetResult())!.AsObject();
    }

    /// <summary>Next to the test assembly if the build copied it there, else in the source tree above it.</summary>
    private static string FindScript()
    {
        var relative = Path.Combine("Neutron", "oracle", "neutron_oracle.py");
        var beside = Path.Combine(AppContext.BaseDirectory, relative);
        if (File.Exists(beside))
        {
            return beside;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "OvnAcl.Core.Tests", relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail($"{relative} not found beside the tests or in a source tree above {AppContext.BaseDirectory}");
        return null!;
    }

    public static JsonObject RuleJson(OvnAcl.Neutron.NeutronSecurityGroupRule rule)
    {
        var json = new JsonObject
        {
            ["id"] = rule.Id,
            ["direction"] = rule.Direction,
            ["ethertype"] = rule.Ethertype,
            ["protocol"] = rule.Protocol,
            ["port_range_min"] = rule.PortRangeMin,
            ["port_range_max"] = rule.PortRangeMax,
            ["remote_ip_prefix"] = rule.RemoteIpPrefix,
            ["remote_group_id"] = rule.RemoteGroupId,
            ["remote_address_group_id"] = rule.RemoteAddressGroupId,
        };
        return json;
    }

    public static string Describe(JsonNode? node) => node?.ToJsonString(new JsonSerializerOptions { WriteIndented = false }) ?? "null";
}
