//! SQL for the shared per-host turns (`host_slots`, migration 0009): read a
//! host's row, take its turn in one conditional upsert, extend and release
//! a turn only while holding it, and put a claimed job back in the queue
//! without counting the claim as an attempt (a fetch job whose host was
//! busy). Every statement is the same on both engines.

use super::Conn;
use crate::error::StoreError;
use crate::hosts::HostSlotRow;
use crate::time::ts_from_text;

#[derive(sqlx::FromRow)]
struct SlotRecord {
    host: String,
    next_allowed_at: String,
    holder: Option<String>,
    held_until: Option<String>,
    updated_at: String,
}

impl SlotRecord {
    fn into_row(self) -> Result<HostSlotRow, StoreError> {
        Ok(HostSlotRow {
            host: self.host,
            next_allowed_at: ts_from_text(&self.next_allowed_at)?,
            holder: self.holder,
            held_until: self.held_until.as_deref().map(ts_from_text).transpose()?,
            updated_at: ts_from_text(&self.updated_at)?,
        })
    }
}

/// A host's row, if it was ever taken.
pub(crate) async fn get(conn: &mut Conn, host: &str) -> Result<Option<HostSlotRow>, StoreError> {
    let record: Option<SlotRecord> = sqlx::query_as(
        "SELECT host, next_allowed_at, holder, held_until, updated_at
         FROM host_slots WHERE host = $1",
    )
    .bind(host)
    .fetch_optional(&mut *conn)
    .await?;
    record.map(SlotRecord::into_row).transpose()
}

/// Gives the host's turn to `holder` until `held_until` if nobody holds it
/// (or the hold expired by `now`) and `next_allowed_at` has passed; a host
/// never seen gets a row. True when `holder` got the turn.
///
/// One statement: on PostgreSQL the conflicting insert locks the row and a
/// concurrent taker re-checks the condition against the winner's update,
/// on SQLite writers are serialised; either way one taker wins.
pub(crate) async fn take(
    conn: &mut Conn,
    host: &str,
    holder: &str,
    now: &str,
    held_until: &str,
) -> Result<bool, StoreError> {
    let taken: Option<String> = sqlx::query_scalar(
        "INSERT INTO host_slots (host, next_allowed_at, holder, held_until, updated_at)
         VALUES ($1, $3, $2, $4, $3)
         ON CONFLICT (host) DO UPDATE SET holder = $2, held_until = $4, updated_at = $3
         WHERE (host_slots.holder IS NULL OR host_slots.held_until <= $3)
           AND host_slots.next_allowed_at <= $3
         RETURNING host",
    )
    .bind(host)
    .bind(holder)
    .bind(now)
    .bind(held_until)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(taken.is_some())
}

/// Moves the end of `holder`'s turn on `host` to `held_until`; false when
/// it does not hold the turn (any more).
pub(crate) async fn extend(
    conn: &mut Conn,
    host: &str,
    holder: &str,
    held_until: &str,
    now: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE host_slots SET held_until = $3, updated_at = $4
         WHERE host = $1 AND holder = $2",
    )
    .bind(host)
    .bind(holder)
    .bind(held_until)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends `holder`'s turn on `host`: free again from `next_allowed_at`.
/// False when it does not hold the turn (it expired and was taken over).
pub(crate) async fn release(
    conn: &mut Conn,
    host: &str,
    holder: &str,
    next_allowed_at: &str,
    now: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE host_slots SET holder = NULL, held_until = NULL, next_allowed_at = $3,
             updated_at = $4
         WHERE host = $1 AND holder = $2",
    )
    .bind(host)
    .bind(holder)
    .bind(next_allowed_at)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Puts a job `worker` holds back in the queue from `run_after`, taking
/// back the attempt its claim counted; false when it does not hold it.
pub(crate) async fn defer_job(
    conn: &mut Conn,
    id: i64,
    worker: &str,
    run_after: &str,
    now: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE jobs SET state = 'queued', run_after = $3, updated_at = $4,
             attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END,
             lease_owner = NULL, lease_expires_at = NULL
         WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
    )
    .bind(id)
    .bind(worker)
    .bind(run_after)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
