using System.Linq;
using System.Runtime.ExceptionServices;
using System.Threading.Tasks;

namespace CalendarFederation.Engine.Concurrency
{
    /// <summary>Reads that run side by side, with one failure reported the same way on every run.</summary>
    public static class SideBySide
    {
        /// <summary>
        /// Waits for every task, then throws the failure of the first faulted task in the order given (else the first
        /// cancellation). Task.WhenAll alone throws whichever failed first on newer runtimes, so when two reads fail the
        /// admin would see one error on one run and another on the next.
        /// </summary>
        public static async Task AllAsync(params Task[] tasks)
        {
            try
            {
                await Task.WhenAll(tasks).ConfigureAwait(false);
            }
            catch
            {
                Task first = tasks.FirstOrDefault(t => t.IsFaulted) ?? tasks.First(t => t.IsCanceled);
                if (first.IsFaulted) ExceptionDispatchInfo.Capture(first.Exception!.InnerExceptions[0]).Throw();
                throw;
            }
        }
    }
}
