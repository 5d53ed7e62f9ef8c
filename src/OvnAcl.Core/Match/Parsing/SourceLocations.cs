using System.Runtime.CompilerServices;

namespace OvnAcl.Match;

/// <summary>
/// Where in the text each parsed node started. Kept beside the tree, keyed by node identity, so that positions take
/// no part in the nodes' structural equality (a parsed tree equals a built one) and cost nothing to built trees.
/// </summary>
internal static class SourceLocations
{
    private static readonly ConditionalWeakTable<object, StrongBox<TextPosition>> Positions = new();

    public static T At<T>(T node, TextPosition position)
        where T : class
    {
        Positions.AddOrUpdate(node, new StrongBox<TextPosition>(position));
        return node;
    }

    public static TextPosition? Of(object? node) =>
        node is not null && Positions.TryGetValue(node, out var box) ? box.Value : null;
}
