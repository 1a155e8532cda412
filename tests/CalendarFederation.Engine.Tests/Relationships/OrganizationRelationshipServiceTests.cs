using System.Text.Json.Nodes;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Relationships;
using Xunit;
using static CalendarFederation.Engine.Tests.Relationships.Fakes;

using CalendarFederation.Engine.Tests.Support;

namespace CalendarFederation.Engine.Tests.Relationships;

/// <summary>
/// What OrganizationRelationshipService sends to the admin API, byte for byte: the CmdletInput of every create,
/// update and remove, for every parameter, the 238-domain chunks, and its recovery paths.
/// </summary>
public sealed class OrganizationRelationshipServiceTests : IDisposable
{
    private const string GetAll = "{\"CmdletInput\":{\"CmdletName\":\"Get-OrganizationRelationship\",\"Parameters\":{}}}";
    private const string Ht = "\"@odata.type\":\"#Exchange.GenericHashTable\"";
    // Every write says the admin already confirmed (Confirm:false); a Set- that changes Enabled adds Force:true.
    private const string NoPrompt = ",\"Confirm\":false";
    private const string ForceNoPrompt = ",\"Force\":true,\"Confirm\":false";

    private readonly ScriptedExchange _exchange = new();
    private readonly AdminApiClient _client;
    private readonly OrganizationRelationshipService _service;
    private readonly RecordingEvents _events = new();

    public OrganizationRelationshipServiceTests()
    {
        _client = Client(_exchange);
        _service = new OrganizationRelationshipService(_client, _events);
    }

    public void Dispose() => _client.Dispose();

    private static string GetOne(string identity) =>
        "{\"CmdletInput\":{\"CmdletName\":\"Get-OrganizationRelationship\",\"Parameters\":{\"Identity\":\"" + identity + "\"}}}";

    private static string AddChunk(string identity, string[] domains) =>
        "{\"CmdletInput\":{\"CmdletName\":\"Set-OrganizationRelationship\",\"Parameters\":{\"Identity\":\"" + identity + "\",\"DomainNames\":{" + Ht + ",\"Add\":" + Json(domains) + "}" + NoPrompt + "}}}";

    /// <summary>Every setting, as the cmdlets pass them (RelationshipSettings.FromBound): Exchange's names and order, enums and URIs as text.</summary>
    private static readonly KeyValuePair<string, object?>[] EverySetting =
    {
        P("Enabled", false),
        P("FreeBusyAccessEnabled", true),
        P("FreeBusyAccessLevel", "LimitedDetails"),
        P("FreeBusyAccessScope", "CalendarSharing"),
        P("MailTipsAccessEnabled", true),
        P("MailTipsAccessLevel", "Limited"),
        P("MailTipsAccessScope", "AllStaff"),
        P("DeliveryReportEnabled", true),
        P("ArchiveAccessEnabled", true),
        P("PhotosEnabled", true),
        P("MailboxMoveEnabled", true),
        P("MailboxMoveCapability", "RemoteInbound"),
        P("MailboxMovePublishedScopes", new[] { "CalendarSharing", "AllStaff" }),
        P("OAuthApplicationId", "a0a5e000-0000-4000-8000-0000000000aa"),
        P("OrganizationContact", "admin@contoso.com"),
        P("TargetApplicationUri", "outlook.com"),
        P("TargetAutodiscoverEpr", "https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity"),
        P("TargetOwaURL", "https://outlook.office.com/mail"),
        P("TargetSharingEpr", "https://outlook.office365.com/EWS/Exchange.asmx"),
    };

    private const string EverySettingJson =
        "\"Enabled\":false,\"FreeBusyAccessEnabled\":true,\"FreeBusyAccessLevel\":\"LimitedDetails\",\"FreeBusyAccessScope\":\"CalendarSharing\"," +
        "\"MailTipsAccessEnabled\":true,\"MailTipsAccessLevel\":\"Limited\",\"MailTipsAccessScope\":\"AllStaff\"," +
        "\"DeliveryReportEnabled\":true,\"ArchiveAccessEnabled\":true,\"PhotosEnabled\":true," +
        "\"MailboxMoveEnabled\":true,\"MailboxMoveCapability\":\"RemoteInbound\",\"MailboxMovePublishedScopes\":[\"CalendarSharing\",\"AllStaff\"]," +
        "\"OAuthApplicationId\":\"a0a5e000-0000-4000-8000-0000000000aa\",\"OrganizationContact\":\"admin@contoso.com\"," +
        "\"TargetApplicationUri\":\"outlook.com\",\"TargetAutodiscoverEpr\":\"https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity\"," +
        "\"TargetOwaURL\":\"https://outlook.office.com/mail\",\"TargetSharingEpr\":\"https://outlook.office365.com/EWS/Exchange.asmx\"";

