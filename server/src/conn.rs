//! Connections: the accept loop, with the timeouts that keep a slow or stalled client from
//! holding a connection (or, through it, a synthesis) for ever.
//!
//! `axum::serve` sets no timer, so hyper applies no header timeout; this loop is the same as
//! axum's (HTTP/1.1 with upgrades for the WebSocket, graceful shutdown) with:
//! - a **header timeout**: a request's headers must arrive within `header_timeout` of the
//!   first byte being awaited — a client that trickles them, or a kept-alive connection left
//!   idle that long, is closed (hyper's `header_read_timeout`);
//! - a **send timeout**: a write that makes no progress for `send_timeout` (a client that
//!   stopped reading a streamed body or the WebSocket) fails, which closes the connection,
//!   drops the response and so cancels its synthesis (`tokio-io-timeout` around the socket).
//!
//! The body's own deadline (408) is the extractor's ([`crate::extract::LimitedBody`]): the
//! body is read whole before a handler asks for a synthesis slot.

use std::future::Future;
use std::pin::{pin, Pin};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_io_timeout::TimeoutStream;

/// The socket as hyper sees it: writes that stall past the send timeout fail.
type Io = TokioIo<Pin<Box<TimeoutStream<TcpStream>>>>;

/// Connection-level limits (from [`crate::ServerConfig`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub header_timeout: Duration,
    pub send_timeout: Duration,
    /// The socket's send buffer (`SO_SNDBUF`); `None` leaves the kernel's autotuning.
    pub send_buffer: Option<usize>,
}

/// Serves `app` on `listener` until `shutdown` resolves, then stops accepting and waits for
/// every open connection to finish its request in flight.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    // `stop` tells each connection to finish its request and close; each holds a `done`
    // receiver until it has, so `done_tx.closed()` resolves when the last one is gone.
    let (stop_tx, stop_rx) = watch::channel(());
    let (done_tx, done_rx) = watch::channel(());
    let mut shutdown = pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(error = %e, "accepting a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = tcp.set_nodelay(true);
        if let Some(bytes) = limits.send_buffer {
            if let Err(e) = socket2::SockRef::from(&tcp).set_send_buffer_size(bytes) {
                tracing::warn!(error = %e, "setting the send buffer");
            }
        }
        let mut io = TimeoutStream::new(tcp);
        io.set_write_timeout(Some(limits.send_timeout));
        let io: Io = TokioIo::new(Box::pin(io));
        tokio::spawn(connection(
            io,
            app.clone(),
            limits,
            stop_rx.clone(),
            done_rx.clone(),
        ));
        tracing::trace!(%peer, "connection accepted");
    }
    drop(stop_rx);
    drop(done_rx);
    drop(listener);
    stop_tx.send_replace(());
    drop(stop_tx);
    done_tx.closed().await;
}

async fn connection(
    io: Io,
    app: Router,
    limits: Limits,
    mut stop: watch::Receiver<()>,
    _done: watch::Receiver<()>,
) {
    let service = TowerToHyperService::new(app);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let mut conn = pin!(builder.serve_connection(io, service).with_upgrades());
    let mut stopping = false;
    loop {
        tokio::select! {
            served = conn.as_mut() => {
                if let Err(e) = served {
                    tracing::debug!(error = %e, "connection ended");
                }
                break;
            }
            changed = stop.changed(), if !stopping => {
                let _ = changed;
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}
