using FsCheck.Xunit;
using OvnAcl.Neutron;
using OvnAcl.Northbound;
using OvnAcl.Reconciliation;

namespace OvnAcl.Core.Tests.Neutron;

/// <summary>
/// Model-based: random event scripts applied to <see cref="NeutronEngine"/> and, as plain lists, to a model. After
/// every step the store equals a translation of the model from scratch; the engine refuses exactly what the
/// translation refuses (plus what only history shows), changing nothing then; and each event touches only the rows
/// its kind may touch.
/// </summary>
public sealed class NeutronEngineProperties
{
    private const string Controller = "neutron-test";

    [Property(Arbitrary = [typeof(NeutronEngineScriptArbitrary)], MaxTest = 150)]
    public void The_store_equals_a_translation_from_scratch_after_every_event(NeutronEngineScript script)
    {
        var options = script.Options;
        var desired = new DesiredState(Controller);
        var engine = new NeutronEngine(desired, options);
        var model = new NeutronEngineModel();
        Assert.Equal(Expected(model, options), desired.Snapshot());
        foreach (var step in script.Steps)
        {
            if (model.Read(step) is not { } e)
            {
                continue;
            }

            desired.DrainChanges();
            var before = desired.Snapshot();
            var translation = NeutronTranslator.Translate(e.After.Input, options);
            var accepted = translation.Succeeded && !e.RefusedByHistory;
            AclCompileException? refusal = null;
            try
            {
                e.Apply(engine);
            }
            catch (AclCompileException ex)
            {
                refusal = ex;
            }

            Assert.True(accepted == (refusal is null),
                $"{e}: expected {(accepted ? "accepted" : "refused")} (the translation {(translation.Succeeded ? "accepts" : "refuses")} it"
                + $"{(e.RefusedByHistory ? "; Neutron refuses stateful changed under bound ports" : "")}), "
                + $"the engine {(refusal is null ? "accepts it" : $"refuses it: {refusal.Message}")}; translation says: "
                + string.Join(" | ", translation.Diagnostics.Where(d => d.IsError)));
            if (refusal is not null)
            {
                Assert.Equal(before, desired.Snapshot());
                Assert.False(desired.HasPendingChanges, $"{e}: a refused event left changes");
                continue;
            }

            model.Become(e.After);
            var expected = NeutronEngineModel.Stamp(translation.Rows!, Controller);
            var actual = desired.Snapshot();
            Assert.True(expected == actual,
                $"{e}: the store differs from the translation\nexpected:\n{NeutronTestInput.Render(expected)}\nstore:\n{NeutronTestInput.Render(actual)}");
            Assert.Equal(translation.Rows, NeutronTranslator.Translate(engine.CurrentInput, options).Rows);
            AssertTouchedOnly(step.Kind, e, desired.DrainChanges());
        }
    }

    private static DesiredRowChange[] Changes(IReadOnlyList<DesiredRowChange> changes, DesiredRowKind kind) =>
        [.. changes.Where(c => c.Kind == kind)];

    private static void AssertTouchedOnly(NeutronEventKind kind, NeutronEvent e, IReadOnlyList<DesiredRowChange> changes)
    {
        var portGroups = Changes(changes, DesiredRowKind.PortGroup);
        var addressSets = Changes(changes, DesiredRowKind.AddressSet);
        switch (kind)
        {
            case NeutronEventKind.UpsertPort or NeutronEventKind.DeletePort:
                Assert.All(portGroups, c => Assert.False(c.Shape, $"{e}: port event reshaped {c.Name}"));
                Assert.Empty(addressSets);
                break;
            case NeutronEventKind.UpsertGroup or NeutronEventKind.DeleteGroup or NeutronEventKind.UpsertRule or NeutronEventKind.DeleteRule:
                Assert.All(portGroups, c => Assert.Equal("pg_" + e.Group!.Replace('-', '_'), c.Name));
                Assert.All(portGroups, c => Assert.Empty(c.TouchedMembers));
                Assert.Empty(addressSets);
                break;
            case NeutronEventKind.UpsertAddressGroup or NeutronEventKind.DeleteAddressGroup:
                Assert.Empty(portGroups);
                break;
        }
    }

    private static NorthboundRows Expected(NeutronEngineModel model, NeutronTranslationOptions options) =>
        NeutronEngineModel.Stamp(NeutronTranslator.Translate(model.Input, options).GetRowsOrThrow(), Controller);
}
