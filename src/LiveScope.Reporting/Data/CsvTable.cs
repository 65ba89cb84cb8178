using System.Globalization;
using System.Text;

namespace LiveScope.Reporting.Data;

/// <summary>
/// A CSV file with a header row, read whole (measurement files are small next to the images). Quoted fields with
/// commas, doubled quotes and line breaks are understood (RFC 4180); lookups are by column name, so a producer may
/// add columns without breaking the report.
/// </summary>
internal sealed class CsvTable
{
    private readonly Dictionary<string, int> _columns;

    private CsvTable(IReadOnlyList<string> header, IReadOnlyList<string[]> rows)
    {
        Header = header;
        Rows = rows;
        _columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < header.Count; i++) _columns.TryAdd(header[i].Trim(), i);
    }

    public IReadOnlyList<string> Header { get; }
    public IReadOnlyList<string[]> Rows { get; }

    public bool Has(string column) => _columns.ContainsKey(column);

    public static CsvTable Read(string path) => Parse(File.ReadAllText(path));

    public static CsvTable Parse(string text)
    {
        var records = Records(text).Where(r => !(r.Length == 1 && r[0].Length == 0)).ToList();
        if (records.Count == 0) return new CsvTable([], []);
        return new CsvTable(records[0], records.Skip(1).ToList());
    }

    public string Text(string[] row, string column)
        => _columns.TryGetValue(column, out int i) && i < row.Length ? row[i] : "";

    /// <summary>NaN for an empty, missing or unparsable cell (the producers write NaN as an empty cell).</summary>
    public double Number(string[] row, string column)
        => double.TryParse(Text(row, column), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : double.NaN;

    private static IEnumerable<string[]> Records(string text)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char ch = text[i];
            if (quoted)
            {
                if (ch != '"') field.Append(ch);
                else if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
                continue;
            }
            switch (ch)
            {
                case '"': quoted = true; break;
                case ',': fields.Add(field.ToString()); field.Clear(); break;
                case '\r': break;
                case '\n':
                    fields.Add(field.ToString()); field.Clear();
                    yield return fields.ToArray();
                    fields.Clear();
                    break;
                default: field.Append(ch); break;
            }
        }
        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            yield return fields.ToArray();
        }
    }
}
