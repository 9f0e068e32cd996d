namespace LlmDebug.DebugAdapter.Transport;

/// <summary>Stable ids for body.error.id so every user-visible error has a number to search for.</summary>
public static class DapErrorIds
{
    public const int RequestFailed = 1000;
    public const int UnrecognizedRequest = 1001;
    public const int InvalidArguments = 1002;
    public const int HandlerFailed = 1003;
    public const int Cancelled = 1004;
    public const int InvalidRequest = 1005;
    public const int NotStopped = 1006;
    public const int ResponseNotSerializable = 1007;
}
