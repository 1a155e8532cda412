using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.AdminApi.Cmdlets;

/// <summary>
/// Get-DistributionGroupMember -Identity [-ResultSize N|Unlimited]: the listed members, then the generated ones
/// (syntheticMemberCount). 1000 by default, with Exchange's warning when more exist; paged by the usual nextLink.
/// </summary>
public sealed class GetDistributionGroupMember : IAdminCmdlet
{
    public string Name => "Get-DistributionGroupMember";

    public IReadOnlyCollection<string> Parameters { get; } = new[] { "Identity", "ResultSize", "DomainController", "IgnoreDefaultScope", "ReadFromDomainController" };

    public Task<IReadOnlyList<JsonObject>?> InvokeAsync(CmdletContext context, CancellationToken cancellationToken)
    {
        TenantConfig tenant = context.Tenant;
        string identity = ParameterReader.RequiredString(context, "Identity");
        GroupConfig g = TenantDirectory.FindGroup(tenant, identity) ?? throw ExchangeErrorException.ObjectNotFound(identity);
        int? size = RecipientObjects.ResultSize(context, out _);
        // Build at most one past the limit: enough to know whether to warn.
        int take = size == null ? int.MaxValue : size.Value + 1;
        var mailboxes = new Dictionary<string, MailboxConfig>(StringComparer.OrdinalIgnoreCase);
        foreach (MailboxConfig m in TenantDirectory.Mailboxes(tenant)) mailboxes[m.Address] = m;
        string[] addresses = TenantDirectory.MemberAddresses(tenant, g).Take(take).ToArray();
        var members = new MemberList(addresses, a => RecipientObjects.Member(tenant, a, mailboxes.GetValueOrDefault(a)));
        return Task.FromResult<IReadOnlyList<JsonObject>?>(RecipientObjects.Limit(context, members));
    }

    /// <summary>
    /// The members, each built when first read: InvokeCommand answers one page per request, and building all 12,000
    /// objects for every page of a large group made a page cost about a second. An IList, so Skip/Take read by index.
    /// </summary>
    private sealed class MemberList : IList<JsonObject>, IReadOnlyList<JsonObject>
    {
        private readonly string[] _addresses;
        private readonly Func<string, JsonObject> _build;
        private readonly JsonObject?[] _built;

        public MemberList(string[] addresses, Func<string, JsonObject> build)
        {
            _addresses = addresses;
            _build = build;
            _built = new JsonObject?[addresses.Length];
        }

        public int Count => _addresses.Length;
        public bool IsReadOnly => true;

        public JsonObject this[int index]
        {
            get => _built[index] ??= _build(_addresses[index]);
            set => throw new NotSupportedException();
        }

        public IEnumerator<JsonObject> GetEnumerator()
        {
            for (int i = 0; i < Count; i++) yield return this[i];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        public int IndexOf(JsonObject item) => Array.IndexOf(_built, item);
        public bool Contains(JsonObject item) => IndexOf(item) >= 0;
        public void CopyTo(JsonObject[] array, int arrayIndex)
        {
            for (int i = 0; i < Count; i++) array[arrayIndex + i] = this[i];
        }
        public void Add(JsonObject item) => throw new NotSupportedException();
        public void Insert(int index, JsonObject item) => throw new NotSupportedException();
        public bool Remove(JsonObject item) => throw new NotSupportedException();
        public void RemoveAt(int index) => throw new NotSupportedException();
        public void Clear() => throw new NotSupportedException();
    }
}
