using System;
using System.Threading;
using System.Threading.Tasks;

namespace CalendarFederation.Engine.Migration
{
    /// <summary>
    /// The cutover and the rollback of the pair's organization relationships (<see cref="RelationshipMigration.ChangeLegacyAsync"/>):
    /// the local side first, then the partner's, with the first changed back when the second cannot follow (M4).
    /// </summary>
    internal sealed class LegacyCutover
    {
        private readonly TimeProvider _time;

        public LegacyCutover(TimeProvider time)
        {
            _time = time;
        }

        public async Task<LegacyChangeResult> ChangeAsync(MigrationPreparation preparation, bool enable, IEngineEvents events, CancellationToken cancellationToken)
        {
            if (preparation == null) throw new ArgumentNullException(nameof(preparation));
            SidePreparation first = preparation.Local;
            SidePreparation? second = preparation.Partner?.Relationship != null ? preparation.Partner : null;
            if (first.Relationship == null) throw new ArgumentException("The local side has no relationship.", nameof(preparation));
            string verb = enable ? "Enabling" : "Disabling";

            RelationshipMigration.Step(events, $"{verb} '{first.Relationship.Name}' in {first.Side.Organization}", 80);
            LegacyChange one = await ChangeFirstAsync(first, enable, events, cancellationToken).ConfigureAwait(false);
            if (second == null || one.Error != null || one.EnabledAfter != enable)
            {
                LegacyChange? untouched = second == null ? null : new LegacyChange { EnabledAfter = second.Relationship!.Enabled };
                RelationshipMigration.Done(events);
                return new LegacyChangeResult(one, untouched);
            }

            RelationshipMigration.Step(events, $"{verb} '{second.Relationship!.Name}' in {second.Side.Organization}", 90);
            LegacyChange two = await ChangeSecondAsync(second, enable, events, cancellationToken).ConfigureAwait(false);
            if (two.EnabledAfter != enable && one.EnabledAfter == enable)
            {
                // The second side did not follow: put the first back to match it (unknown counts as unchanged), whether this
                // run changed the first or an earlier, interrupted one did.
                bool back = two.EnabledAfter ?? second.Relationship.Enabled;
                RelationshipMigration.Step(events, $"{(back ? "Enabling" : "Disabling")} '{first.Relationship.Name}' in {first.Side.Organization} again, because {second.Side.Organization} could not follow", 95);
                try
                {
                    using CancellationTokenSource compensation = _time.CreateCancellationTokenSource(MigrationDecisions.CompensationTimeout);
                    await first.Side.Legacy.SetEnabledAsync(first.Relationship.Identity, back, events, compensation.Token).ConfigureAwait(false);
                    one.Changed = false;
                    one.Compensated = true;
                    one.EnabledAfter = back;
                    events.Warning($"'{first.Relationship.Name}' in {first.Side.Organization} was {(enable ? "enabled" : "disabled")} and is {(back ? "enabled" : "disabled")} again, because "
                        + $"'{second.Relationship.Name}' in {second.Side.Organization} could not be {(enable ? "enabled" : "disabled")}: both sides are as they were, and free/busy works as before.");
                }
                catch (Exception ex) when (ex is EngineException || ex is OperationCanceledException)
                {
                    one.EnabledAfter = await ReadEnabledAsync(first, events).ConfigureAwait(false);
                    EngineException cause = ex as EngineException ?? Timeout(first, MigrationDecisions.CompensationTimeout);
                    one.Error = new EngineException(cause.ErrorId, cause.Kind,
                        $"'{first.Relationship.Name}' in {first.Side.Organization} was {(enable ? "enabled" : "disabled")}, and changing it back failed ({cause.Message}). The two "
                        + $"relationships are now unlike, so free/busy fails both ways: run the same command again to finish, or with -Rollback to undo.",
                        first.Relationship.Name, cause.IsRetryable, ex);
                }
            }
            RelationshipMigration.Done(events);
            return new LegacyChangeResult(one, two);
        }

