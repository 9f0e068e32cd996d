using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Models.Gpt2;

/// <summary>The activation functions GPT-2 configs name in <c>activation_function</c>.</summary>
public static class Gpt2Activations
{
    public static readonly string[] Supported = ["gelu_new", "gelu", "gelu_pytorch_tanh", "relu"];

    public static Tensor Apply(string name, Tensor x) => name switch
    {
        // tanh approximation used by the original GPT-2 ("gelu_new")
        "gelu_new" or "gelu_pytorch_tanh" => 0.5 * x * (1.0 + tanh(Math.Sqrt(2.0 / Math.PI) * (x + 0.044715 * x.pow(3)))),
        "gelu" => nn.functional.gelu(x),
        "relu" => nn.functional.relu(x),
        _ => throw new NotSupportedException($"activation_function '{name}' is not supported (supported: {string.Join(", ", Supported)})"),
    };
}
