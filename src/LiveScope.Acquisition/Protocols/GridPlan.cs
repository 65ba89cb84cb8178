namespace LiveScope.Acquisition.Protocols;

/// <summary>Order in which a grid's tiles are visited (useq-schema's OrderMode names).</summary>
public enum GridOrder { RowWiseSnake, RowWise, ColumnWise, ColumnWiseSnake }

/// <summary>
/// A rows × columns grid of stage positions, expanded to <see cref="PositionSpec"/>s the way useq-schema does:
/// rows step towards −y (row 0 at the top), columns towards +x; centred on the origin or with its first tile there.
/// Tiles are named <c>{name}_{index:0000}</c> in visiting order.
/// </summary>
public sealed record GridPlan(int Rows, int Columns, double StepXUm, double StepYUm, bool Centered = true,
    GridOrder Order = GridOrder.RowWiseSnake)
{
    public IReadOnlyList<PositionSpec> Expand(string name, double originXUm, double originYUm, double? zUm)
    {
        double x0 = originXUm + (Centered ? -(Columns - 1) * StepXUm / 2 : 0);
        double y0 = originYUm + (Centered ? (Rows - 1) * StepYUm / 2 : 0);
        var tiles = new List<PositionSpec>(Rows * Columns);
        int index = 0;
        foreach (var (r, c) in Indices())
            tiles.Add(new PositionSpec($"{name}_{index++:0000}", x0 + c * StepXUm, y0 - r * StepYUm, zUm));
        return tiles;
    }

    private IEnumerable<(int Row, int Column)> Indices()
    {
        bool rowWise = Order is GridOrder.RowWise or GridOrder.RowWiseSnake;
        bool snake = Order is GridOrder.RowWiseSnake or GridOrder.ColumnWiseSnake;
        int outer = rowWise ? Rows : Columns, inner = rowWise ? Columns : Rows;
        for (int o = 0; o < outer; o++)
            for (int k = 0; k < inner; k++)
            {
                int i = snake && o % 2 == 1 ? inner - 1 - k : k;
                yield return rowWise ? (o, i) : (i, o);
            }
    }

    /// <summary>Step between tiles for a field of view and an overlap given as a fraction (0.1 = 10 %).</summary>
    public static double Step(double fovUm, double overlapFraction) => fovUm * (1 - overlapFraction);
}
