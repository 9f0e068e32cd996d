namespace LlmDebug.DebugAdapter.Transport;

/// <summary>
/// Thrown by a request handler to fail the request with a message meant for the user.
/// The server turns it into an ErrorResponse (success=false, body.error = {id, format, showUser}).
/// </summary>
public class RequestException : Exception
{
    public RequestException(string userMessage, int errorId = DapErrorIds.RequestFailed, bool showUser = true, string? rawMessage = null)
        : base(userMessage)
    {
        ErrorId = errorId;
        ShowUser = showUser;
        RawMessage = rawMessage;
    }

    /// <summary>Goes to body.error.id; see <see cref="DapErrorIds"/>.</summary>
    public int ErrorId { get; }

    /// <summary>Goes to body.error.showUser: whether the client should display the message.</summary>
    public bool ShowUser { get; }

    /// <summary>Short machine-readable form for Response.message (schema values: "cancelled", "notStopped"); defaults to the user message.</summary>
    public string? RawMessage { get; }

    /// <summary>The request needs the debuggee to be paused (e.g. stackTrace while running).</summary>
    public static RequestException NotStopped(string userMessage = "The model is running; pause it first.")
        => new(userMessage, DapErrorIds.NotStopped, showUser: false, rawMessage: "notStopped");
}
