namespace LlmDebug.Cli.Commands;

static class BenchCommand
{
    public static int Run(CliArguments args) => throw new CliException("bench: not built yet");
}
