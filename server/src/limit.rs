//! Who synthesizes when: at most `slots` model calls at once, a bounded queue, short lines
//! first, and cancellation of abandoned work.
//!
//! A chat line waiting behind a chapter is what users notice, so the queue is not first come,
//! first served: an [`Priority::Interactive`] request (a short text, a WebSocket utterance, an
//! analysis) goes before [`Priority::Bulk`] ones, and a bulk synthesis that holds a slot gives
//! it up between sentences while an interactive request waits ([`Slot::make_way`]), then queues
//! again. A bulk request that has waited [`PROMOTION`] counts as interactive, so bulk work is
//! delayed, never starved.

use std::ops::ControlFlow;
use std::sync::{mpsc, Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;
use yomiage_engine::{AudioQuery, Sink, StreamEnd, StreamEvent};

use crate::error::ApiError;

pub use crate::cancel::{CancelOnDrop, CancelToken, Checkpoint};

/// Texts up to this many characters (queries up to this many moras) are interactive: a chat
/// line or two; longer ones are bulk.
pub const INTERACTIVE_LENGTH: usize = 120;
/// A bulk request waiting this long is served as if interactive.
pub const PROMOTION: Duration = Duration::from_secs(10);

/// Who goes first when a slot frees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    Interactive,
    Bulk,
}

impl Priority {
    /// By length: characters of text or moras of a query.
    pub fn of_length(units: usize) -> Priority {
        if units <= INTERACTIVE_LENGTH {
            Priority::Interactive
        } else {
            Priority::Bulk
        }
    }

    /// By the moras of queries.
    pub fn of_queries<'a>(queries: impl IntoIterator<Item = &'a AudioQuery>) -> Priority {
        let moras = queries
            .into_iter()
            .flat_map(|q| &q.accent_phrases)
            .map(|p| p.moras.len())
            .sum();
        Priority::of_length(moras)
    }
}

/// How the queue is ordered: fair (the default) or first come, first served (the baseline the
/// load benchmark compares against).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scheduling {
    #[default]
    Fair,
    Fifo,
}

/// How a waiter is woken: an async request or a synthesis thread making way.
enum Wake {
    Async(oneshot::Sender<()>),
    Blocking(mpsc::Sender<()>),
}

struct Waiter {
    id: u64,
    priority: Priority,
    since: Instant,
    wake: Wake,
}

impl Waiter {
    /// Interactive, or bulk that has waited long enough.
    fn urgent(&self, now: Instant) -> bool {
        self.priority == Priority::Interactive || now.duration_since(self.since) >= PROMOTION
    }
}

struct Queue {
    free: usize,
    waiting: Vec<Waiter>,
    next_id: u64,
}

/// The synthesis slots and their queue.
pub struct Limiter {
    queue: Mutex<Queue>,
    slots: usize,
    max_queue: usize,
    scheduling: Scheduling,
}

