namespace CalendarFederation.Engine
{
    /// <summary>
    /// Every error id the module gives, in one place. They are a public contract: scripts and tests match on them
    /// (FullyQualifiedErrorId "Id,CalendarFederation.Commands.XCommand"). Add ids; never rename one.
    /// </summary>
    public static class ErrorIds
    {
        // Input
        public const string InvalidDomainName = "InvalidDomainName";
        public const string InvalidArgument = "InvalidArgument";
        public const string InvalidAutodiscoverUri = "InvalidAutodiscoverUri";
        public const string InvalidTargetUri = "InvalidTargetUri";
        public const string InvalidDomainNamesChange = "InvalidDomainNamesChange";
        public const string InvalidEnvironment = "InvalidEnvironment";
        public const string InsecureEndpoint = "InsecureEndpoint";
        public const string UnknownExchangeEnvironment = "UnknownExchangeEnvironment";
        public const string EnvironmentNotFound = "EnvironmentNotFound";
        public const string BuiltInEnvironment = "BuiltInEnvironment";
        public const string OrganizationRelationshipNameTooLong = "OrganizationRelationshipNameTooLong";
        public const string SameTenant = "SameTenant";
        public const string PartnerNotNamed = "PartnerNotNamed";
        public const string OrganizationMismatch = "OrganizationMismatch";
        public const string ConfirmationRequired = "ConfirmationRequired";

        // Discovery (Autodiscover)
        public const string FederationInformationNotFound = "FederationInformationNotFound";
        public const string FederationInformationUnexpectedError = "FederationInformationUnexpectedError";
        public const string DomainNotFederated = "DomainNotFederated";
        public const string UntrustedRedirect = "UntrustedRedirect";
        public const string InsecureRedirect = "InsecureRedirect";
        public const string InvalidRedirect = "InvalidRedirect";
        public const string TooManyRedirects = "TooManyRedirects";
        public const string CertificateValidationFailed = "CertificateValidationFailed";
        public const string ResponseTooLarge = "ResponseTooLarge";
        public const string MalformedResponse = "MalformedResponse";
        public const string ServerBusy = "ServerBusy";
        public const string DiscoveryTimeout = "DiscoveryTimeout";

        // Sign-in and connections
        public const string AuthenticationRequired = "AuthenticationRequired";
        public const string AuthenticationFailed = "AuthenticationFailed";
        public const string AuthenticationCanceled = "AuthenticationCanceled";
        public const string AuthenticationDeclined = "AuthenticationDeclined";
        public const string InvalidClientCredentials = "InvalidClientCredentials";
        public const string InteractiveSignInNotPossible = "InteractiveSignInNotPossible";
        public const string DeviceCodeExpired = "DeviceCodeExpired";
        public const string ManagedIdentityUnavailable = "ManagedIdentityUnavailable";
        public const string InvalidAccessToken = "InvalidAccessToken";
        public const string ScopeUnavailable = "ScopeUnavailable";
        public const string TenantUnknown = "TenantUnknown";
        public const string AppIdRequired = "AppIdRequired";
        public const string OrganizationRequired = "OrganizationRequired";
        public const string ClientSecretRequired = "ClientSecretRequired";
        public const string CertificateRequired = "CertificateRequired";
        public const string CertificatePrivateKeyMissing = "CertificatePrivateKeyMissing";
        public const string CertificateNotFound = "CertificateNotFound";
        public const string CertificateLoadFailed = "CertificateLoadFailed";
        public const string ConnectionNotFound = "ConnectionNotFound";
        public const string ConnectionClosed = "ConnectionClosed";
        public const string ConnectionCheckFailed = "ConnectionCheckFailed";

        // Exchange admin API
        public const string ObjectNotFound = "ObjectNotFound";
        public const string ObjectAlreadyExists = "ObjectAlreadyExists";
        public const string AccessDenied = "AccessDenied";
        public const string Throttled = "Throttled";
        public const string AdminApiTimeout = "AdminApiTimeout";
        public const string AdminApiError = "AdminApiError";
        public const string ServiceUnavailable = "ServiceUnavailable";
        public const string ConnectionFailed = "ConnectionFailed";
        public const string OrganizationNotCustomized = "OrganizationNotCustomized";
        public const string OrganizationHydrationInProgress = "OrganizationHydrationInProgress";
        public const string OrganizationCustomizationNotAvailable = "OrganizationCustomizationNotAvailable";

