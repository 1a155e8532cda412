using System.Text.RegularExpressions;
using CalendarFederation.Engine.Federation;
using CalendarFederation.Engine.Fleet;
using Xunit;

namespace CalendarFederation.Engine.Tests.Fleet;

/// <summary>
/// The federation map (docs/fleet.md §6): each health rule of FleetCellHealth from a plan built by hand, and the page:
/// every value encoded, nothing referenced from elsewhere, the legend's counts equal to the cells'.
/// </summary>
public sealed class FleetReportTests
{
    private static FleetPlan Pair(FederationMethod method = FederationMethod.Auto) => FleetReportWorld.Plan("contoso", "fabrikam").Both("contoso", "fabrikam", method);

    [Fact]
    public void A_pair_the_file_does_not_list_is_empty()
    {
        FleetPlan plan = FleetReportWorld.Plan("contoso", "fabrikam", "tailspin").Both("contoso", "fabrikam");
        Assert.Equal(FleetCellHealthKind.Empty, plan.Cell("contoso", "tailspin").Health);
        Assert.Equal(FleetCellHealthKind.Empty, plan.Cell("tailspin", "fabrikam").Health);
        Assert.Null(FleetReport.Build(new FleetReportInput(plan)).Cell("contoso", "contoso"));
    }

    [Fact]
    public void An_excluded_pair_is_empty_even_with_directions()
    {
        FleetPlan plan = Pair();
        plan.Definition.ExcludedPairs.Add(FleetNames.PairKey("contoso", "fabrikam"));
        Assert.Equal(FleetCellHealthKind.Empty, plan.Cell("contoso", "fabrikam").Health);
    }

    [Fact]
    public void A_cross_tenant_access_direction_with_nothing_to_do_works()
    {
        FleetPlan plan = Pair().Row("contoso", "fabrikam", FleetAction.Nothing).Row("fabrikam", "contoso", FleetAction.Nothing);
        FleetReportCell cell = plan.Cell("contoso", "fabrikam");
        Assert.Equal(FleetCellHealthKind.Works, cell.Health);
        Assert.Equal("AvailabilityOnly", cell.Level);
        Assert.Equal("CrossTenantAccess", cell.Method);
        Assert.Equal("AX", FleetReportHtml.Code(cell));
    }

    [Fact]
    public void An_organization_relationship_pair_works_until_2027()
    {
        FleetPlan plan = FleetReportWorld.Plan("contoso", "fabrikam").Both("contoso", "fabrikam", FederationMethod.OrganizationRelationship, "LimitedDetails")
            .Row("contoso", "fabrikam", FleetAction.Nothing, method: FederationMethod.OrganizationRelationship, type: FleetObjectType.OrganizationRelationship);
        FleetReportCell cell = plan.Cell("contoso", "fabrikam");
        Assert.Equal(FleetCellHealthKind.WorksUntil2027, cell.Health);
        Assert.Equal("OrganizationRelationship", cell.Method);
        Assert.Equal("LR", FleetReportHtml.Code(cell));
    }

    [Fact]
    public void An_enabled_relationship_still_to_cut_over_carries_a_granted_direction_until_2027()
    {
        FleetPlan plan = Pair().Relationship("contoso", "fabrikam")
            .Row("contoso", "fabrikam", FleetAction.Nothing)
            .Row("contoso", "fabrikam", FleetAction.Disable, FleetOrder.CutOver, type: FleetObjectType.OrganizationRelationship, reason: "legacy wins while enabled.");
        FleetReportCell cell = plan.Cell("contoso", "fabrikam");
        Assert.Equal(FleetCellHealthKind.WorksUntil2027, cell.Health);
        Assert.Equal("OrganizationRelationship", cell.Method);
        Assert.Contains(cell.Reasons, r => r.Contains("legacy wins while enabled."));
    }

    [Fact]
    public void A_legacy_relationship_on_the_other_side_hides_the_grant_and_breaks_a_direction_whose_own_side_shares_nothing()
    {
        // fabrikam's enabled relationship wins for both directions; contoso has none that shares with fabrikam.
        FleetPlan plan = Pair().Relationship("fabrikam", "contoso")
            .Row("contoso", "fabrikam", FleetAction.Nothing)
            .Row("fabrikam", "contoso", FleetAction.Disable, FleetOrder.CutOver, type: FleetObjectType.OrganizationRelationship);
        Assert.Equal(FleetCellHealthKind.Broken, plan.Cell("contoso", "fabrikam").Health);
        Assert.Equal(FleetCellHealthKind.WorksUntil2027, plan.Cell("fabrikam", "contoso").Health);
    }