    private Task<AdminObject> Create(string name, IReadOnlyList<string> domains, IReadOnlyList<KeyValuePair<string, object?>>? settings = null) =>
        _service.CreateAsync(name, domains, settings ?? Array.Empty<KeyValuePair<string, object?>>(), CancellationToken.None);

    private Task<AdminObject> Update(string identity, IReadOnlyList<KeyValuePair<string, object?>>? settings = null,
        IReadOnlyList<string>? replace = null, IReadOnlyList<string>? add = null, IReadOnlyList<string>? remove = null) =>
        _service.UpdateAsync(identity, settings ?? Array.Empty<KeyValuePair<string, object?>>(), replace, add, remove, CancellationToken.None);

    private string[] Bodies => _exchange.Sent.Select(s => s.Body).ToArray();

    // ------------------------------------------------------------------ CreateAsync

    [Fact]
    public async Task Create_sends_every_setting_in_exchanges_names_and_order()
    {
        string created = Relationship("Fabrikam", "fabrikam.com", "fabrikam.onmicrosoft.com");
        _exchange.Ok().Ok(created);

        AdminObject result = await Create("Fabrikam", new[] { "fabrikam.com", "fabrikam.onmicrosoft.com" }, EverySetting);

        // New- answers with the created object, so nothing is read back.
        Assert.Equal(new[]
        {
            GetAll,
            "{\"CmdletInput\":{\"CmdletName\":\"New-OrganizationRelationship\",\"Parameters\":{\"Name\":\"Fabrikam\",\"DomainNames\":[\"fabrikam.com\",\"fabrikam.onmicrosoft.com\"]," + EverySettingJson + NoPrompt + "}}}",
        }, Bodies);
        Assert.Equal("Fabrikam", result.GetString("Name"));
        Assert.Equal(0, _exchange.Remaining);
    }

    [Fact]
    public async Task Create_with_only_a_name_and_domains_sends_nothing_else()
    {
        _exchange.Ok().Ok(Relationship("Fabrikam", "fabrikam.com")).Ok(Relationship("Fabrikam", "fabrikam.com"));
        await Create("Fabrikam", new[] { "fabrikam.com" });
        Assert.Equal("{\"CmdletInput\":{\"CmdletName\":\"New-OrganizationRelationship\",\"Parameters\":{\"Name\":\"Fabrikam\",\"DomainNames\":[\"fabrikam.com\"]" + NoPrompt + "}}}", Bodies[1]);
    }

    [Fact]
    public async Task Create_sends_null_for_a_setting_given_as_null()
    {
        _exchange.Ok().Ok(Relationship("Fabrikam", "fabrikam.com")).Ok(Relationship("Fabrikam", "fabrikam.com"));
        await Create("Fabrikam", new[] { "fabrikam.com" }, new[] { P("FreeBusyAccessScope", null) });
        Assert.Equal("{\"CmdletInput\":{\"CmdletName\":\"New-OrganizationRelationship\",\"Parameters\":{\"Name\":\"Fabrikam\",\"DomainNames\":[\"fabrikam.com\"],\"FreeBusyAccessScope\":null" + NoPrompt + "}}}", Bodies[1]);
    }

    [Fact]
    public async Task Create_with_exactly_238_domains_sends_one_request()
    {
        string[] domains = Domains(238, "cap.example");
        _exchange.Ok().Ok(Relationship("Cap", domains));
        await Create("Cap", domains);
        Assert.Equal(new[] { "Get-OrganizationRelationship", "New-OrganizationRelationship" }, _exchange.Sent.Select(s => s.CmdletName));
        Assert.Equal(domains, _exchange.Sent[1].Strings("DomainNames"));
    }

    [Fact]
    public async Task Create_with_239_domains_adds_the_last_one_with_set()
    {
        string[] domains = Domains(239, "cap.example");
        _exchange.Ok().Ok(Relationship("Cap", domains.Take(238))).NoContent().Ok(Relationship("Cap", domains));
        await Create("Cap", domains);
        Assert.Equal(domains.Take(238), _exchange.Sent[1].Strings("DomainNames"));
        Assert.Equal(AddChunk("Cap", new[] { "d239.cap.example" }), Bodies[2]);
    }

