using LlmDebug.Engine.Expressions;
using LlmDebug.Engine.Runtime;

namespace LlmDebug.Cli.Commands;

/// <summary>How <c>llmdebug debug</c> reports a session: as text for people or JSON lines for programs.</summary>
interface IStopPrinter
{
    void Start();
    void Stop(StopInfo stop);
    void Value(string expression, ExpressionValue value, StopInfo stop);
    void Error(string expression, string message);
    void Token(GeneratedToken token);
    void End(SessionEnd end);
}