    [Theory]
    [InlineData(FleetAction.Create)]
    [InlineData(FleetAction.Update)]
    public void A_direction_with_a_change_still_to_apply_is_broken(FleetAction action)
    {
        FleetPlan plan = Pair().Row("contoso", "fabrikam", action, reason: "the tenant grants nothing.").Row("fabrikam", "contoso", FleetAction.Nothing);
        FleetReportCell cell = plan.Cell("contoso", "fabrikam");
        Assert.Equal(FleetCellHealthKind.Broken, cell.Health);
        Assert.Contains(cell.Reasons, r => r.StartsWith("contoso: " + action, StringComparison.Ordinal) && r.EndsWith("the tenant grants nothing.", StringComparison.Ordinal));
        Assert.Equal(FleetCellHealthKind.Works, plan.Cell("fabrikam", "contoso").Health);
    }

    [Theory]
    [InlineData("contoso")]
    [InlineData("fabrikam")]
    public void The_legacy_path_is_broken_when_EWS_is_off_in_either_tenant(string ewsOff)
    {
        FleetPlan plan = Pair(FederationMethod.OrganizationRelationship);
        plan.States[ewsOff].EwsEnabled = false;
        FleetReportCell cell = plan.Cell("contoso", "fabrikam");
        Assert.Equal(FleetCellHealthKind.Broken, cell.Health);
        Assert.Contains(cell.Reasons, r => r.Contains("EWS is off in " + ewsOff));
    }

