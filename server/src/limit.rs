//! Concurrency limit with a bounded queue, and cancellation of abandoned work.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;

/// At most `slots` model calls at once; at most `max_queue` more waiting. Beyond that a
/// request is refused at once (503) rather than piling up memory and latency.
pub struct Limiter {
    slots: Arc<Semaphore>,
    max_slots: usize,
    waiting: AtomicUsize,
    max_queue: usize,
}

impl Limiter {
    pub fn new(slots: usize, max_queue: usize) -> Self {
        Limiter {
            slots: Arc::new(Semaphore::new(slots)),
            max_slots: slots,
            waiting: AtomicUsize::new(0),
            max_queue,
        }
    }

    /// Requests waiting for a slot now.
    pub fn queued(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    /// Slots in use now.
    pub fn running(&self) -> usize {
        self.max_slots - self.slots.available_permits()
    }

    /// Waits for a slot. Dropping the future (client gone) leaves the queue.
    pub async fn acquire(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        if let Ok(p) = self.slots.clone().try_acquire_owned() {
            return Ok(p);
        }
        let before = self.waiting.fetch_add(1, Ordering::SeqCst);
        let _leave = LeaveQueue(&self.waiting);
        if before >= self.max_queue {
            return Err(ApiError::busy(self.max_queue));
        }
        self.slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ApiError::internal("the server is shutting down"))
    }
}

struct LeaveQueue<'a>(&'a AtomicUsize);

impl Drop for LeaveQueue<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

pub use yomiage_engine::CancelToken;

/// A checkpoint on the engine's cancel token: `Err` once cancelled, so work stops with `?`.
pub trait Checkpoint {
    fn check(&self) -> Result<(), ApiError>;
}

impl Checkpoint for CancelToken {
    fn check(&self) -> Result<(), ApiError> {
        if self.is_cancelled() {
            Err(ApiError::cancelled())
        } else {
            Ok(())
        }
    }
}

/// Lives in the request's future: when the future is dropped before [`CancelOnDrop::disarm`]
/// (the client disconnected, or the request timed out), the token is cancelled.
pub struct CancelOnDrop {
    token: CancelToken,
    armed: bool,
}

impl CancelOnDrop {
    pub fn new() -> Self {
        CancelOnDrop {
            token: CancelToken::new(),
            armed: true,
        }
    }

    pub fn token(&self) -> CancelToken {
        self.token.clone()
    }

    pub fn disarm(mut self) {
        self.armed = false;
    }
}

impl Default for CancelOnDrop {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if self.armed {
            tracing::info!("request abandoned: cancelling its synthesis");
            self.token.cancel();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_queue_is_bounded_and_leaving_it_frees_a_place() {
        let l = Arc::new(Limiter::new(1, 1));
        let held = l.acquire().await.unwrap();
        assert_eq!(l.running(), 1);
        // One may wait...
        let l2 = l.clone();
        let waiter = tokio::spawn(async move { l2.acquire().await.map(|_| ()) });
        while l.queued() == 0 {
            tokio::task::yield_now().await;
        }
        // ...a second is refused at once.
        let err = l.acquire().await.unwrap_err();
        assert_eq!(err.status(), axum::http::StatusCode::SERVICE_UNAVAILABLE);
        // The waiter gives up (client gone): its place is freed.
        waiter.abort();
        let _ = waiter.await;
        assert_eq!(l.queued(), 0);
        drop(held);
        assert!(l.acquire().await.is_ok());
    }

    #[test]
    fn dropping_an_armed_guard_cancels_and_disarming_does_not() {
        let g = CancelOnDrop::new();
        let t = g.token();
        drop(g);
        assert!(t.is_cancelled());
        assert!(t.check().is_err());
        let g = CancelOnDrop::new();
        let t = g.token();
        g.disarm();
        assert!(!t.is_cancelled());
    }
}
