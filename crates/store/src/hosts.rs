//! Per-host turns shared by every worker of a store: public row types and
//! the `impl Store` block (SQL in `db::hosts`, schema and reasoning in
//! migration 0009).
//!
//! The fetcher's politeness (one request at a time per host, a pause in
//! between) holds inside one process; `clausewatch worker` processes that
//! share a database take the host's turn here before fetching, so it holds
//! across them. The contract, the same on SQLite and PostgreSQL:
//!
//! * [`Store::try_take_host`] gives the turn to one taker at a time, only
//!   when nobody holds it (or the hold expired) and the host's
//!   `next_allowed_at` has passed; otherwise it says when the host is busy
//!   until. Any number of concurrent takers: exactly one wins.
//! * [`Store::extend_host`] and [`Store::release_host`] act only for the
//!   holder; release sets when the next request may start.
//! * [`Store::defer_job`] puts a claimed job back in the queue without
//!   spending an attempt: a fetch job whose host is busy waits its turn.

use crate::db::{Backend, begin_write, hosts as sql};
use crate::error::StoreError;
use crate::store::Store;
use crate::time::ts_to_text;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A host's shared turn as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostSlotRow {
    /// The host key: lowercased host and port (`example.com:443`).
    pub host: String,
    /// No request to the host starts before this time.
    pub next_allowed_at: DateTime<Utc>,
    /// Who holds the turn now, if anyone.
    pub holder: Option<String>,
    /// Until when the turn is the holder's without being extended.
    pub held_until: Option<DateTime<Utc>>,
    /// When the row last changed.
    pub updated_at: DateTime<Utc>,
}

impl HostSlotRow {
    /// True when, as of `now`, the host's turn cannot be taken: someone
    /// holds it (and the hold has not expired) or its delay runs.
    pub fn is_busy(&self, now: DateTime<Utc>) -> bool {
        self.next_allowed_at > now || self.held_until.is_some_and(|until| until > now)
    }
}

/// A turn taken on a host: the right to send it requests until released.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostTurn {
    /// The host key.
    pub host: String,
    /// Who holds it.
    pub holder: String,
    /// When the hold expires unless extended.
    pub held_until: DateTime<Utc>,
}

/// What [`Store::try_take_host`] got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostTake {
    /// The turn is the caller's.
    Taken(HostTurn),
    /// Someone else holds the turn, or the host's delay has not passed:
    /// the host's row as read after the attempt.
    Busy(HostSlotRow),
}

impl Store {
    /// Takes `host`'s turn for `holder` until `held_until`, as of `now`,
    /// if nobody holds it (or the hold expired) and the host's
    /// `next_allowed_at` has passed; a host never seen before is free.
    /// Concurrent takers (threads, processes) never both win.
    pub async fn try_take_host(
        &self,
        host: &str,
        holder: &str,
        now: DateTime<Utc>,
        held_until: DateTime<Utc>,
    ) -> Result<HostTake, StoreError> {
        // A busy host is the common answer under load: a plain read finds
        // it without queueing for the write lock.
        {
            let mut conn = self.pool().acquire().await?;
            if let Some(row) = sql::get(&mut conn, host).await?
                && row.is_busy(now)
            {
                return Ok(HostTake::Busy(row));
            }
        }
        let now_text = ts_to_text(now);
        let until_text = ts_to_text(held_until);
        let taken = match Backend::of_pool(self.pool()) {
            // One statement; the row lock settles races (no global lock,
            // so takes never queue behind imports).
            Backend::Postgres => {
                let mut conn = self.pool().acquire().await?;
                sql::take(&mut conn, host, holder, &now_text, &until_text).await?
            }
            Backend::Sqlite => {
                let mut tx = begin_write(self.pool()).await?;
                let taken = sql::take(&mut tx, host, holder, &now_text, &until_text).await?;
                tx.commit().await?;
                taken
            }
        };
        if taken {
            return Ok(HostTake::Taken(HostTurn {
                host: host.to_string(),
                holder: holder.to_string(),
                held_until,
            }));
        }
        let mut conn = self.pool().acquire().await?;
        match sql::get(&mut conn, host).await? {
            Some(row) => Ok(HostTake::Busy(row)),
            None => Err(StoreError::bad_row(format!(
                "host slot {host:?} neither taken nor stored"
            ))),
        }
    }

    /// Moves the end of `turn` to `held_until` (a long fetch keeps its
    /// turn). False when the caller lost it: it expired and another took it.
    pub async fn extend_host(
        &self,
        turn: &HostTurn,
        held_until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut conn = self.pool().acquire().await?;
        sql::extend(
            &mut conn,
            &turn.host,
            &turn.holder,
            &ts_to_text(held_until),
            &ts_to_text(self.now()),
        )
        .await
    }

    /// Ends `turn`; the next request to its host may start at
    /// `next_allowed_at` (the end of this fetch plus the politeness
    /// delay). False when the caller no longer held the turn.
    pub async fn release_host(
        &self,
        turn: &HostTurn,
        next_allowed_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut conn = self.pool().acquire().await?;
        sql::release(
            &mut conn,
            &turn.host,
            &turn.holder,
            &ts_to_text(next_allowed_at),
            &ts_to_text(self.now()),
        )
        .await
    }

    /// A host's turn as stored, if the host was ever taken.
    pub async fn host_slot(&self, host: &str) -> Result<Option<HostSlotRow>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        sql::get(&mut conn, host).await
    }

    /// Puts job `id`, which `worker` holds, back in the queue from
    /// `run_after` without counting the claim as an attempt (its work could
    /// not start yet, e.g. its host's turn is taken).
    /// [`StoreError::LeaseLost`] if `worker` does not hold it.
    pub async fn defer_job(
        &self,
        id: i64,
        worker: &str,
        run_after: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.pool().acquire().await?;
        if sql::defer_job(
            &mut conn,
            id,
            worker,
            &ts_to_text(run_after),
            &ts_to_text(self.now()),
        )
        .await?
        {
            Ok(())
        } else {
            Err(StoreError::LeaseLost { job: id })
        }
    }
}