    [Fact]
    public void The_legacy_path_is_broken_from_2027_04_01()
    {
        FleetPlan plan = Pair(FederationMethod.OrganizationRelationship);
        plan.ReadAt = new DateTimeOffset(2027, 4, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(FleetCellHealthKind.Broken, plan.Cell("contoso", "fabrikam").Health);
        plan.ReadAt = plan.ReadAt.AddSeconds(-1);
        Assert.Equal(FleetCellHealthKind.WorksUntil2027, plan.Cell("contoso", "fabrikam").Health);
    }

    [Fact]
    public void The_reverse_of_a_one_way_pair_is_one_way_and_lists_what_would_be_taken_away()
    {
        FleetPlan plan = FleetReportWorld.Plan("contoso", "tailspin").OneWay("contoso", "tailspin")
            .Row("tailspin", "contoso", FleetAction.Remove, FleetOrder.Cleanup, reason: "not shared by the file.");
        FleetReportCell reverse = plan.Cell("tailspin", "contoso");
        Assert.Equal(FleetCellHealthKind.OneWay, reverse.Health);
        Assert.Null(reverse.Level);
        Assert.Contains(reverse.Reasons, r => r.Contains("not shared by the file."));
        Assert.Equal(FleetCellHealthKind.Works, plan.Cell("contoso", "tailspin").Health);
    }

    [Fact]
    public void An_unreadable_tenant_makes_both_directions_unknown_never_empty_or_broken()
    {
        FleetPlan plan = Pair().Unreadable("fabrikam").Row("contoso", "fabrikam", FleetAction.Unknown, reason: "fabrikam could not be read.");
        foreach ((string from, string to) in new[] { ("contoso", "fabrikam"), ("fabrikam", "contoso") })
        {
            FleetReportCell cell = plan.Cell(from, to);
            Assert.Equal(FleetCellHealthKind.Unknown, cell.Health);
            Assert.Contains(cell.Reasons, r => r.Contains("fabrikam could not be read (AccessDenied)"));
        }
    }

    [Fact]
    public void A_tenant_without_a_state_and_an_unknown_row_are_unknown()
    {
        FleetPlan missing = Pair();
        missing.States.Remove("fabrikam");
        Assert.Equal(FleetCellHealthKind.Unknown, missing.Cell("contoso", "fabrikam").Health);
        Assert.Contains("fabrikam was not read.", missing.Cell("contoso", "fabrikam").Reasons);

        FleetPlan unknownRow = Pair().Row("contoso", "fabrikam", FleetAction.Unknown, reason: "tenant id not known.");
        Assert.Equal(FleetCellHealthKind.Unknown, unknownRow.Cell("contoso", "fabrikam").Health);
    }

    [Fact]
    public void Findings_are_kept_for_broken_cells_only()
    {
        FleetPlan plan = Pair().Row("contoso", "fabrikam", FleetAction.Create);
        var input = new FleetReportInput(plan);
        input.AddFindings("contoso", "fabrikam", new[] { "TargetApplicationUriMismatch: the partner's ApplicationUri differs." });
        input.AddFindings("fabrikam", "contoso", new[] { "ignored on a cell that works" });
        FleetReportMatrix m = FleetReport.Build(input);
        Assert.Equal(new[] { "TargetApplicationUriMismatch: the partner's ApplicationUri differs." }, m.Cell("contoso", "fabrikam")!.Findings);
        Assert.Empty(m.Cell("fabrikam", "contoso")!.Findings);
        string html = FleetReportHtml.Write(m);
        Assert.Contains("<li>TargetApplicationUriMismatch: the partner&#39;s ApplicationUri differs.</li>", html);
        Assert.DoesNotContain("ignored on a cell that works", html);
    }

    [Fact]
    public void Hostile_names_and_texts_are_encoded_everywhere()
    {
        const string Evil = "<script>alert(\"x\")</script>";
        const string Quote = "o'brien\" onmouseover=\"alert(1)";
        FleetPlan plan = FleetReportWorld.Plan(Evil, Quote).Both(Evil, Quote).Row(Evil, Quote, FleetAction.Create, reason: "<img src=x onerror=alert(2)>");
        var input = new FleetReportInput(plan);
        input.AddFindings(Evil, Quote, new[] { "</li></ul><script>alert(3)</script>" });
        input.AddReadiness(Quote, new[] { new FleetReportReadiness { Identity = "<b>rel</b>", Verdict = "BrokenNow", NextStep = "Set-X -Name 'a\"b'" } });
        string html = FleetReport.ToHtml(input);

        Assert.Single(Regex.Matches(html, "<script", RegexOptions.IgnoreCase)); // the page's own, nothing injected
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("<b>rel", html);
        Assert.DoesNotContain(" onmouseover=\"", html);
        Assert.Contains("data-from=\"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;\"", html);
        Assert.Contains("data-to=\"o&#39;brien&quot; onmouseover=&quot;alert(1)\"", html);
        Assert.Contains("&lt;img src=x onerror=alert(2)&gt;", html);
        Assert.Contains("&lt;/li&gt;&lt;/ul&gt;&lt;script&gt;alert(3)&lt;/script&gt;", html);
    }

    [Fact]
    public void The_page_references_nothing_outside_itself()
    {
        FleetPlan plan = Pair().Row("contoso", "fabrikam", FleetAction.Create, reason: "see https://autodiscover.fabrikam.com/autodiscover/autodiscover.svc");
        var input = new FleetReportInput(plan);
        input.AddFindings("contoso", "fabrikam", new[] { "http://fabrikam.example/ answered 404" });
        string html = FleetReport.ToHtml(input);

        // Text may quote a URL (a finding's endpoint); markup, style and script may not hold one.
        Assert.Contains("https://autodiscover.fabrikam.com", html);
        string markup = string.Concat(Regex.Matches(html, "<[^>]*>").Select(x => x.Value))
            + string.Concat(Regex.Matches(html, "<(script|style)>(.*?)</\\1>", RegexOptions.Singleline).Select(x => x.Groups[2].Value));
        Assert.DoesNotMatch("(?i)https?:|//[a-z0-9]|\\bsrc=|@import|url\\(", markup);
        Assert.Contains("default-src 'none'", html);
    }

    [Fact]
    public void The_legend_counts_every_off_diagonal_cell_by_health()
    {
        FleetPlan plan = FleetReportWorld.Plan("a", "b", "c", "d").Both("a", "b").OneWay("a", "c").Both("b", "d", FederationMethod.OrganizationRelationship)
            .Both("c", "d").Unreadable("d").Row("b", "a", FleetAction.Create);
        FleetReportMatrix m = FleetReport.Build(new FleetReportInput(plan));
        IReadOnlyDictionary<FleetCellHealthKind, int> counts = m.Counts();
        Assert.Equal(12, counts.Values.Sum());
        Assert.Equal(2, counts[FleetCellHealthKind.Works]);          // a->b, a->c
        Assert.Equal(1, counts[FleetCellHealthKind.OneWay]);         // c->a
        Assert.Equal(1, counts[FleetCellHealthKind.Broken]);         // b->a
        Assert.Equal(4, counts[FleetCellHealthKind.Unknown]);        // b<->d, c<->d
        Assert.Equal(4, counts[FleetCellHealthKind.Empty]);          // a<->d, b<->c
        Assert.Equal(0, counts[FleetCellHealthKind.WorksUntil2027]);

        string html = FleetReportHtml.Write(m);
        Assert.Equal(12, Regex.Matches(html, "<td [^>]*data-health=").Count);
        foreach (KeyValuePair<FleetCellHealthKind, int> c in counts)
        {
            Assert.Equal(c.Value, Regex.Matches(html, $"<td [^>]*data-health=\"{c.Key}\"").Count);
            Assert.Contains($"<b data-count=\"{c.Key}\">{c.Value}</b>", html);
        }
    }

    [Fact]
    public void Readiness_appears_per_tenant_when_given_and_not_at_all_otherwise()
    {
        FleetPlan plan = Pair();
        Assert.DoesNotContain("id=\"readiness\"", FleetReport.ToHtml(new FleetReportInput(plan)));

        var input = new FleetReportInput(plan);
        input.AddReadiness("fabrikam", new[] { new FleetReportReadiness { Identity = "Contoso", Partner = "contoso.com", Verdict = "ReadyToCutOver", Deadline = new DateTime(2027, 4, 1), NextStep = "Convert-OrganizationRelationship" } });
        string html = FleetReport.ToHtml(input);
        Assert.Contains("<tr data-tenant=\"fabrikam\" data-verdict=\"ReadyToCutOver\"><td>fabrikam</td><td>Contoso</td><td>contoso.com</td><td>ReadyToCutOver</td><td>2027-04-01</td>", html);
    }
}