impl Limiter {
    pub fn new(slots: usize, max_queue: usize, scheduling: Scheduling) -> Arc<Self> {
        Arc::new(Limiter {
            queue: Mutex::new(Queue {
                free: slots,
                waiting: Vec::new(),
                next_id: 0,
            }),
            slots,
            max_queue,
            scheduling,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Requests waiting for a slot now.
    pub fn queued(&self) -> usize {
        self.lock().waiting.len()
    }

    /// Slots in use now.
    pub fn running(&self) -> usize {
        self.slots - self.lock().free
    }

    /// Waits for a slot. Dropping the future (client gone, time up) leaves the queue.
    pub async fn acquire(self: &Arc<Self>, priority: Priority) -> Result<Slot, ApiError> {
        let since = Instant::now();
        let rx = {
            let mut q = self.lock();
            // A free slot is taken at once unless others are already waiting for it.
            if q.free > 0 && q.waiting.is_empty() {
                q.free -= 1;
                return Ok(self.slot(priority, since));
            }
            if q.waiting.len() >= self.max_queue {
                return Err(ApiError::busy(self.max_queue));
            }
            let (tx, rx) = oneshot::channel();
            let id = q.enqueue(priority, since, Wake::Async(tx));
            Waiting {
                limiter: self,
                id,
                rx,
                served: false,
            }
        };
        rx.wait().await?;
        Ok(self.slot(priority, since))
    }

    fn slot(self: &Arc<Self>, priority: Priority, since: Instant) -> Slot {
        Slot {
            limiter: self.clone(),
            priority,
            since,
            held: true,
        }
    }

    /// A slot comes back: it goes to the first waiter in order, else it is free.
    fn release(&self, q: &mut Queue) {
        while let Some(i) = self.next(q) {
            let w = q.waiting.remove(i);
            let sent = match w.wake {
                Wake::Async(tx) => tx.send(()).is_ok(),
                Wake::Blocking(tx) => tx.send(()).is_ok(),
            };
            if sent {
                return;
            }
        }
        q.free += 1;
    }

    /// The waiter served next: urgent ones first (fair), then by arrival.
    fn next(&self, q: &Queue) -> Option<usize> {
        let now = Instant::now();
        let key = |w: &Waiter| match self.scheduling {
            Scheduling::Fair => (!w.urgent(now), w.since),
            Scheduling::Fifo => (false, w.since),
        };
        (0..q.waiting.len()).min_by_key(|&i| key(&q.waiting[i]))
    }
}

impl Queue {
    fn enqueue(&mut self, priority: Priority, since: Instant, wake: Wake) -> u64 {
        self.next_id += 1;
        let id = self.next_id;
        self.waiting.push(Waiter {
            id,
            priority,
            since,
            wake,
        });
        id
    }

    /// Takes waiter `id` out of the queue; false if it was already served.
    fn leave(&mut self, id: u64) -> bool {
        match self.waiting.iter().position(|w| w.id == id) {
            Some(i) => {
                self.waiting.remove(i);
                true
            }
            None => false,
        }
    }
}

/// An async request in the queue; dropped before it is served, it leaves the queue, and a slot
/// handed to it in the meantime is passed on.
struct Waiting<'a> {
    limiter: &'a Limiter,
    id: u64,
    rx: oneshot::Receiver<()>,
    served: bool,
}

impl Waiting<'_> {
    async fn wait(mut self) -> Result<(), ApiError> {
        (&mut self.rx)
            .await
            .map_err(|_| ApiError::internal("the server is shutting down"))?;
        self.served = true;
        Ok(())
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        if self.served {
            return;
        }
        let mut q = self.limiter.lock();
        if !q.leave(self.id) {
            // Served just as the request gave up: the slot goes on to the next one.
            self.limiter.release(&mut q);
        }
    }
}

/// A synthesis slot, returned to the queue when dropped.
pub struct Slot {
    limiter: Arc<Limiter>,
    priority: Priority,
    since: Instant,
    /// False while it has made way and waits to come back.
    held: bool,
}

impl Slot {
    /// Between sentences of a bulk synthesis: if an urgent request is waiting, hands it this
    /// slot and blocks until the slot comes back in turn (keeping this request's place by its
    /// arrival). Blocking: call it from the synthesis thread. Returns early once `cancel` is
    /// set, possibly without a slot (the work then stops at its next check).
    pub fn make_way(&mut self, cancel: &CancelToken) {
        if !self.held
            || self.priority != Priority::Bulk
            || self.limiter.scheduling == Scheduling::Fifo
        {
            return;
        }
        let (tx, rx) = mpsc::channel();
        let id = {
            let mut q = self.limiter.lock();
            let now = Instant::now();
            if !q.waiting.iter().any(|w| w.urgent(now)) {
                return;
            }
            let id = q.enqueue(self.priority, self.since, Wake::Blocking(tx));
            self.limiter.release(&mut q);
            self.held = false;
            id
        };
        tracing::debug!("a bulk synthesis makes way for an interactive request");
        loop {
            match rx.recv_timeout(Duration::from_millis(50)) {
                Ok(()) => break,
                Err(mpsc::RecvTimeoutError::Timeout) if cancel.is_cancelled() => {
                    // Still queued: leave without a slot. Already served: keep it.
                    if self.limiter.lock().leave(id) {
                        return;
                    }
                    break;
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
        }
        self.held = true;
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if self.held {
            let mut q = self.limiter.lock();
            self.limiter.release(&mut q);
        }
    }
}

/// A sink that makes way between the sentences of a bulk synthesis ([`Slot::make_way`]).
pub(crate) struct Fair<'a, S> {
    pub inner: S,
    slot: &'a mut Slot,
    cancel: CancelToken,
}

impl<'a, S> Fair<'a, S> {
    pub fn new(inner: S, slot: &'a mut Slot, cancel: &CancelToken) -> Self {
        Fair {
            inner,
            slot,
            cancel: cancel.clone(),
        }
    }
}

impl<S: Sink> Sink for Fair<'_, S> {
    fn event(&mut self, event: StreamEvent) -> ControlFlow<()> {
        if let StreamEvent::Sentence { index, .. } = &event {
            if *index > 0 {
                self.slot.make_way(&self.cancel);
            }
        }
        self.inner.event(event)
    }