        // Organization relationships
        public const string OrganizationRelationshipNotFound = "OrganizationRelationshipNotFound";
        public const string OrganizationRelationshipDomainInUse = "OrganizationRelationshipDomainInUse";
        public const string OrganizationRelationshipPartiallyCreated = "OrganizationRelationshipPartiallyCreated";
        public const string OrganizationRelationshipPartiallyUpdated = "OrganizationRelationshipPartiallyUpdated";
        public const string CalendarFederationBlocked = "CalendarFederationBlocked";

        // Partner tenants (OpenID configuration)
        public const string PartnerTenantNotFound = "PartnerTenantNotFound";
        public const string PartnerTenantIsConsumer = "PartnerTenantIsConsumer";
        public const string PartnerTenantMismatch = "PartnerTenantMismatch";
        public const string PartnerTenantLookupFailed = "PartnerTenantLookupFailed";

        // Microsoft Graph and the cross-tenant access policy
        public const string GraphTokenRequired = "GraphTokenRequired";
        public const string GraphConsentRequired = "GraphConsentRequired";
        public const string GraphPermissionMissing = "GraphPermissionMissing";
        public const string GraphRoleMissing = "GraphRoleMissing";
        /// <summary>Graph refused (403) and the token does not show whether a permission or a role is missing: the message names both.</summary>
        public const string GraphAccessDenied = "GraphAccessDenied";
        public const string GraphError = "GraphError";
        public const string GraphTimeout = "GraphTimeout";
        public const string CrossTenantAccessNotAvailable = "CrossTenantAccessNotAvailable";
        public const string CrossTenantTrustRestricted = "CrossTenantTrustRestricted";
        public const string CrossTenantAccessNotFound = "CrossTenantAccessNotFound";
        public const string ScopeGroupNotFound = "ScopeGroupNotFound";
        public const string CrossTenantAccessNotVerified = "CrossTenantAccessNotVerified";

        // Migration
        public const string MigrationNotVerified = "MigrationNotVerified";
        public const string LegacyFeaturesInUse = "LegacyFeaturesInUse";
        public const string MigrationNotApplicable = "MigrationNotApplicable";
        /// <summary>Disabling (or enabling) the legacy relationship on one side only, without the partner's side or its acknowledgement.</summary>
        public const string PartnerCutoverNotAcknowledged = "PartnerCutoverNotAcknowledged";

        // Fleet (docs/fleet.md)
        public const string FleetFileInvalid = "FleetFileInvalid";
        public const string FleetFileSecretInline = "FleetFileSecretInline";
        public const string FleetFileMethodConflict = "FleetFileMethodConflict";
        public const string FleetFileNotFound = "FleetFileNotFound";
        public const string FleetFileWriteFailed = "FleetFileWriteFailed";
        public const string FleetTenantIdMismatch = "FleetTenantIdMismatch";
        public const string FleetTenantConnectFailed = "FleetTenantConnectFailed";
        public const string FleetTenantUnreadable = "FleetTenantUnreadable";
        public const string FleetPlanIncomplete = "FleetPlanIncomplete";
        public const string FleetDrift = "FleetDrift";
        public const string FleetCheckpointInvalid = "FleetCheckpointInvalid";
        public const string FleetChangeFailed = "FleetChangeFailed";
        /// <summary>A pair's legacy relationships were left enabled (its cut-over skipped or undone) because a grant or its verification failed.</summary>
        public const string FleetLegacyKept = "FleetLegacyKept";
        public const string FleetChangeStale = "FleetChangeStale";
        public const string FleetReportWriteFailed = "FleetReportWriteFailed";

        public const string UnexpectedError = "UnexpectedError";
    }
}
