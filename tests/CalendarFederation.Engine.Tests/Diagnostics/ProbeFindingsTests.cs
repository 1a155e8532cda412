using System.Text;
using CalendarFederation.Engine.Availability;
using CalendarFederation.Engine.Diagnostics;
using CalendarFederation.Engine.Diagnostics.Checks;
using CalendarFederation.Engine.Federation;
using Xunit;
using static CalendarFederation.Engine.Tests.Diagnostics.DiagnosticsWorld;

namespace CalendarFederation.Engine.Tests.Diagnostics;

/// <summary>
/// The probe's answer read as Microsoft Graph defines availabilityView (issue 13): 4 is "working elsewhere", free/busy
/// that came back, not EWS's "no data".
/// </summary>
public class ProbeFindingsTests
{
    private static readonly string AllDayElsewhere = new('4', 48);

    [Fact]
    public void The_digits_read_as_Graph_defines_them()
    {
        Assert.Equal(new[]
        {
            SlotAvailability.Free, SlotAvailability.Tentative, SlotAvailability.Busy, SlotAvailability.OutOfOffice, SlotAvailability.WorkingElsewhere,
            SlotAvailability.Unknown, SlotAvailability.Unknown,
        }, ScheduleClient.ReadAvailabilityView("01234x5"));
        Assert.Empty(ScheduleClient.ReadAvailabilityView(null));
        Assert.Empty(ScheduleClient.ReadAvailabilityView(""));
    }

    [Fact]
    public void Parse_keeps_the_view_as_sent_and_reads_its_slots()
    {
        string json = Schedule("0024");
        ScheduleResult result = ScheduleClient.Parse(Encoding.UTF8.GetBytes(json), json.Length, "lee@fabrikam.com");
        Assert.Equal("0024", result.AvailabilityView);
        Assert.Equal(new[] { SlotAvailability.Free, SlotAvailability.Free, SlotAvailability.Busy, SlotAvailability.WorkingElsewhere }, result.Slots);
    }

    [Fact]
    public async Task A_calendar_working_elsewhere_all_day_is_visible_free_busy_not_a_blocking_FreeBusyNotVisible()
    {
        // What Graph sends for a day marked working elsewhere when the items are not itemised: every slot 4, no item.
        List<Finding> findings = await ProbeAsync(Schedule(AllDayElsewhere));

        Assert.DoesNotContain(CheckIds.FreeBusyNotVisible, Checks(findings));
        Assert.DoesNotContain(findings, f => f.Severity == FindingSeverity.Blocking);
        Finding visible = Assert.Single(findings, f => f.Check == CheckIds.FreeBusyVisibleAvailabilityOnly);
        Assert.Equal(FindingSeverity.Pass, visible.Severity);
        Assert.Equal("lee@fabrikam.com: 0 item(s) today, times and busy type only (AvailabilityOnly). The availability view shows 48 working elsewhere of 48 slots.",
            visible.Message);
        Assert.Contains(CheckIds.NoProblemsFound, Checks(findings));
    }

    [Fact]
    public async Task A_free_day_without_items_is_visible_and_says_so()
    {
        Finding visible = Assert.Single(await ProbeAsync(Schedule(new string('0', 48))), f => f.Check == CheckIds.FreeBusyVisibleAvailabilityOnly);
        Assert.EndsWith("The availability view shows all 48 slots free.", visible.Message);
    }

    [Fact]
    public async Task Mixed_states_are_counted_and_the_first_item_is_shown_when_there_is_one()
    {
        Finding visible = Assert.Single(await ProbeAsync(Schedule("0123", ("workingElsewhere", null))), f => f.Check == CheckIds.FreeBusyVisibleAvailabilityOnly);
        Assert.Equal("lee@fabrikam.com: 1 item(s) today, times and busy type only (AvailabilityOnly). First: 09:00-10:00 UTC workingElsewhere.", visible.Message);
        Assert.Equal("The availability view shows 1 busy, 1 tentative, 1 out of office of 4 slots.",
            ProbeChecks.Sample(ScheduleClient.Parse(Encoding.UTF8.GetBytes(Schedule("0123")), Schedule("0123").Length, "lee@fabrikam.com")));
    }

    [Fact]
    public async Task An_answer_with_neither_items_nor_a_readable_view_is_still_no_data()
    {
        foreach (string view in new[] { "", "xyz" })
        {
            Finding notVisible = Assert.Single(await ProbeAsync(Schedule(view)), f => f.Check == CheckIds.FreeBusyNotVisible);
            Assert.Equal(FindingSeverity.Blocking, notVisible.Severity);
            Assert.Equal("Asked for lee@fabrikam.com's free/busy: no data came back.", notVisible.Message);
        }
    }

    private static Task<List<Finding>> ProbeAsync(string answer)
    {
        TenantSnapshot local = Contoso(ContosoForFabrikam()), partner = Fabrikam(FabrikamForContoso());
        DiagnosticsContext context = Context(Request(local, partner, "lee@fabrikam.com", "alex@contoso.com"), local, partner);
        context.Provide(Rediscovery.Fact, Fresh("fabrikam.onmicrosoft.com"));
        context.Provide(ProbeChecks.CalendarPermission, "AvailabilityOnly");
        context.Provide(ProbeChecks.Probe, Probe(answer));
        return RunAsync(context);
    }
}
