//! `clausewatch token create|list|revoke`: API tokens for `serve`. The
//! secret is printed once; only its sha256 is stored.

use crate::args::{Format, TokenCommand};
use crate::output;
use anyhow::Context;
use cw_engine::Engine;
use cw_store::Role;
use std::fmt::Write as _;
use std::process::ExitCode;

pub(crate) async fn run(engine: &Engine, command: TokenCommand) -> anyhow::Result<ExitCode> {
    let store = engine.store();
    match command {
        TokenCommand::Create { role, name, format } => {
            let role = Role::parse(&role).context("role must be admin or viewer")?;
            let t = store
                .create_token(name.as_deref().unwrap_or(role.as_str()), role)
                .await?;
            if format == Format::Json {
                output::json(&serde_json::json!({
                    "id": t.row.id, "name": t.row.name, "role": t.row.role, "token": t.secret,
                }))?;
            } else {
                output::text(&t.secret)?;
                // The secret alone on stdout (for scripts); the note on stderr.
                #[allow(clippy::print_stderr)]
                {
                    eprintln!(
                        "token {} ({}) created; it is shown only once: keep it now",
                        t.row.id,
                        role.as_str()
                    );
                }
            }
        }
        TokenCommand::List { format } => {
            let rows = store.tokens().await?;
            if format == Format::Json {
                output::json(&rows)?;
            } else {
                let mut out = String::new();
                for r in &rows {
                    let _ = writeln!(
                        out,
                        "{:>4}  {:<7} {:<20} {}…  created {}{}",
                        r.id,
                        r.role.as_str(),
                        r.name,
                        r.prefix,
                        r.created_at.format("%Y-%m-%d"),
                        if r.revoked_at.is_some() {
                            "  (revoked)"
                        } else {
                            ""
                        }
                    );
                }
                if rows.is_empty() {
                    out.push_str(
                        "no tokens (create one with `clausewatch token create --role viewer`)\n",
                    );
                }
                output::text(&out)?;
            }
        }
        TokenCommand::Revoke { id } => {
            if !store.revoke_token(id).await? {
                anyhow::bail!("no active token with id {id}");
            }
            output::text(&format!("token {id} revoked"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
