//! `clausewatch serve`: the JSON API and web UI on one address until Ctrl-C
//! or SIGTERM (requests in flight are finished first).

use crate::output;
use anyhow::Context;
use cw_engine::Engine;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

/// Binds `addr` and serves `engine` until a shutdown signal.
pub(crate) async fn run(
    engine: Engine,
    addr: SocketAddr,
    anonymous_read: bool,
) -> anyhow::Result<ExitCode> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr().context("reading the bound address")?;
    let config = cw_server::ServerConfig { anonymous_read };
    output::text(&format!(
        "Serving clausewatch on http://{local}/  (Ctrl-C to stop)"
    ))?;
    if !anonymous_read {
        output::text(
            "Every request needs a token: create one with `clausewatch token create --role viewer`, or pass --anonymous-read.",
        )?;
    }
    let state = cw_server::AppState::new(Arc::new(engine), config);
    cw_server::serve(listener, state, cw_server::shutdown_signal())
        .await
        .context("serving")?;
    output::text("Stopped.")?;
    Ok(ExitCode::SUCCESS)
}
