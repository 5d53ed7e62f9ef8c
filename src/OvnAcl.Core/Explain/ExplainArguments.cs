namespace OvnAcl.Explain;

/// <summary>Which form of <c>ovnacl explain</c> a command line asks for.</summary>
public enum ExplainForm
{
    /// <summary><c>--db REMOTE --from --to</c>: the rows of a live Northbound database.</summary>
    Live,

    /// <summary><c>--from --to INPUT...</c>: compiled input on an offline topology.</summary>
    Offline,

    /// <summary><c>--matrix INPUT...</c>: every ordered pair of the input's pods or ports.</summary>
    Matrix,
}

/// <summary>The rules that tell <c>explain</c>'s forms apart, kept out of the CLI so they are tested as the library is.</summary>
public static class ExplainArguments
{
    /// <param name="db">Whether <c>--db</c> was given.</param>
    /// <param name="environmentDb">Whether <c>$OVN_NB_DB</c> is set (a live NB when no INPUT is given).</param>
    /// <exception cref="OvnAclException">A combination that makes no sense, with what to do instead.</exception>
    public static ExplainForm Choose(bool db, bool environmentDb, int inputs, bool matrix, bool from, bool to)
    {
        if (db && inputs > 0)
        {
            throw new OvnAclException("give either --db REMOTE (explain a live NB) or INPUT files (compile and explain them offline), not both");
        }

        if (matrix)
        {
            return db || inputs == 0
                ? throw new OvnAclException("--matrix needs INPUT files (Kubernetes manifests or Neutron API JSON); it does not read a live NB")
                : from || to
                    ? throw new OvnAclException("--matrix asks about every pair; leave out --from and --to")
                    : ExplainForm.Matrix;
        }

        if (inputs == 0 && !db && !environmentDb)
        {
            throw new OvnAclException("nothing to explain: give INPUT files (Kubernetes manifests or Neutron API JSON) or --db REMOTE (a live NB)");
        }

        if (!from || !to)
        {
            throw new OvnAclException($"explain needs {(from ? "" : "--from")}{(from || to ? "" : " and ")}{(to ? "" : "--to")} (or --matrix with INPUT)");
        }

        return inputs > 0 ? ExplainForm.Offline : ExplainForm.Live;
    }
}
