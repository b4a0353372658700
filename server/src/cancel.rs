//! Cancelling work whose client has gone: the engine's token, a `?`-able checkpoint on it, and
//! a guard that cancels when a request's future is dropped.

use crate::error::ApiError;

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
