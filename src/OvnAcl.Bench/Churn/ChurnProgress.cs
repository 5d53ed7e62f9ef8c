using System.Diagnostics;
using System.Globalization;

namespace OvnAcl.Benchmarking;

/// <summary>Progress of the running measurement: a bar redrawn at most ten times a second on a terminal, plain lines otherwise.</summary>
internal sealed class ChurnProgress(TextWriter? writer, bool bar)
{
    private const int Width = 30;
    private long _lastDrawn;
    private bool _drawn;

    public void Line(string text)
    {
        if (writer is null)
        {
            return;
        }

        Clear();
        writer.WriteLine(text);
    }

    /// <summary>Called per event by the measuring loop: cheap unless a redraw is due.</summary>
    public void Update(string label, long done, long total)
    {
        if (writer is null || !bar)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        if (done < total && Stopwatch.GetElapsedTime(_lastDrawn, now) < TimeSpan.FromMilliseconds(100))
        {
            return;
        }

        _lastDrawn = now;
        var filled = total == 0 ? Width : (int)(Width * done / total);
        writer.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r{label,-36} [{new string('#', filled)}{new string(' ', Width - filled)}] {done}/{total}"));
        writer.Flush();
        _drawn = true;
    }

    public void Clear()
    {
        if (_drawn && writer is not null)
        {
            writer.Write("\r" + new string(' ', 36 + Width + 30) + "\r");
            _drawn = false;
        }
    }
}
