namespace LlmDebug.Engine.Runtime;

/// <summary>Turns the user's prompt into the first token step's input, refusing what cannot run.</summary>
public static class PromptTokens
{
    public static IReadOnlyList<int> Encode(LoadedModel model, string? prompt)
    {
        if (string.IsNullOrWhiteSpace(prompt))
        {
            // an empty prompt starts from the end-of-text token, as GPT-2 was trained to begin documents
            if (model.Tokenizer.EndOfTextId is int eot) return [eot];
            throw new LaunchException("the prompt is empty and this model's tokenizer has no end-of-text/BOS token to start from; give a prompt");
        }
        var ids = model.Tokenizer.Encode(prompt);
        if (ids.Count > model.Config.ContextLength)
            throw new LaunchException($"the prompt is {ids.Count} tokens long but the model's context is {model.Config.ContextLength} tokens (n_positions); shorten it");
        return ids;
    }
}

/// <summary>A launch request that cannot run as given; the message is for the user.</summary>
public sealed class LaunchException(string message) : Exception(message);
