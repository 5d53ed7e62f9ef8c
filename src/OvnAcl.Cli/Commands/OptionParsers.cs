using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace OvnAcl.Cli.Commands;

/// <summary>
/// Typed option values: custom parsers for lists and durations, and range validators. Each error names its option, so
/// that System.CommandLine reports it as a parse error (exit 1, before anything runs).
/// </summary>
internal static class OptionParsers
{
    /// <summary>A parser that turns the option's one token into a value, or reports <paramref name="parse"/>'s <see cref="ArgumentException"/>/<see cref="FormatException"/> message.</summary>
    public static Func<ArgumentResult, T?> Using<T>(Func<string, T> parse) => result =>
    {
        var text = Token(result);
        try
        {
            return parse(text);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            var message = ex is ArgumentException { ParamName: { } name } && ex.Message.EndsWith($" (Parameter '{name}')", StringComparison.Ordinal)
                ? ex.Message[..^$" (Parameter '{name}')".Length]
                : ex.Message;
            result.AddError($"{OptionName(result)}: {message}");
            return default;
        }
    };

    /// <summary>Comma-separated numbers (<c>100,500,1000</c>); none for an empty value.</summary>
    public static Func<ArgumentResult, List<T>?> NumberList<T>() where T : ISpanParsable<T> => result =>
    {
        var text = Token(result);
        var items = new List<T>();
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!T.TryParse(item, CultureInfo.InvariantCulture, out var value))
            {
                result.AddError($"{OptionName(result)} takes comma-separated numbers, not '{text}'");
                return null;
            }

            items.Add(value);
        }

        return items;
    };

    /// <summary>A duration: <c>90</c> (seconds), <c>90s</c>, <c>10m</c> or <c>1h</c>, more than zero.</summary>
    public static TimeSpan? Duration(ArgumentResult result)
    {
        var text = Token(result);
        if (TryParseDuration(text, out var value))
        {
            return value;
        }

        result.AddError($"{OptionName(result)} takes a duration such as 90s, 10m or 1h, not '{text}'");
        return null;
    }

    /// <summary>Reads <c>90</c>, <c>90s</c>, <c>10m</c> or <c>1h</c>; false for anything else, and for zero or less.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        var trimmed = text.Trim();
        var hasUnit = trimmed.Length > 0 && char.IsLetter(trimmed[^1]);
        var unit = hasUnit ? char.ToLowerInvariant(trimmed[^1]) : 's';
        var number = hasUnit ? trimmed[..^1] : trimmed;
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value > 0) || double.IsInfinity(value)
            || unit is not ('s' or 'm' or 'h'))
        {
            return false;
        }

        duration = unit switch { 'h' => TimeSpan.FromHours(value), 'm' => TimeSpan.FromMinutes(value), _ => TimeSpan.FromSeconds(value) };
        return true;
    }

    /// <summary>Refuses a value outside <paramref name="min"/>..<paramref name="max"/> with <c>OPTION must be MIN to MAX, not N</c>.</summary>
    public static T InRange<T>(this T option, int min, int max = int.MaxValue) where T : Option
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 0 || !int.TryParse(result.Tokens[^1].Value, CultureInfo.InvariantCulture, out var value) || (value >= min && value <= max))
            {
                return;
            }

            result.AddError(max == int.MaxValue
                ? $"{option.Name} must be {min} or more, not {value}"
                : $"{option.Name} must be {min} to {max}, not {value}");
        });
        return option;
    }

    /// <summary>Refuses an empty or blank value with <c>OPTION needs a name</c>.</summary>
    public static Option<string> NotBlank(this Option<string> option)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && string.IsNullOrWhiteSpace(result.Tokens[^1].Value))
            {
                result.AddError($"{option.Name} needs a name");
            }
        });
        return option;
    }

    /// <summary>
    /// Refuses an INPUT that looks like an option and is no file (<c>compile x --json</c>): the parser hands unknown
    /// options to a list argument, which would then report a missing file called <c>--json</c>.
    /// </summary>
    public static Argument<string[]> NoOptionLikePaths(this Argument<string[]> argument)
    {
        argument.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                var value = token.Value;
                if (value.Length > 1 && value[0] == '-' && !File.Exists(value) && !Directory.Exists(value))
                {
                    result.AddError($"unknown option '{value}' (see --help)");
                }
            }
        });
        return argument;
    }

    private static string Token(ArgumentResult result) => result.Tokens.Count == 0 ? "" : result.Tokens[^1].Value;

    private static string OptionName(ArgumentResult result) => result.Parent is OptionResult option ? option.Option.Name : result.Argument.Name;
}
