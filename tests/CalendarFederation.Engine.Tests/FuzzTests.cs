using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Discovery;
using CsCheck;
using Xunit;

namespace CalendarFederation.Engine.Tests;

/// <summary>
/// Property-based fuzzing (CsCheck) of the parsers that read what a partner or the service sends: the only exception
/// allowed is our own parse error, and each input is handled with bounded work: allocations always (an expanding
/// entity or a runaway buffer shows there, whatever the machine's load), and time under ./build.ps1 Reliability,
/// which sets CF_TIMING_TARGETS (wall-clock targets belong there, not in Test).
/// </summary>
public class FuzzTests
{
    private static readonly TimeSpan PerInputLimit = TimeSpan.FromSeconds(1);
    private const long PerInputAllocationLimit = 64L * 1024 * 1024;
    private static readonly bool TimingTargets = Environment.GetEnvironmentVariable("CF_TIMING_TARGETS") == "1";

    private static readonly string[] Fragments =
    {
        "<!DOCTYPE x [<!ENTITY e \"v\">]>", "&e;", "&#0;", "&#x110000;", "<![CDATA[", "]]>", "<?xml version=\"1.0\"?>", "<x>", "</x>", "<", ">",
        "&", "\"", "'", "\u0000", "\uFFFE", "\uD800", "<s:Fault>", "<ErrorCode>", "</ErrorCode>", "NoError", "<Domain>", "xmlns=\"\"",
        "xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"", "<Response>", "</Response>", "\r\n", "\t", "é", "𝄞",
    };

    private static readonly Gen<string> MutatedAnswer =
        Gen.Select(Gen.Int[0, 6], Gen.Int[0, 10_000], Gen.Int[0, Fragments.Length - 1], Gen.Int[1, 40])
            .Select(t =>
            {
                string s = t.Item1 % 2 == 0 ? Samples.ExchangeOnline : Samples.OnPremisesReordered;
                int at = t.Item2 % (s.Length + 1);
                string fragment = Fragments[t.Item3];
                return t.Item1 switch
                {
                    0 or 1 => s.Insert(at, fragment),
                    2 => s.Substring(0, at),
                    3 => s.Remove(at, Math.Min(t.Item4, s.Length - at)),
                    4 => s.Insert(at, string.Concat(Enumerable.Repeat(fragment, t.Item4))),
                    5 => at < s.Length ? s.Substring(0, at) + (char)(s[at] ^ (t.Item4 % 32 + 1)) + s.Substring(at + 1) : s,
                    _ => s.Replace("NoError", fragment),
                };
            });

    private static void Bounded(Action action)
    {
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var stopwatch = Stopwatch.StartNew();
        action();
        stopwatch.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.True(allocated < PerInputAllocationLimit, $"allocated {allocated} bytes");
        if (TimingTargets) Assert.True(stopwatch.Elapsed < PerInputLimit, $"took {stopwatch.Elapsed}");
    }

    private static void ParseAnswer(byte[] bytes) => Bounded(() =>
    {
        try
        {
            AutodiscoverResponse r = AutodiscoverSoap.Parse(bytes, bytes.Length);
            Assert.NotNull(r.Domains);
        }
        catch (AutodiscoverResponseException ex)
        {
            Assert.False(string.IsNullOrWhiteSpace(ex.Message));
        }
    });

    [Fact]
    public void Autodiscover_parser_survives_mutated_real_answers()
    {
        MutatedAnswer.Sample(s => ParseAnswer(Encoding.UTF8.GetBytes(s)), iter: 4000);
    }

    [Fact]
    public void Autodiscover_parser_survives_random_bytes()
    {
        Gen.Byte.Array[0, 4096].Sample(ParseAnswer, iter: 4000);
    }

    [Fact]
    public void Autodiscover_parser_survives_random_markup()
    {
        Gen.OneOfConst(Fragments).Array[0, 200].Select(parts => string.Concat(parts))
            .Sample(s => ParseAnswer(Encoding.UTF8.GetBytes(s)), iter: 4000);
    }

    private static readonly string[] JsonFragments =
    {
        "{", "}", "[", "]", ",", ":", "\"error\"", "\"details\"", "\"message\"", "\"code\"", "\"innererror\"", "\"type\"", "\"a|b|c\"", "\"|\"",
        "null", "true", "1e400", "-0", "\"\\u0000\"", "\"\\ud800\"", "\"value\"", "\"@odata.nextLink\"", "\"@adminapi.warnings\"", " ", "\"x\"",
    };

    private static readonly Gen<string> JsonishText = Gen.OneOf(
        Gen.OneOfConst(JsonFragments).Array[0, 300].Select(parts => string.Concat(parts)),
        Gen.String,
        Gen.Select(Gen.Int[0, 400], Gen.Int[0, JsonFragments.Length - 1]).Select(t =>
        {
            const string real = "{\"error\":{\"code\":\"BadRequest\",\"message\":\"Error executing cmdlet\",\"details\":[{\"code\":\"Context\",\"target\":\"\",\"message\":\"Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed.\"}]}}";
            int at = t.Item1 % (real.Length + 1);
            return real.Insert(at, JsonFragments[t.Item2]);
        }));

    [Fact]
    public void Admin_api_error_parser_never_throws_and_always_explains()
    {
        Gen.Select(Gen.Int[100, 599], JsonishText).Sample(t => Bounded(() =>
        {
            AdminApiException ex = AdminApiErrorParser.Parse(t.Item1, t.Item2, "id");
            Assert.False(string.IsNullOrWhiteSpace(ex.Message));
            Assert.True(Enum.IsDefined(typeof(AdminApiErrorKind), ex.Failure));
        }), iter: 4000);
    }

    [Fact]
    public void Admin_api_page_parser_throws_only_json_exceptions()
    {
        JsonishText.Sample(s => Bounded(() =>
        {
            byte[] bytes = Encoding.UTF8.GetBytes(s);
            try
            {
                AdminPage page = AdminApiJson.ParsePage(bytes, bytes.Length);
                Assert.NotNull(page.Values);
            }
            catch (JsonException)
            {
                // The client maps this to MalformedResponse.
            }
        }), iter: 4000);
    }
}

public class PageParserEdgeTests
{
    [Theory]
    [InlineData("{\"value\":[{\"a\":1e400}]}")]
    [InlineData("{\"value\":[{\"a\":-1e400}]}")]
    [InlineData("{\"value\":[{\"a\":123456789012345678901234567890}]}")]
    [InlineData("{\"value\":[{\"a\":[[[[[[[[[[1]]]]]]]]]]}]}")]
    public void Numbers_and_nesting_beyond_range_do_not_escape_as_other_exceptions(string json)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(json);
        try
        {
            AdminPage page = AdminApiJson.ParsePage(bytes, bytes.Length);
            Assert.Single(page.Values);
        }
        catch (JsonException)
        {
        }
    }
}