    fn end(&mut self, end: &StreamEnd) {
        self.inner.end(end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn queued_until(l: &Limiter, n: usize) {
        while l.queued() != n {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test]
    async fn the_queue_is_bounded_and_leaving_it_frees_a_place() {
        let l = Limiter::new(1, 1, Scheduling::Fair);
        let held = l.acquire(Priority::Bulk).await.unwrap();
        assert_eq!(l.running(), 1);
        // One may wait...
        let l2 = l.clone();
        let waiter = tokio::spawn(async move { l2.acquire(Priority::Bulk).await.map(|_| ()) });
        queued_until(&l, 1).await;
        // ...a second is refused at once.
        let err = l.acquire(Priority::Interactive).await.err().unwrap();
        assert_eq!(err.status(), axum::http::StatusCode::SERVICE_UNAVAILABLE);
        // The waiter gives up (client gone): its place is freed.
        waiter.abort();
        let _ = waiter.await;
        assert_eq!(l.queued(), 0);
        drop(held);
        assert_eq!(l.running(), 0);
        assert!(l.acquire(Priority::Bulk).await.is_ok());
    }

    /// Who is served when the one slot frees, in each scheduling.
    async fn order(scheduling: Scheduling) -> Vec<&'static str> {
        let l = Limiter::new(1, 8, scheduling);
        let held = l.acquire(Priority::Bulk).await.unwrap();
        let served = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for (name, p) in [
            ("bulk 1", Priority::Bulk),
            ("bulk 2", Priority::Bulk),
            ("chat", Priority::Interactive),
        ] {
            let (l2, s) = (l.clone(), served.clone());
            tasks.push(tokio::spawn(async move {
                let slot = l2.acquire(p).await.unwrap();
                s.lock().unwrap().push(name);
                drop(slot);
            }));
            let n = tasks.len();
            queued_until(&l, n).await;
        }
        drop(held);
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(l.running(), 0);
        let v = served.lock().unwrap().clone();
        v
    }

    #[tokio::test]
    async fn a_chat_line_goes_before_waiting_bulk_work_unless_fifo() {
        assert_eq!(order(Scheduling::Fair).await, ["chat", "bulk 1", "bulk 2"]);
        assert_eq!(order(Scheduling::Fifo).await, ["bulk 1", "bulk 2", "chat"]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn bulk_work_makes_way_between_sentences_and_gets_its_slot_back() {
        let l = Limiter::new(1, 8, Scheduling::Fair);
        let mut bulk = l.acquire(Priority::Bulk).await.unwrap();
        let cancel = CancelToken::new();
        // Nobody waits: making way keeps the slot.
        bulk.make_way(&cancel);
        assert_eq!((l.running(), l.queued()), (1, 0));
        let l2 = l.clone();
        let chat = tokio::spawn(async move {
            let slot = l2.acquire(Priority::Interactive).await.unwrap();
            tokio::time::sleep(Duration::from_millis(100)).await;
            drop(slot);
        });
        queued_until(&l, 1).await;
        // The bulk synthesis thread hands its slot over and blocks until the chat is done.
        let t = Instant::now();
        let bulk = tokio::task::spawn_blocking(move || {
            bulk.make_way(&cancel);
            bulk
        })
        .await
        .unwrap();
        // Back only once the chat (100 ms) let go of the slot.
        assert!(t.elapsed() >= Duration::from_millis(100));
        chat.await.unwrap();
        assert_eq!(l.running(), 1);
        drop(bulk);
        assert_eq!(l.running(), 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn cancelled_while_making_way_leaves_the_queue_without_a_slot() {
        let l = Limiter::new(1, 8, Scheduling::Fair);
        let mut bulk = l.acquire(Priority::Bulk).await.unwrap();
        let chat = l.clone();
        let chat = tokio::spawn(async move { chat.acquire(Priority::Interactive).await.unwrap() });
        queued_until(&l, 1).await;
        let cancel = CancelToken::new();
        let c2 = cancel.clone();
        let waiting = tokio::task::spawn_blocking(move || {
            bulk.make_way(&c2);
            bulk
        });
        // The chat holds the slot; the bulk work waits in the queue, then is cancelled.
        let chat_slot = chat.await.unwrap();
        queued_until(&l, 1).await;
        cancel.cancel();
        let bulk = waiting.await.unwrap();
        assert_eq!((l.running(), l.queued()), (1, 0));
        drop(bulk);
        assert_eq!(l.running(), 1, "a slot it did not hold was returned");
        drop(chat_slot);
        assert_eq!(l.running(), 0);
    }
}
