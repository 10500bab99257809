//! The guarded worker of the HTML and PDF readers: a named thread that runs
//! one reader inside `catch_unwind` and is given up after a deadline.
//!
//! A worker that answers is joined before the reader returns, so no thread
//! of a finished extraction is still exiting behind it (issue #25: the HTML
//! fuzz target's leak check caught one with its thread-local destructor
//! record still allocated). A worker past its deadline is left to finish on
//! its own and its answer dropped.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc;
use std::time::Duration;

/// How a guarded run ended.
#[derive(Debug)]
pub(crate) enum Outcome<T> {
    /// The reader returned this.
    Done(T),
    /// The reader panicked (caught on the worker thread).
    Panicked,
    /// No answer before the deadline.
    TimedOut,
    /// The thread could not be started (out of threads or memory), or
    /// ended without an answer.
    NoWorker,
}

/// Runs `f` on a thread named `name` (with `stack` bytes of stack when
/// given) and waits at most `deadline` for it.
pub(crate) fn run<T, F>(name: &str, stack: Option<usize>, deadline: Duration, f: F) -> Outcome<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (tx, rx) = mpsc::channel();
    let mut builder = std::thread::Builder::new().name(name.into());
    if let Some(bytes) = stack {
        builder = builder.stack_size(bytes);
    }
    let worker = builder.spawn(move || {
        let result = std::panic::catch_unwind(AssertUnwindSafe(f));
        // The receiver may have given up (deadline); nothing to do then.
        let _ = tx.send(result);
    });
    let Ok(worker) = worker else {
        return Outcome::NoWorker;
    };
    match rx.recv_timeout(deadline) {
        Ok(result) => {
            // It has answered and is exiting: wait for that (its panic, if
            // any, was caught above, so the join cannot carry one).
            let _ = worker.join();
            match result {
                Ok(value) => Outcome::Done(value),
                Err(_) => Outcome::Panicked,
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => Outcome::TimedOut,
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let _ = worker.join();
            Outcome::NoWorker
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// Set when dropped, after a pause: the last thing the worker does.
    struct SlowExit(Arc<AtomicBool>);

    impl Drop for SlowExit {
        fn drop(&mut self) {
            std::thread::sleep(Duration::from_millis(100));
            self.0.store(true, Ordering::SeqCst);
        }
    }

    thread_local! {
        static EXIT: std::cell::RefCell<Option<SlowExit>> = const { std::cell::RefCell::new(None) };
    }

    #[test]
    fn a_worker_that_answers_has_exited_when_the_reader_returns_issue_25() {
        let exited = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&exited);
        // A thread-local destructor runs after the answer is sent, as the
        // one the fuzz target's leak check caught.
        let out = run("cw-test-worker", None, Duration::from_secs(30), move || {
            EXIT.with(|e| *e.borrow_mut() = Some(SlowExit(flag)));
            7
        });
        assert!(matches!(out, Outcome::Done(7)), "{out:?}");
        assert!(
            exited.load(Ordering::SeqCst),
            "the worker was still exiting"
        );
    }

    #[test]
    fn panics_and_deadlines_are_outcomes() {
        let out = run("cw-test-worker", None, Duration::from_secs(30), || -> u8 {
            panic!("reader bug")
        });
        assert!(matches!(out, Outcome::Panicked), "{out:?}");
        let out = run("cw-test-worker", None, Duration::from_millis(10), || {
            std::thread::sleep(Duration::from_millis(300));
        });
        assert!(matches!(out, Outcome::TimedOut), "{out:?}");
    }
}
