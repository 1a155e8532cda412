using System;

namespace CalendarFederation
{
    /// <summary>A cloud's endpoints: Autodiscover, sign-in and the admin API.</summary>
    public sealed class CalendarFederationEnvironment
    {
        public CalendarFederationEnvironment(string name, Uri? autodiscoverEndpoint, Uri azureADAuthorizationEndpointUri, Uri connectionUri, string scope, Uri graphEndpoint, bool isBuiltIn)
        {
            Name = name;
            AutodiscoverEndpoint = autodiscoverEndpoint;
            AzureADAuthorizationEndpointUri = azureADAuthorizationEndpointUri;
            ConnectionUri = connectionUri;
            Scope = scope;
            GraphEndpoint = graphEndpoint;
            IsBuiltIn = isBuiltIn;
        }

        public string Name { get; }
        public Uri? AutodiscoverEndpoint { get; }
        public Uri AzureADAuthorizationEndpointUri { get; }
        public Uri ConnectionUri { get; }
        public string Scope { get; }
        public Uri GraphEndpoint { get; }
        public bool IsBuiltIn { get; }

        public override string ToString() => Name;
    }
}
