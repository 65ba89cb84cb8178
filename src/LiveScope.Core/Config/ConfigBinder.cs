using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace LiveScope.Core.Config;

/// <summary>Allowed range of a numeric option; checked when the option is read from a file.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ConfigRangeAttribute(double min, double max) : Attribute
{
    public double Min { get; } = min;
    public double Max { get; } = max;
}

/// <summary>Options types may check relations between fields; a non-null result is reported at the node.</summary>
public interface IValidatedOptions
{
    string? Validate();
}

/// <summary>
/// Reads an options type from a <see cref="ConfigNode"/>: keys are the properties' names in snake_case
/// (<c>ExposureMs</c> ↔ <c>exposure_ms</c>); defaults are the property initialisers; unknown keys, wrong types and
/// values outside <see cref="ConfigRangeAttribute"/> fail with file, line, column and key path.
/// </summary>
public static partial class ConfigBinder
{
    public static T Bind<T>(ConfigNode? node) where T : new() => (T)BindObject(typeof(T), node, new T());

    /// <summary>Binds onto an existing instance (its current values are the defaults).</summary>
    public static T Bind<T>(ConfigNode? node, T defaults) where T : class => (T)BindObject(typeof(T), node, defaults);

    public static string KeyName(string propertyName) => SnakeCase().Replace(propertyName, "_$1$2").ToLowerInvariant();

    [GeneratedRegex("(?<=[a-z0-9])([A-Z])|(?<=[A-Z])([A-Z][a-z])")]
    private static partial Regex SnakeCase();

    private static IEnumerable<PropertyInfo> Settable(Type t) =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetIndexParameters().Length == 0);

    private static object BindObject(Type type, ConfigNode? node, object target)
    {
        if (node is null || node.IsNull) return Validate(target, node);
        var props = Settable(type).ToDictionary(p => KeyName(p.Name));
        node.RejectUnknownKeys(props.Keys.ToArray());
        // Records are immutable: bind a copy made by the compiler's clone, so defaults shared by callers stay untouched.
        var clone = type.GetMethod("<Clone>$");
        var result = clone is not null ? clone.Invoke(target, null)! : target;
        foreach (var (key, child) in node.Entries)
        {
            var prop = props[key];
            var current = prop.GetValue(result);
            var value = ReadValue(prop.PropertyType, child, current);
            if (prop.GetCustomAttribute<ConfigRangeAttribute>() is { } range)
            {
                double v = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (v < range.Min || v > range.Max)
                    throw child.Error($"{v.ToString(CultureInfo.InvariantCulture)} is out of range; expected {ConfigNode.Range(range.Min, range.Max)}");
            }
            prop.SetValue(result, value);
        }
        return Validate(result, node);
    }

    private static object Validate(object result, ConfigNode? node)
    {
        if (result is IValidatedOptions v && v.Validate() is { } problem)
            throw node?.Error(problem) ?? new ConfigException(new SourceLocation("(defaults)", 0, 0), "", problem);
        return result;
    }

    private static object? ReadValue(Type type, ConfigNode node, object? current)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
            return node.IsNull ? null : ReadValue(underlying, node, current);
        if (type == typeof(string)) return node.AsString();
        if (type == typeof(double)) return node.AsDouble();
        if (type == typeof(float)) return (float)node.AsDouble();
        if (type == typeof(int)) return node.AsInt();
        if (type == typeof(long)) return node.AsInt64();
        if (type == typeof(bool)) return node.AsBool();
        if (type.IsEnum) return ReadEnum(type, node);
        if (type.IsArray)
        {
            var items = node.Items.Select(i => ReadValue(type.GetElementType()!, i, null)).ToArray();
            var array = Array.CreateInstance(type.GetElementType()!, items.Length);
            for (int i = 0; i < items.Length; i++) array.SetValue(items[i], i);
            return array;
        }
        if (type.IsGenericType && IsListLike(type.GetGenericTypeDefinition()))
        {
            var element = type.GetGenericArguments()[0];
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
            foreach (var item in node.Items) list.Add(ReadValue(element, item, NewOrNull(element)));
            return list;
        }
        if (type.IsGenericType && IsDictionaryLike(type.GetGenericTypeDefinition()) && type.GetGenericArguments()[0] == typeof(string))
        {
            var element = type.GetGenericArguments()[1];
            var dict = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), element))!;
            foreach (var (k, v) in node.Entries) dict[k] = ReadValue(element, v, NewOrNull(element));
            return dict;
        }
        if (type.IsClass)
            return BindObject(type, node, current ?? Activator.CreateInstance(type)
                ?? throw node.Error($"cannot create {type.Name}"));
        throw node.Error($"options of type {type.Name} cannot be read from a file");
    }

    private static object? NewOrNull(Type t) =>
        t.IsClass && t != typeof(string) && t.GetConstructor(Type.EmptyTypes) is not null ? Activator.CreateInstance(t) : null;

    private static bool IsListLike(Type g) =>
        g == typeof(List<>) || g == typeof(IReadOnlyList<>) || g == typeof(IList<>) || g == typeof(IEnumerable<>) || g == typeof(IReadOnlyCollection<>);

    private static bool IsDictionaryLike(Type g) =>
        g == typeof(Dictionary<,>) || g == typeof(IReadOnlyDictionary<,>) || g == typeof(IDictionary<,>);

    private static object ReadEnum(Type type, ConfigNode node)
    {
        var text = node.AsString().Replace("_", "").Replace("-", "");
        foreach (var name in Enum.GetNames(type))
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase)) return Enum.Parse(type, name);
        var names = Enum.GetNames(type).Select(KeyName).ToArray();
        throw node.Error($"'{node.AsString()}' is not one of: {string.Join(", ", names)}{Suggest.DidYouMean(node.AsString(), names)}");
    }

    /// <summary>One documented option: its key path, type, default and description.</summary>
    public sealed record OptionDoc(string Key, string Type, string Default, string Description, string? Range);

    /// <summary>Every option of <typeparamref name="T"/> with its default, for generated documentation.</summary>
    public static IReadOnlyList<OptionDoc> Describe<T>() where T : new() => Describe(typeof(T), new T(), "").ToList();

    private static IEnumerable<OptionDoc> Describe(Type type, object instance, string prefix)
    {
        foreach (var p in Settable(type))
        {
            var key = prefix + KeyName(p.Name);
            var value = p.GetValue(instance);
            var description = p.GetCustomAttribute<DescriptionAttribute>()?.Description ?? "";
            var range = p.GetCustomAttribute<ConfigRangeAttribute>() is { } r ? ConfigNode.Range(r.Min, r.Max) : null;
            var pt = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            if (pt.IsClass && pt != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(pt) && value is not null)
            {
                foreach (var d in Describe(pt, value, key + ".")) yield return d;
                continue;
            }
            yield return new OptionDoc(key, pt.Name, FormatDefault(value), description, range);
        }
    }

    private static string FormatDefault(object? value) => value switch
    {
        null => "(none)",
        string s => s,
        double d => d.ToString("G", CultureInfo.InvariantCulture),
        Enum e => KeyName(e.ToString()),
        IEnumerable e => "[" + string.Join(", ", e.Cast<object>().Select(FormatDefault)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
