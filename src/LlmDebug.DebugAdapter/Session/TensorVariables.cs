using LlmDebug.DebugAdapter.Protocol;
using LlmDebug.Engine.Inspection;
using TorchSharp;

namespace LlmDebug.DebugAdapter.Session;

/// <summary>
/// Tensors in the Variables pane: the value line is a summary, children are slices along the leading dimension
/// (layer → head → query row → …) labelled by <see cref="TensorAxes"/>, paged by the client via indexedVariables.
/// Each child's evaluateName indexes its parent's, so "Add to Watch" works at any depth.
/// </summary>
public sealed class TensorVariables(VariableStore store)
{
    private VariableStore Store => store;

    public Variable Make(string name, torch.Tensor tensor, string? evaluateName, TensorAxes? axes, int depth = 0, IReadOnlyList<long>? indices = null)
    {
        bool expandable = tensor.dim() > 0 && tensor.numel() > 0;
        return new Variable
        {
            Name = name,
            Value = TensorSummary.Format(tensor),
            Type = "tensor",
            EvaluateName = evaluateName,
            VariablesReference = expandable ? store.Add(new Slices(this, tensor, evaluateName, axes, depth, indices ?? [])) : 0,
            IndexedVariables = expandable ? (int)tensor.shape[0] : null,
        };
    }

    /// <summary>Children of one tensor: element <c>i</c> along its first dimension.</summary>
    sealed class Slices(TensorVariables owner, torch.Tensor tensor, string? evaluateName, TensorAxes? axes, int depth, IReadOnlyList<long> indices) : IVariableContainer
    {
        public int Count => (int)tensor.shape[0];

        public IEnumerable<Variable> Children(int start, int count)
        {
            int end = Math.Min(Count, start + Math.Max(0, count));
            for (int i = start; i < end; i++)
            {
                string label = axes?.Label(depth, i) ?? i.ToString();
                string name = label == i.ToString() ? $"[{i}]" : $"[{i}] {label}";
                long[] childIndices = [.. indices, i];
                string? childEval = evaluateName is null ? null : $"{RootOf(evaluateName)}[{string.Join(", ", childIndices)}]";
                var child = owner.Store.Own(tensor[i]);
                if (child.dim() == 0)
                    yield return new Variable
                    {
                        Name = name,
                        Value = TensorSummary.Number(child.to_type(torch.ScalarType.Float64).item<double>()),
                        Type = "float",
                        EvaluateName = childEval,
                    };
                else
                    yield return owner.Make(name, child, childEval, axes, depth + 1, childIndices);
            }
        }

        // children index the root expression with all indices at once: x[3, 5], not x[3][5]
        string RootOf(string eval) => indices.Count == 0 ? eval : eval[..eval.LastIndexOf('[')];
    }
}