    [Fact]
    public async Task Create_with_600_domains_sends_238_then_adds_238_and_124()
    {
        string[] domains = Domains(600, "partner600.example");
        _exchange.Ok().Ok(Relationship("Partner600", domains.Take(238))).NoContent().NoContent().Ok(Relationship("Partner600", domains));

        AdminObject result = await Create("Partner600", domains, new[] { P("FreeBusyAccessEnabled", true), P("FreeBusyAccessLevel", "AvailabilityOnly") });

        Assert.Equal(5, _exchange.Sent.Count);
        Assert.Equal(GetAll, Bodies[0]);
        Assert.Equal("{\"CmdletInput\":{\"CmdletName\":\"New-OrganizationRelationship\",\"Parameters\":{\"Name\":\"Partner600\",\"DomainNames\":" + Json(domains[..238])
            + ",\"FreeBusyAccessEnabled\":true,\"FreeBusyAccessLevel\":\"AvailabilityOnly\"" + NoPrompt + "}}}", Bodies[1]);
        // The settings go with New- only; each Set- adds the next chunk with Exchange's add syntax.
        Assert.Equal(AddChunk("Partner600", domains[238..476]), Bodies[2]);
        Assert.Equal(AddChunk("Partner600", domains[476..]), Bodies[3]);
        Assert.Equal(GetOne("Partner600"), Bodies[4]);
        Assert.All(_exchange.Sent, s => Assert.True(s.DomainCount() <= RelationshipRules.MaxDomainsPerRequest, s.CmdletName + " names " + s.DomainCount()));

        string[] sent = _exchange.Sent[1].Strings("DomainNames").Concat(_exchange.Sent[2].Change("Add")).Concat(_exchange.Sent[3].Change("Add")).ToArray();
        Assert.Equal(domains, sent);
        Assert.Equal(600, result.GetStrings("DomainNames").Length);
        Assert.Equal(new[]
        {
            "Creating 'Partner600' with 238 of 600 domains.",
            "Adding domains 239-476 of 600 to 'Partner600'.",
            "Adding domains 477-600 of 600 to 'Partner600'.",
        }, _events.ProgressUpdates.Where(p => p.Lane == ProgressLanes.Step).Select(p => p.Status));
    }

    [Theory]
    [InlineData("Fabrikam")]
    [InlineData("FABRIKAM")]
    public async Task Create_refuses_a_taken_name_before_writing(string name)
    {
        _exchange.Ok(Relationship("Fabrikam", "fabrikam.com"));
        var ex = await Assert.ThrowsAsync<AdminApiException>(() => Create(name, new[] { "other.example" }));
        Assert.Equal(AdminApiErrorKind.AlreadyExists, ex.Failure);
        Assert.Contains($"'{name}' already exists", ex.Message);
        Assert.Equal(new[] { GetAll }, Bodies);
    }

    [Fact]
    public async Task Create_refuses_a_domain_another_relationship_holds_before_writing()
    {
        _exchange.Ok(Relationship("Other", "a.example"), Relationship("Fabrikam EU", "Fabrikam.COM", "fabrikam.de"));
        var ex = await Assert.ThrowsAsync<AdminApiException>(() => Create("Fabrikam", new[] { "new.example", "fabrikam.com" }));
        Assert.Equal(AdminApiErrorKind.DomainInUse, ex.Failure);
        Assert.StartsWith("The domains Fabrikam.COM already exist in another organization relationship. Domains can only exist in one organization relationship. " +
            "To create an organization relationship with this domain, remove the domain from the other organization relationship.", ex.Message);
        Assert.Contains("'Fabrikam EU'", ex.Message);
        Assert.Equal(new[] { GetAll }, Bodies);
    }

