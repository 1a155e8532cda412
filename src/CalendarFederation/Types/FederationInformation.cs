using System;

namespace CalendarFederation
{
    /// <summary>
    /// A partner's federation information, with Exchange's property names so that it binds by property name
    /// into New-OrganizationRelationship (DomainNames, TargetApplicationUri, TargetAutodiscoverEpr).
    /// </summary>
    public sealed class FederationInformation
    {
        public FederationInformation(string domainName, Uri targetApplicationUri, string[] domainNames, Uri targetAutodiscoverEpr,
            Uri[] tokenIssuerUris, Uri answeredBy, string answeredByCandidate, TimeSpan duration, string? serverVersion)
        {
            DomainName = domainName;
            TargetApplicationUri = targetApplicationUri;
            DomainNames = domainNames;
            TargetAutodiscoverEpr = targetAutodiscoverEpr;
            TokenIssuerUris = tokenIssuerUris;
            AnsweredBy = answeredBy;
            AnsweredByCandidate = answeredByCandidate;
            Duration = duration;
            ServerVersion = serverVersion;
        }

        /// <summary>The domain that was queried (Exchange's Identity).</summary>
        public string Identity => DomainName;

        public string DomainName { get; }

        /// <summary>The partner's federation ApplicationUri; "outlook.com" for Exchange Online.</summary>
        public Uri TargetApplicationUri { get; }

        /// <summary>The partner domains the answer covers. Since 2025 Exchange Online returns only the queried domain.</summary>
        public string[] DomainNames { get; }

        /// <summary>The endpoint that answered, with /WSSecurity appended by Exchange's rule.</summary>
        public Uri TargetAutodiscoverEpr { get; }

        public Uri[] TokenIssuerUris { get; }

        public bool IsValid => true;

        public string ObjectState => "Unchanged";

        /// <summary>The URL that gave the accepted answer.</summary>
        public Uri AnsweredBy { get; }

        /// <summary>Which candidate answered: Explicit, Cloud, AutodiscoverHost, DomainHost, an unsecured probe, or Alternate.</summary>
        public string AnsweredByCandidate { get; }

        /// <summary>How long discovery of this domain took.</summary>
        public TimeSpan Duration { get; }

        /// <summary>The Exchange version the server reported, when it did.</summary>
        public string? ServerVersion { get; }

        public override string ToString() => DomainName;
    }
}
