using System.Text.Json;

namespace CalendarFederation.Engine.Graph
{
    /// <summary>One Graph answer: the status, the JSON body (null when there is none), and its request ids.</summary>
    public sealed class GraphResponse
    {
        public GraphResponse(int status, JsonElement? body, string clientRequestId, string? requestId)
        {
            Status = status;
            Body = body;
            ClientRequestId = clientRequestId;
            RequestId = requestId;
        }

        public int Status { get; }
        public JsonElement? Body { get; }
        public string ClientRequestId { get; }
        public string? RequestId { get; }
    }
}
