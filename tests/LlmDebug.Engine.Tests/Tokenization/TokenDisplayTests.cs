using LlmDebug.Engine.Tokenization;

namespace LlmDebug.Engine.Tests.Tokenization;

public class TokenDisplayTests(Gpt2TokenizersFixture gpt2) : IClassFixture<Gpt2TokenizersFixture>
{
    [Fact]
    public void Leading_space_becomes_the_visible_marker()
    {
        int cat = Assert.Single(gpt2.Tiktoken.Encode(" cat"));
        Assert.Equal(TokenDisplay.SpaceMarker + "cat", TokenDisplay.Render(gpt2.Tiktoken, cat));
        Assert.Equal("␣cat", TokenDisplay.Render(gpt2.FromFiles, cat));
    }

    [Fact]
    public void Newlines_and_tabs_are_visible()
    {
        Assert.Equal("↵↵", TokenDisplay.Render(gpt2.Tiktoken, 628)); // "\n\n"
        Assert.Equal("⇥", TokenDisplay.RenderBytes("\t"u8));
    }

    [Fact]
    public void Partial_utf8_token_shows_its_bytes()
    {
        var ids = gpt2.Tiktoken.Encode("日"); // E6 97 A5 split over two tokens
        Assert.Equal(2, ids.Count);

        var rendered = ids.Select(id => TokenDisplay.Render(gpt2.Tiktoken, id)).ToList();

        Assert.All(rendered, r => Assert.Matches("^(<0x[0-9A-F]{2}>)+$", r));
        Assert.Equal("<0xE6><0x97><0xA5>", string.Concat(rendered));
        Assert.Equal(rendered, ids.Select(id => TokenDisplay.Render(gpt2.FromFiles, id)));
    }

    [Fact]
    public void Whole_characters_render_as_text_and_special_tokens_as_themselves()
    {
        Assert.Equal("<|endoftext|>", TokenDisplay.Render(gpt2.Tiktoken, 50256));
        Assert.Equal("␣🙂", TokenDisplay.Render(gpt2.Tiktoken, Assert.Single(gpt2.Tiktoken.Encode(" 🙂"))));
        Assert.Equal("ok", TokenDisplay.Render(gpt2.Tiktoken, gpt2.Tiktoken.Encode("ok")));
    }

    [Fact]
    public void Stray_and_control_bytes_show_as_hex()
    {
        Assert.Equal("a<0xE7>", TokenDisplay.RenderBytes([(byte)'a', 0xE7]));
        Assert.Equal("<0x00><0x1B>", TokenDisplay.RenderBytes([0x00, 0x1B]));
        Assert.Equal("<0xC2><0x85>", TokenDisplay.RenderBytes([0xC2, 0x85])); // U+0085, a C1 control
    }
}