    [Fact]
    public async Task Create_recognises_its_own_earlier_attempt_when_the_name_is_taken()
    {
        string mine = Relationship("Fabrikam", "FABRIKAM.com", "fabrikam.onmicrosoft.com");
        _exchange.Ok().Fail(NameTaken("Fabrikam")).Ok(mine).Ok(mine);

        AdminObject result = await Create("Fabrikam", new[] { "fabrikam.com", "fabrikam.onmicrosoft.com" });

        Assert.Equal(new[] { "Get-OrganizationRelationship", "New-OrganizationRelationship", "Get-OrganizationRelationship", "Get-OrganizationRelationship" },
            _exchange.Sent.Select(s => s.CmdletName));
        Assert.Equal(GetOne("Fabrikam"), Bodies[2]);
        Assert.Equal("Fabrikam", result.GetString("Name"));
        Assert.Contains(_events.VerboseLines, p => p.Contains("not created twice", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Create_whose_answer_was_lost_retries_and_reads_back_when_the_name_is_taken()
    {
        // 504: the service applied the create but the answer never came; the retry meets the name.
        string mine = Relationship("Fabrikam", "fabrikam.com");
        _exchange.Ok().Answer(504, "").Fail(NameTaken("Fabrikam")).Ok(mine).Ok(mine);

        AdminObject result = await Create("Fabrikam", new[] { "fabrikam.com" });

        SentCommand[] creates = _exchange.Sent.Where(s => s.CmdletName == "New-OrganizationRelationship").ToArray();
        Assert.Equal(2, creates.Length);
        Assert.Equal(creates[0].Body, creates[1].Body);
        Assert.Equal("Fabrikam", result.GetString("Name"));
        Assert.Equal(0, _exchange.Remaining);
    }

    [Fact]
    public async Task Create_rethrows_a_taken_name_whose_relationship_has_other_domains()
    {
        _exchange.Ok().Fail(NameTaken("Fabrikam")).Ok(Relationship("Fabrikam", "someone-else.example"));
        var ex = await Assert.ThrowsAsync<AdminApiException>(() => Create("Fabrikam", new[] { "fabrikam.com" }));
        Assert.Equal(AdminApiErrorKind.AlreadyExists, ex.Failure);
        Assert.Equal("Ex9B5D12", ex.ServiceErrorId);
        Assert.Equal(3, _exchange.Sent.Count);
    }

    [Fact]
    public async Task Create_whose_answer_was_lost_recognises_its_own_domains_on_retry()
    {
        string mine = Relationship("Fabrikam", "fabrikam.com");
        _exchange.Ok().Answer(504, "").Fail(DomainsTaken("fabrikam.com")).Ok(mine).Ok(mine).Ok(mine);

        AdminObject result = await Create("Fabrikam", new[] { "fabrikam.com" });

        Assert.Equal("Fabrikam", result.GetString("Name"));
    }

    [Fact]
    public async Task Create_reports_a_partial_change_when_a_later_chunk_fails()
    {
        string[] domains = Domains(600, "partner600.example");
        _exchange.Ok().Ok(Relationship("Partner600", domains.Take(238))).NoContent()
            .Fail(new CalendarFederation.Sandbox.AdminApi.ExchangeErrorException("InternalError", "System.Exception", "The directory is busy.", 500))
            .Ok(Relationship("Partner600", domains.Take(476)));

        var ex = await Assert.ThrowsAsync<PartialChangeException>(() => Create("Partner600", domains));

        Assert.NotNull(ex.Current);
        Assert.Equal(476, ex.Current!.GetStrings("DomainNames").Length);
        Assert.Contains("now has 476 of 600 domains", ex.Message);
        Assert.Contains("The directory is busy.", ex.Message);
        Assert.IsType<AdminApiException>(ex.InnerException);
        Assert.Equal(new[] { "Get-OrganizationRelationship", "New-OrganizationRelationship", "Set-OrganizationRelationship", "Set-OrganizationRelationship", "Get-OrganizationRelationship" },
            _exchange.Sent.Select(s => s.CmdletName));
        Assert.Equal(GetOne("Partner600"), Bodies[4]);
    }

    [Fact]
    public async Task Create_reports_a_partial_change_without_an_object_when_it_cannot_be_read_back()
    {
        string[] domains = Domains(300, "p.example");
        _exchange.Ok().Ok(Relationship("P", domains.Take(238)))
            .Fail(new CalendarFederation.Sandbox.AdminApi.ExchangeErrorException("InternalError", "System.Exception", "boom", 500))
            .Fail(new CalendarFederation.Sandbox.AdminApi.ExchangeErrorException("InternalError", "System.Exception", "boom", 500));
        var ex = await Assert.ThrowsAsync<PartialChangeException>(() => Create("P", domains));
        Assert.Null(ex.Current);
        Assert.Contains("now has 0 of 300 domains", ex.Message);
    }

    [Fact]
    public async Task Create_collects_the_services_warnings()
    {
        _exchange.Ok().Answer(200, "{\"@adminapi.warnings\":[\"Something to know.\"],\"value\":[" + Relationship("F", "f.example") + "]}").Ok(Relationship("F", "f.example"));
        await Create("F", new[] { "f.example" });
        Assert.Equal(new[] { "Something to know." }, _events.Warnings);
    }

    // ------------------------------------------------------------------ UpdateAsync

    [Fact]
    public async Task Update_adds_domains_with_the_generic_hashtable()
    {
        _exchange.Ok(Relationship("Fabrikam", "fabrikam.com")).NoContent().Ok(Relationship("Fabrikam", "fabrikam.com", "new.example"));
        AdminObject result = await Update("Fabrikam", add: new[] { "new.example" });
        Assert.Equal(new[]
        {
            GetAll,
            "{\"CmdletInput\":{\"CmdletName\":\"Set-OrganizationRelationship\",\"Parameters\":{\"Identity\":\"Fabrikam\",\"DomainNames\":{" + Ht + ",\"Add\":[\"new.example\"]}" + NoPrompt + "}}}",
            GetOne("Fabrikam"),
        }, Bodies);
        Assert.Equal(new[] { "fabrikam.com", "new.example" }, result.GetStrings("DomainNames"));
    }

    [Fact]
    public async Task Update_removes_domains_with_the_generic_hashtable()
    {
        _exchange.Ok(Relationship("Fabrikam", "fabrikam.com", "old.example")).NoContent().Ok(Relationship("Fabrikam", "fabrikam.com"));
        await Update("Fabrikam", remove: new[] { "old.example" });
        Assert.Equal("{\"CmdletInput\":{\"CmdletName\":\"Set-OrganizationRelationship\",\"Parameters\":{\"Identity\":\"Fabrikam\",\"DomainNames\":{" + Ht + ",\"Remove\":[\"old.example\"]}" + NoPrompt + "}}}", Bodies[1]);
    }

    [Fact]
    public async Task Update_adds_and_removes_in_one_hashtable()
    {
        _exchange.Ok(Relationship("Fabrikam", "fabrikam.com", "old.example")).NoContent().Ok(Relationship("Fabrikam", "fabrikam.com", "new.example"));
        await Update("Fabrikam", add: new[] { "new.example", "new2.example" }, remove: new[] { "old.example" });

        SentCommand set = _exchange.Sent[1];
        Assert.Equal("Set-OrganizationRelationship", set.CmdletName);
        Assert.Equal(new[] { "Identity", "DomainNames", "Confirm" }, set.Parameters.Select(p => p.Key));
        JsonObject change = set.Parameters["DomainNames"]!.AsObject();
        // Hashtable order is not fixed: the annotation first, then Add and Remove in either order.
        Assert.Equal("@odata.type", change.First().Key);
        Assert.Equal("#Exchange.GenericHashTable", (string)change["@odata.type"]!);
        Assert.Equal(new[] { "@odata.type", "Add", "Remove" }, change.Select(p => p.Key).OrderBy(k => k, StringComparer.Ordinal));
        Assert.Equal(new[] { "new.example", "new2.example" }, set.Change("Add"));
        Assert.Equal(new[] { "old.example" }, set.Change("Remove"));
    }

    [Fact]
    public async Task Update_replaces_the_domains_with_a_plain_list()
    {
        _exchange.Ok(Relationship("Fabrikam", "fabrikam.com")).NoContent().Ok(Relationship("Fabrikam", "a.example", "b.example"));
        await Update("Fabrikam", replace: new[] { "a.example", "b.example" });
        Assert.Equal("{\"CmdletInput\":{\"CmdletName\":\"Set-OrganizationRelationship\",\"Parameters\":{\"Identity\":\"Fabrikam\",\"DomainNames\":[\"a.example\",\"b.example\"]" + NoPrompt + "}}}", Bodies[1]);
    }

    [Fact]
    public async Task Update_replaces_more_than_238_domains_in_chunks()
    {
        string[] domains = Domains(300, "r.example");
        _exchange.Ok(Relationship("R", "old.example")).NoContent().NoContent().Ok(Relationship("R", domains));
        await Update("R", replace: domains);
        Assert.Equal("{\"CmdletInput\":{\"CmdletName\":\"Set-OrganizationRelationship\",\"Parameters\":{\"Identity\":\"R\",\"DomainNames\":" + Json(domains[..238]) + NoPrompt + "}}}", Bodies[1]);
        Assert.Equal(AddChunk("R", domains[238..]), Bodies[2]);
        Assert.Equal(GetOne("R"), Bodies[3]);
    }

    [Fact]
    public async Task Update_adds_more_than_238_domains_in_chunks_with_the_settings_in_the_first()
    {
        string[] domains = Domains(500, "a.example");
        _exchange.Ok(Relationship("A", "a.example")).NoContent().NoContent().NoContent().Ok(Relationship("A", domains));
        await Update("A", new[] { P("PhotosEnabled", true) }, add: domains);
        Assert.Equal("{\"CmdletInput\":{\"CmdletName\":\"Set-OrganizationRelationship\",\"Parameters\":{\"Identity\":\"A\",\"DomainNames\":{" + Ht + ",\"Add\":" + Json(domains[..238])
            + "},\"PhotosEnabled\":true" + NoPrompt + "}}}", Bodies[1]);
        Assert.Equal(AddChunk("A", domains[238..476]), Bodies[2]);
        Assert.Equal(AddChunk("A", domains[476..]), Bodies[3]);
    }

    [Fact]
    public async Task Update_sends_every_setting_and_null_to_clear_by_the_relationships_name()
    {
        var guid = Guid.Parse("0538b063-05a9-453c-b087-ff94279307af");
        _exchange.Ok(Relationship("Other", "o.example"), Relationship("Fabrikam", new[] { "fabrikam.com" }, guid)).NoContent().Ok(Relationship("Fabrikam", new[] { "fabrikam.com" }, guid));
        // What Set-OrganizationRelationship passes: -Name first, then the settings; $null clears a scope.
        var settings = new[] { P("Name", "Fabrikam") }
            .Concat(EverySetting.Select(s => s.Key == "FreeBusyAccessScope" ? P(s.Key, null) : s))
            .ToList();

        await Update(guid.ToString().ToUpperInvariant(), settings);

        Assert.Equal("{\"CmdletInput\":{\"CmdletName\":\"Set-OrganizationRelationship\",\"Parameters\":{\"Identity\":\"Fabrikam\",\"Name\":\"Fabrikam\","
            + EverySettingJson.Replace("\"FreeBusyAccessScope\":\"CalendarSharing\"", "\"FreeBusyAccessScope\":null", StringComparison.Ordinal) + ForceNoPrompt + "}}}", Bodies[1]);
        Assert.Equal(GetOne("Fabrikam"), Bodies[2]);
    }

    [Fact]
    public async Task Update_with_nothing_to_change_sends_no_set()
    {
        _exchange.Ok(Relationship("Fabrikam", "fabrikam.com")).Ok(Relationship("Fabrikam", "fabrikam.com"));
        await Update("Fabrikam");
        Assert.Equal(new[] { GetAll, GetOne("Fabrikam") }, Bodies);
    }

    [Fact]
    public async Task Update_of_settings_with_the_relationship_already_read_does_not_read_the_whole_list()
    {
        AdminObject current = Object(Relationship("Fabrikam", "fabrikam.com"));
        _exchange.NoContent().Ok(Relationship("Fabrikam", "fabrikam.com"));

        await _service.UpdateAsync("Fabrikam", new[] { P("FreeBusyAccessEnabled", true) }, null, null, null, CancellationToken.None, current);

        Assert.Equal(new[]
        {
            "{\"CmdletInput\":{\"CmdletName\":\"Set-OrganizationRelationship\",\"Parameters\":{\"Identity\":\"Fabrikam\",\"FreeBusyAccessEnabled\":true" + NoPrompt + "}}}",
            GetOne("Fabrikam"),
        }, Bodies);
    }

    [Fact]
    public async Task Update_adding_domains_reads_the_whole_list_even_with_the_relationship_already_read()
    {
        // The conflict check needs every other relationship, whatever the caller read.
        AdminObject current = Object(Relationship("Fabrikam", "fabrikam.com"));
        _exchange.Ok(Relationship("Fabrikam", "fabrikam.com"), Relationship("Litware", "litware.com"));
        var ex = await Assert.ThrowsAsync<AdminApiException>(() =>
            _service.UpdateAsync("Fabrikam", Array.Empty<KeyValuePair<string, object?>>(), null, new[] { "litware.com" }, null, CancellationToken.None, current));
        Assert.Equal(AdminApiErrorKind.DomainInUse, ex.Failure);
        Assert.Equal(new[] { GetAll }, Bodies);
        Assert.Empty(_exchange.Writes);
    }

    [Fact]
    public async Task Update_of_an_unknown_relationship_is_not_found_and_writes_nothing()
    {
        _exchange.Ok(Relationship("Fabrikam", "fabrikam.com"));
        var ex = await Assert.ThrowsAsync<AdminApiException>(() => Update("Nope", new[] { P("Enabled", false) }));
        Assert.Equal(AdminApiErrorKind.NotFound, ex.Failure);
        Assert.Empty(_exchange.Writes);
    }

    [Fact]
    public async Task Update_refuses_a_domain_another_relationship_holds_before_writing()
    {
        _exchange.Ok(Relationship("Fabrikam", "fabrikam.com"), Relationship("Litware", "litware.com"));
        var ex = await Assert.ThrowsAsync<AdminApiException>(() => Update("Fabrikam", add: new[] { "LITWARE.com" }));
        Assert.Equal(AdminApiErrorKind.DomainInUse, ex.Failure);
        Assert.Contains("already exist in another organization relationship", ex.Message);
        Assert.Contains("'Litware'", ex.Message);
        Assert.Empty(_exchange.Writes);
    }

    [Fact]
    public async Task Update_replacing_with_a_list_that_keeps_its_own_domains_is_no_conflict()
    {
        _exchange.Ok(Relationship("Fabrikam", "fabrikam.com"), Relationship("Litware", "litware.com")).NoContent().Ok(Relationship("Fabrikam", "fabrikam.com", "x.example"));
        await Update("fabrikam", replace: new[] { "FABRIKAM.COM", "x.example" });
        Assert.Single(_exchange.Writes);
        Assert.Equal("Fabrikam", (string)_exchange.Sent[1].Parameters["Identity"]!);
    }

    [Fact]
    public async Task Update_reports_a_partial_change_when_a_later_chunk_fails()
    {
        string[] domains = Domains(300, "u.example");
        _exchange.Ok(Relationship("U", "u.example")).NoContent()
            .Fail(new CalendarFederation.Sandbox.AdminApi.ExchangeErrorException("InternalError", "System.Exception", "The directory is busy.", 500))
            .Ok(Relationship("U", domains.Take(238).Append("u.example")));
        var ex = await Assert.ThrowsAsync<PartialChangeException>(() => Update("U", add: domains));
        Assert.Equal(239, ex.Current!.GetStrings("DomainNames").Length);
        Assert.Contains("now has 239 domains", ex.Message);
        Assert.Contains("The directory is busy.", ex.Message);
    }

    [Fact]
    public async Task Update_collects_the_no_change_warning()
    {
        _exchange.Ok(Relationship("Fabrikam", "fabrikam.com")).Warn("The command completed successfully but no settings of 'Fabrikam' have been modified.")
            .Ok(Relationship("Fabrikam", "fabrikam.com"));
        await Update("Fabrikam", new[] { P("Enabled", true) });
        Assert.Equal(new[] { "The command completed successfully but no settings of 'Fabrikam' have been modified." }, _events.Warnings);
    }

    [Fact]
    public async Task Update_adding_and_removing_stays_within_238_domains_per_request()
    {
        string[] add = Domains(238, "add.example");
        _exchange.Ok(Relationship("F", "old.example")).NoContent().NoContent().NoContent().Ok(Relationship("F", add));
        await Update("F", add: add, remove: new[] { "old.example" });
        Assert.All(_exchange.Writes, s => Assert.True(s.DomainCount() <= RelationshipRules.MaxDomainsPerRequest, s.Body.Length + " " + s.DomainCount()));
    }

    [Fact]
    public async Task Update_rename_reads_back_under_the_new_name()
    {
        _exchange.Ok(Relationship("OldName", "f.example")).NoContent().Ok(Relationship("NewName", "f.example")).Fail(NotFound("OldName"));
        AdminObject result = await Update("OldName", new[] { P("Name", "NewName") });
        Assert.Equal(GetOne("NewName"), Bodies[2]);
        Assert.Equal("NewName", result.GetString("Name"));
    }

    // ------------------------------------------------------------------ RemoveAsync and GetAsync

    [Fact]
    public async Task Remove_sends_the_identity_only()
    {
        _exchange.NoContent();
        await _service.RemoveAsync("Fabrikam", CancellationToken.None);
        Assert.Equal(new[] { "{\"CmdletInput\":{\"CmdletName\":\"Remove-OrganizationRelationship\",\"Parameters\":{\"Identity\":\"Fabrikam\"" + NoPrompt + "}}}" }, Bodies);
    }

    [Fact]
    public async Task Remove_whose_answer_was_lost_is_done_when_the_relationship_is_gone()
    {
        _exchange.Answer(504, "").Fail(NotFound("Fabrikam")).Ok(Relationship("Other", "o.example"));
        await _service.RemoveAsync("Fabrikam", CancellationToken.None);
        Assert.Equal(new[] { "Remove-OrganizationRelationship", "Remove-OrganizationRelationship", "Get-OrganizationRelationship" }, _exchange.Sent.Select(s => s.CmdletName));
        Assert.Equal(GetAll, Bodies[2]);
    }

    [Fact]
    public async Task Remove_not_found_while_it_still_exists_is_an_error()
    {
        _exchange.Fail(NotFound("Fabrikam")).Ok(Relationship("FABRIKAM", "fabrikam.com"));
        var ex = await Assert.ThrowsAsync<AdminApiException>(() => _service.RemoveAsync("Fabrikam", CancellationToken.None));
        Assert.Equal(AdminApiErrorKind.NotFound, ex.Failure);
    }

    [Fact]
    public async Task Get_sends_the_identity_when_given_and_collects_warnings()
    {
        _exchange.Answer(200, "{\"@adminapi.warnings\":[\"W1\"],\"value\":[" + Relationship("A", "a.example") + "," + Relationship("B", "b.example") + "]}")
            .Ok(Relationship("A", "a.example"));
        List<AdminObject> all = await _service.GetAsync(null, CancellationToken.None);
        List<AdminObject> one = await _service.GetAsync("A", CancellationToken.None);
        Assert.Equal(new[] { "A", "B" }, all.Select(r => r.GetString("Name")));
        Assert.Single(one);
        Assert.Equal(new[] { GetAll, GetOne("A") }, Bodies);
        Assert.Equal(new[] { "W1" }, _events.Warnings);
    }

    // ------------------------------------------------------------------ FindConflict

    private static readonly AdminObject[] Existing =
    {
        Object(Relationship("Fabrikam", new[] { "Fabrikam.COM", "fabrikam.onmicrosoft.com" }, Guid.Parse("11111111-1111-4111-8111-111111111111"))),
        Object(Relationship("Litware", new[] { "litware.com" }, Guid.Parse("22222222-2222-4222-8222-222222222222"))),
    };

    [Theory]
    [InlineData("fabrikam.com")]
    [InlineData("FABRIKAM.COM")]
    [InlineData("fabrikam.com.")]
    [InlineData(" Fabrikam.Com ")]
    public void FindConflict_ignores_case_and_spelling(string domain)
    {
        var conflict = OrganizationRelationshipService.FindConflict(Existing, new[] { "new.example", domain }, null);
        Assert.NotNull(conflict);
        Assert.Equal("Fabrikam", conflict!.Value.Relationship);
        Assert.Equal(new[] { "Fabrikam.COM" }, conflict.Value.Domains);
    }

    [Theory]
    [InlineData("Fabrikam")]
    [InlineData("fabrikam")]
    [InlineData("11111111-1111-4111-8111-111111111111")]
    public void FindConflict_skips_the_relationship_being_changed(string self)
    {
        Assert.Null(OrganizationRelationshipService.FindConflict(Existing, new[] { "fabrikam.com", "fabrikam.onmicrosoft.com" }, self));
        var other = OrganizationRelationshipService.FindConflict(Existing, new[] { "fabrikam.com", "LITWARE.com" }, self);
        Assert.Equal("Litware", other!.Value.Relationship);
        Assert.Equal(new[] { "litware.com" }, other.Value.Domains);
    }

    [Fact]
    public void FindConflict_lists_every_overlapping_domain_of_the_first_relationship()
    {
        var conflict = OrganizationRelationshipService.FindConflict(Existing, new[] { "fabrikam.onmicrosoft.com", "litware.com", "fabrikam.com" }, null);
        Assert.Equal("Fabrikam", conflict!.Value.Relationship);
        Assert.Equal(new[] { "Fabrikam.COM", "fabrikam.onmicrosoft.com" }, conflict.Value.Domains);
    }

    [Fact]
    public void FindConflict_finds_nothing_for_new_domains_or_an_empty_tenant()
    {
        Assert.Null(OrganizationRelationshipService.FindConflict(Existing, new[] { "sub.fabrikam.com", "litware.co" }, null));
        Assert.Null(OrganizationRelationshipService.FindConflict(Array.Empty<AdminObject>(), new[] { "fabrikam.com" }, null));
    }

    [Fact]
    public void Chunk_splits_at_238_and_keeps_order()
    {
        string[] domains = Domains(600, "c.example");
        string[][] chunks = RelationshipRules.Chunk(domains).ToArray();
        Assert.Equal(new[] { 238, 238, 124 }, chunks.Select(c => c.Length));
        Assert.Equal(domains, chunks.SelectMany(c => c));
        Assert.Empty(RelationshipRules.Chunk(Array.Empty<string>()));
    }
}
