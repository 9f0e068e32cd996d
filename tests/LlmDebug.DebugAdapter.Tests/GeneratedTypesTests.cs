using System.Text.Json;
using LlmDebug.DebugAdapter.Protocol;

namespace LlmDebug.DebugAdapter.Tests;

public class GeneratedTypesTests
{
    private static JsonElement Serialize(object value) => JsonDocument.Parse(DapJson.SerializeToUtf8(value)).RootElement;

    private static string[] Names(JsonElement obj) => obj.EnumerateObject().Select(p => p.Name).ToArray();

    [Fact]
    public void Capabilities_use_exact_schema_names_and_omit_unset_fields()
    {
        var json = Serialize(new Capabilities
        {
            SupportsConfigurationDoneRequest = true,
            SupportsStepBack = false,
            ExceptionBreakpointFilters = [new ExceptionBreakpointsFilter { Filter = "nan", Label = "NaN in activations" }],
        });

        Assert.Equal(new[] { "supportsConfigurationDoneRequest", "exceptionBreakpointFilters", "supportsStepBack" }.Order(), Names(json).Order());
        Assert.True(json.GetProperty("supportsConfigurationDoneRequest").GetBoolean());
        Assert.False(json.GetProperty("supportsStepBack").GetBoolean()); // explicit false is kept, only null is dropped
        Assert.Equal(new[] { "filter", "label" }, Names(json.GetProperty("exceptionBreakpointFilters")[0]));
    }

    [Fact]
    public void StackFrame_serializes_required_fields_and_nested_source()
    {
        var json = Serialize(new StackFrame { Id = 3, Name = "block[2].attn", Line = 12, Column = 1, Source = new Source { Name = "gpt2.py", Path = "/m/gpt2.py" } });

        Assert.Equal(new[] { "column", "id", "line", "name", "source" }, Names(json).Order());
        Assert.Equal(3, json.GetProperty("id").GetInt32());
        Assert.Equal(12, json.GetProperty("line").GetInt32());
        Assert.Equal("/m/gpt2.py", json.GetProperty("source").GetProperty("path").GetString());
    }

    [Fact]
    public void Required_fields_are_written_even_at_default_values()
    {
        var json = Serialize(new Variable());
        Assert.Equal(new[] { "name", "value", "variablesReference" }, Names(json).Order());
        Assert.Equal(0, json.GetProperty("variablesReference").GetInt32());
    }

    [Fact]
    public void Variable_paging_fields_and_presentation_hint_use_schema_names()
    {
        var json = Serialize(new Variable
        {
            Name = "q", Value = "Tensor[12, 64]", VariablesReference = 7, IndexedVariables = 12, NamedVariables = 2,
            PresentationHint = new VariablePresentationHint { Kind = VariablePresentationHintKinds.Data, Attributes = [VariablePresentationHintAttributes.ReadOnly] },
        });

        Assert.Equal(12, json.GetProperty("indexedVariables").GetInt32());
        Assert.Equal(2, json.GetProperty("namedVariables").GetInt32());
        Assert.Equal(7, json.GetProperty("variablesReference").GetInt32());
        Assert.Equal("data", json.GetProperty("presentationHint").GetProperty("kind").GetString());
        Assert.Equal("readOnly", json.GetProperty("presentationHint").GetProperty("attributes")[0].GetString());
    }

    [Fact]
    public void Nullable_required_field_is_written_as_null()
    {
        // DataBreakpointInfoResponse.body.dataId is required with type ["string","null"]: null must be sent, not omitted.
        var json = Serialize(new DataBreakpointInfoResponseBody { DataId = null, Description = "not available" });
        Assert.Equal(JsonValueKind.Null, json.GetProperty("dataId").ValueKind);
    }

    [Fact]
    public void Response_and_event_bodies_and_arguments_round_trip()
    {
        var stopped = Serialize(new StoppedEventBody { Reason = StoppedEventReasons.FunctionBreakpoint, ThreadId = 1, AllThreadsStopped = true, HitBreakpointIds = [4] });
        Assert.Equal("function breakpoint", stopped.GetProperty("reason").GetString());
        Assert.Equal(4, stopped.GetProperty("hitBreakpointIds")[0].GetInt32());

        var body = Serialize(new StackTraceResponseBody { StackFrames = [new StackFrame { Id = 1, Name = "lm_head" }], TotalFrames = 1 });
        Assert.Equal(new[] { "stackFrames", "totalFrames" }, Names(body));

        var args = JsonSerializer.Deserialize<SetBreakpointsArguments>(
            """{"source":{"path":"/m/model.llm"},"breakpoints":[{"line":3,"condition":"x > 1"}],"sourceModified":false}""", DapJson.Options)!;
        Assert.Equal("/m/model.llm", args.Source.Path);
        Assert.Equal(3, args.Breakpoints![0].Line);
        Assert.Equal("x > 1", args.Breakpoints[0].Condition);
    }

    [Fact]
    public void Error_response_body_uses_the_message_shape()
    {
        var json = Serialize(new ErrorResponseBody { Error = new Message { Id = 5, Format = "bad {what}", ShowUser = true, Variables = new() { ["what"] = "x" } } });
        JsonElement error = json.GetProperty("error");
        Assert.Equal(new[] { "format", "id", "showUser", "variables" }, Names(error).Order());
        Assert.Equal("x", error.GetProperty("variables").GetProperty("what").GetString());
    }

    [Fact]
    public void Command_and_event_name_constants_match_the_schema()
    {
        Assert.Equal("stackTrace", Commands.StackTrace);
        Assert.Equal("configurationDone", Commands.ConfigurationDone);
        Assert.Equal("stopped", EventNames.Stopped);
        Assert.Equal("initialized", EventNames.Initialized);
        Assert.Equal("instruction breakpoint", StoppedEventReasons.InstructionBreakpoint);
        Assert.Equal("instruction", SteppingGranularity.Instruction);
    }
}
