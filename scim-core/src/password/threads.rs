//! A few threads of our own for CPU-heavy work, awaited from any async runtime.
//!
//! Hashing a password costs tens of milliseconds of CPU and 19 MiB of memory. Run on an
//! async worker it would stall every request that worker serves (actix-web runs one
//! single-threaded runtime per worker); run on tokio's blocking pool (up to 512 threads)
//! a burst of requests could hold 512 × 19 MiB. A fixed, small set of threads fed by a
//! queue keeps both bounded and needs no runtime: the caller awaits a oneshot channel.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};

use futures_channel::oneshot;

use super::PasswordError;

type Job = Box<dyn FnOnce() + Send>;

/// Up to `max` threads, started on demand and stopped when the value is dropped.
pub(super) struct WorkerThreads {
    max: usize,
    state: Mutex<State>,
}

struct State {
    sender: Sender<Job>,
    receiver: Arc<Mutex<Receiver<Job>>>,
    started: usize,
}

impl std::fmt::Debug for WorkerThreads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerThreads")
            .field("max", &self.max)
            .finish_non_exhaustive()
    }
}

impl WorkerThreads {
    /// A set of at most `max` threads (at least one); none is started yet.
    pub(super) fn new(max: usize) -> Self {
        let (sender, receiver) = channel();
        Self {
            max: max.max(1),
            state: Mutex::new(State {
                sender,
                receiver: Arc::new(Mutex::new(receiver)),
                started: 0,
            }),
        }
    }

    /// The most threads this set runs.
    pub(super) fn max(&self) -> usize {
        self.max
    }

    /// Runs `work` on one of the threads and waits for its result without blocking the
    /// caller's thread. Jobs beyond the threads' number wait in a queue, in order.
    pub(super) async fn run<T, W>(&self, work: W) -> Result<T, PasswordError>
    where
        T: Send + 'static,
        W: FnOnce() -> T + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            // The caller may have gone away (a dropped request): nothing to tell then.
            let _ = tx.send(work());
        });
        self.submit(job)?;
        rx.await.map_err(|_| {
            PasswordError::Failed("the hashing thread stopped before it answered".into())
        })
    }

    fn submit(&self, job: Job) -> Result<(), PasswordError> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.started < self.max {
            let receiver = Arc::clone(&state.receiver);
            let spawned = std::thread::Builder::new()
                .name("scim-password-hash".into())
                .spawn(move || work(&receiver));
            match spawned {
                Ok(_) => state.started += 1,
                // Threads already running will take the job; with none, say so.
                Err(e) if state.started == 0 => {
                    return Err(PasswordError::Failed(format!(
                        "cannot start a hashing thread: {e}"
                    )));
                }
                Err(_) => {}
            }
        }
        state
            .sender
            .send(job)
            .map_err(|_| PasswordError::Failed("the hashing threads have stopped".into()))
    }
}

/// A thread's loop: take the next job, run it, until every sender is gone.
fn work(receiver: &Mutex<Receiver<Job>>) {
    loop {
        let next = receiver
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .recv();
        let Ok(job) = next else {
            return;
        };
        // A panicking job drops its result sender (its caller gets an error); the
        // thread goes on serving the others.
        let _ = catch_unwind(AssertUnwindSafe(job));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::password::tests::block_on;

    #[test]
    fn work_runs_off_the_callers_thread_and_answers() {
        let threads = WorkerThreads::new(2);
        let caller = std::thread::current().id();
        let (answer, ran_on) =
            block_on(threads.run(|| (6 * 7, std::thread::current().id()))).unwrap();
        assert_eq!(answer, 42);
        assert_ne!(ran_on, caller);
    }

    #[test]
    fn no_more_threads_than_the_maximum_are_started() {
        let threads = WorkerThreads::new(2);
        let names = block_on(async {
            let mut names = std::collections::HashSet::new();
            for _ in 0..20 {
                let id = threads.run(|| std::thread::current().id()).await.unwrap();
                names.insert(id);
            }
            names
        });
        assert!(names.len() <= 2, "{} threads ran the jobs", names.len());
        assert_eq!(threads.max(), 2);
        assert_eq!(WorkerThreads::new(0).max(), 1);
    }

    #[test]
    fn a_panicking_job_fails_alone() {
        let threads = WorkerThreads::new(1);
        let failed = block_on(threads.run(|| -> u8 { panic!("boom") }));
        assert!(matches!(failed, Err(PasswordError::Failed(_))));
        // The one thread survived and serves the next job.
        assert_eq!(block_on(threads.run(|| 7)).unwrap(), 7);
    }

    #[test]
    fn queued_jobs_all_complete() {
        let threads = Arc::new(WorkerThreads::new(2));
        let done = Arc::new(AtomicUsize::new(0));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .build()
            .unwrap();
        runtime.block_on(async {
            // Sixteen callers at once: two run, the others wait in the queue.
            let tasks: Vec<_> = (0..16)
                .map(|_| {
                    let (threads, done) = (Arc::clone(&threads), Arc::clone(&done));
                    tokio::spawn(async move {
                        threads
                            .run(move || {
                                std::thread::sleep(std::time::Duration::from_millis(1));
                                done.fetch_add(1, Ordering::SeqCst);
                            })
                            .await
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap().unwrap();
            }
        });
        assert_eq!(done.load(Ordering::SeqCst), 16);
    }
}
