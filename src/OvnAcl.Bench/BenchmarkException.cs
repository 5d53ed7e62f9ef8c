namespace OvnAcl.Benchmarking;

/// <summary>A benchmark cannot run or complete: no server answers, the database is not in a usable state, OvnAcl failed.</summary>
internal sealed class BenchmarkException(string message, Exception? innerException = null) : Exception(message, innerException);