        // The first write may be stopped: before it nothing changed; a stop (or failure) while it was in flight is read
        // back, and a change that was made anyway is undone when stopped (the second side was never asked).
        private async Task<LegacyChange> ChangeFirstAsync(SidePreparation side, bool enable, IEngineEvents events, CancellationToken cancellationToken)
        {
            LegacyRelationship r = side.Relationship!;
            if (r.Enabled == enable) return new LegacyChange { EnabledAfter = enable };
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await side.Side.Legacy.SetEnabledAsync(r.Identity, enable, events, cancellationToken).ConfigureAwait(false);
                return new LegacyChange { Changed = true, EnabledAfter = enable };
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                bool? now = await ReadEnabledAsync(side, events).ConfigureAwait(false);
                if (now == enable)
                {
                    try
                    {
                        using CancellationTokenSource compensation = _time.CreateCancellationTokenSource(MigrationDecisions.CompensationTimeout);
                        await side.Side.Legacy.SetEnabledAsync(r.Identity, r.Enabled, events, compensation.Token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is EngineException || ex is OperationCanceledException)
                    {
                        events.Warning($"Stopped: '{r.Name}' in {side.Side.Organization} was {(enable ? "enabled" : "disabled")} and could not be changed back ({ex.Message}); "
                            + "run the same command again to finish.");
                    }
                }
                throw;
            }
            catch (EngineException ex)
            {
                bool? now = await ReadEnabledAsync(side, events).ConfigureAwait(false);
                if (now == enable && !cancellationToken.IsCancellationRequested)
                {
                    events.Verbose($"'{r.Name}' in {side.Side.Organization}: the change was made although its answer failed ({ex.ErrorId}).");
                    return new LegacyChange { Changed = true, EnabledAfter = enable };
                }
                return new LegacyChange { EnabledAfter = now ?? r.Enabled, Error = ex };
            }
        }

        // The second write: a stop cancels it, and what it did is read back; the caller undoes the first side if needed.
        private async Task<LegacyChange> ChangeSecondAsync(SidePreparation side, bool enable, IEngineEvents events, CancellationToken cancellationToken)
        {
            LegacyRelationship r = side.Relationship!;
            if (r.Enabled == enable) return new LegacyChange { EnabledAfter = enable };
            try
            {
                await side.Side.Legacy.SetEnabledAsync(r.Identity, enable, events, cancellationToken).ConfigureAwait(false);
                return new LegacyChange { Changed = true, EnabledAfter = enable };
            }
            catch (Exception ex) when (ex is EngineException || ex is OperationCanceledException)
            {
                bool? now = await ReadEnabledAsync(side, events).ConfigureAwait(false);
                if (now == enable) return new LegacyChange { Changed = true, EnabledAfter = enable };
                EngineException error = ex as EngineException ?? new EngineException(ErrorIds.UnexpectedError, ErrorKind.OperationStopped,
                    $"Stopped before '{r.Name}' in {side.Side.Organization} was {(enable ? "enabled" : "disabled")}.", r.Name);
                return new LegacyChange { EnabledAfter = now, Error = error };
            }
        }

        // Enabled as the tenant shows it now, read with a bound of its own (it runs after a stop); null when it cannot be read.
        private async Task<bool?> ReadEnabledAsync(SidePreparation side, IEngineEvents events)
        {
            try
            {
                using CancellationTokenSource bound = _time.CreateCancellationTokenSource(MigrationDecisions.CompensationTimeout);
                LegacyRelationship? now = await side.Side.Legacy.GetRelationshipAsync(side.Relationship!.Identity, events, bound.Token).ConfigureAwait(false);
                return now?.Enabled;
            }
            catch (Exception ex) when (ex is EngineException || ex is OperationCanceledException)
            {
                events.Verbose($"'{side.Relationship!.Name}' in {side.Side.Organization} could not be read back: {ex.Message}");
                return null;
            }
        }

        private static EngineException Timeout(SidePreparation side, TimeSpan bound) =>
            new EngineException(ErrorIds.AdminApiTimeout, ErrorKind.OperationTimeout,
                $"{side.Side.Organization} did not answer within {bound.TotalSeconds:0} s.", side.Relationship?.Name, isRetryable: true);
    }
}
