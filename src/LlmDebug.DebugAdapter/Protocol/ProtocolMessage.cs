using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmDebug.DebugAdapter.Protocol;

// Hand-written envelopes (schema: ProtocolMessage, Request, Response, Event). The payloads inside
// them (`arguments`, `body`) are the generated types in Generated/.

/// <summary>Base class of requests, responses, and events.</summary>
public abstract class ProtocolMessage
{
    /// <summary>Sequence number of the message; assigned by the sender when the message is written.</summary>
    [JsonPropertyName("seq")]
    [JsonPropertyOrder(-2)]
    public int Seq { get; set; }

    /// <summary>Message type: "request", "response" or "event".</summary>
    [JsonPropertyName("type")]
    [JsonPropertyOrder(-1)]
    public string Type { get; set; }

    protected ProtocolMessage(string type) => Type = type;
}

/// <summary>Message type values of <see cref="ProtocolMessage.Type"/>.</summary>
public static class MessageTypes
{
    public const string Request = "request";
    public const string Response = "response";
    public const string Event = "event";
}

/// <summary>A client or debug adapter initiated request.</summary>
public sealed class Request : ProtocolMessage
{
    public Request() : base(MessageTypes.Request) { }

    /// <summary>The command to execute.</summary>
    [JsonPropertyName("command")]
    public string Command { get; set; } = "";

    /// <summary>Object containing arguments for the command; kept raw so each handler picks its own type.</summary>
    [JsonPropertyName("arguments")]
    public JsonElement? Arguments { get; set; }
}

/// <summary>Response for a request.</summary>
public sealed class Response : ProtocolMessage
{
    public Response() : base(MessageTypes.Response) { }

    /// <summary>Sequence number of the corresponding request.</summary>
    [JsonPropertyName("request_seq")]
    public int RequestSeq { get; set; }

    /// <summary>Outcome of the request.</summary>
    [JsonPropertyName("success")]
    public bool Success { get; set; }

    /// <summary>The command requested.</summary>
    [JsonPropertyName("command")]
    public string Command { get; set; } = "";

    /// <summary>Contains the raw error in short form if <see cref="Success"/> is false.</summary>
    [JsonPropertyName("message")]
    public string? Message { get; set; }

    /// <summary>Request result on success, <see cref="ErrorResponseBody"/> on failure.
    /// Declared as object so the runtime type is serialized; reads back as <see cref="JsonElement"/>.</summary>
    [JsonPropertyName("body")]
    public object? Body { get; set; }
}

/// <summary>A debug adapter initiated event.</summary>
public sealed class Event : ProtocolMessage
{
    public Event() : base(MessageTypes.Event) { }

    /// <summary>Type of event, e.g. <see cref="EventNames.Stopped"/>.</summary>
    [JsonPropertyName("event")]
    public string EventName { get; set; } = "";

    /// <summary>Event-specific information (e.g. <see cref="StoppedEventBody"/>); reads back as <see cref="JsonElement"/>.</summary>
    [JsonPropertyName("body")]
    public object? Body { get; set; }
}
