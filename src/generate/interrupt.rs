//! Holding off SIGINT, SIGTERM and SIGHUP while a migration is written.
//!
//! Killed midway, `generate` would leave a staging directory, or some files
//! of a migration without the others. While a [`Deferred`] guard lives, these
//! signals only note themselves ([`pending`]); the writer looks at
//! [`check`] between its steps, and on a signal undoes what it did. When the
//! guard goes, the signals' previous actions come back and a noted signal is
//! raised again, so the process ends as it would have, by that signal, but
//! with the directory as it was before or with the complete migration.
//!
//! Written by hand on `libc` rather than with a signal crate: the guard must
//! put back exactly the action it found (SIG_DFL, a handler of the program
//! embedding the library, or SIG_IGN for `nohup` and background jobs, which
//! it leaves alone), and signal-hook's registry never gives a signal back.
//! The handler does one atomic store, which is async-signal-safe.

use crate::error::{Error, Result};

/// Whether a signal has arrived since the outermost guard was made.
pub fn pending() -> bool {
    imp::pending() != 0
}

/// An error when a signal has arrived: the writer then undoes its work.
pub fn check() -> Result<()> {
    match imp::pending() {
        0 => Ok(()),
        signal => Err(Error::io(format!("interrupted by {}; the migration was not written", name(signal)))),
    }
}

fn name(signal: i32) -> String {
    #[cfg(unix)]
    match signal {
        libc::SIGINT => return "SIGINT".into(),
        libc::SIGTERM => return "SIGTERM".into(),
        libc::SIGHUP => return "SIGHUP".into(),
        _ => {}
    }
    format!("signal {signal}")
}

/// Holds the signals off until dropped; see the module documentation.
/// Guards nest (and may live on several threads): the signals come back
/// when the last one goes.
#[must_use = "the signals are held off only while the guard lives"]
pub struct Deferred {
    _private: (),
}

impl Deferred {
    pub fn new() -> Deferred {
        imp::hold();
        Deferred { _private: () }
    }
}

impl Default for Deferred {
    fn default() -> Deferred {
        Deferred::new()
    }
}

impl Drop for Deferred {
    fn drop(&mut self) {
        imp::release();
    }
}

#[cfg(unix)]
mod imp {
    use std::sync::atomic::{AtomicI32, Ordering};
    use std::sync::{Mutex, MutexGuard};

    /// The signals held off: Ctrl-C, `kill`'s default, and a closed terminal.
    const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

    /// The first signal noted, or 0.
    static PENDING: AtomicI32 = AtomicI32::new(0);

    /// How many guards live, and the actions found when the first was made.
    static STATE: Mutex<State> = Mutex::new(State { depth: 0, saved: Vec::new() });

    struct State {
        depth: usize,
        saved: Vec<Saved>,
    }

    /// A signal and the action it had. `libc::sigaction` holds a raw pointer
    /// on some platforms (the restorer), which makes it `!Send`; it is
    /// plain data handed back to the kernel, never dereferenced here.
    struct Saved(libc::c_int, libc::sigaction);
    unsafe impl Send for Saved {}

    extern "C" fn note(signal: libc::c_int) {
        // Only the first signal counts; an atomic store is async-signal-safe.
        let _ = PENDING.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst);
    }

    fn state() -> MutexGuard<'static, State> {
        // A panic while holding the lock leaves plain data behind: go on.
        STATE.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn pending() -> i32 {
        PENDING.load(Ordering::SeqCst)
    }

    pub fn hold() {
        let mut state = state();
        state.depth += 1;
        if state.depth > 1 {
            return;
        }
        PENDING.store(0, Ordering::SeqCst);
        for signal in SIGNALS {
            // SAFETY: sigaction with valid pointers to zeroed (valid) structs;
            // the handler only touches an atomic.
            unsafe {
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(signal, std::ptr::null(), &mut old) != 0 || old.sa_sigaction == libc::SIG_IGN {
                    // Ignored on purpose (nohup, a background job): keep it so.
                    continue;
                }
                let mut new: libc::sigaction = std::mem::zeroed();
                new.sa_sigaction = note as extern "C" fn(libc::c_int) as libc::sighandler_t;
                libc::sigemptyset(&mut new.sa_mask);
                // Interrupted reads and writes resume rather than fail.
                new.sa_flags = libc::SA_RESTART;
                if libc::sigaction(signal, &new, &mut old) == 0 {
                    state.saved.push(Saved(signal, old));
                }
            }
        }
    }

    pub fn release() {
        let mut state = state();
        state.depth -= 1;
        if state.depth > 0 {
            return;
        }
        for Saved(signal, old) in state.saved.drain(..) {
            // SAFETY: puts back the action sigaction itself returned.
            unsafe {
                libc::sigaction(signal, &old, std::ptr::null_mut());
            }
        }
        drop(state);
        let signal = PENDING.swap(0, Ordering::SeqCst);
        if signal != 0 && !std::thread::panicking() {
            // SAFETY: raise has no preconditions. With the default action
            // back, this ends the process the way the signal would have.
            unsafe {
                libc::raise(signal);
            }
        }
    }
}

/// Held by the unit tests that make guards: the signal actions are
/// process-wide, and the test below must find none but its own.
#[cfg(test)]
pub(crate) static TEST_GUARDS: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[cfg(not(unix))]
mod imp {
    pub fn pending() -> i32 {
        0
    }
    pub fn hold() {}
    pub fn release() {}
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_signal_is_noted_then_given_back_to_the_previous_handler() {
        // A handler of our own stands for "the program embedding the library".
        static SEEN: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);
        extern "C" fn seen(signal: libc::c_int) {
            SEEN.store(signal, std::sync::atomic::Ordering::SeqCst);
        }
        // SIGHUP: the other tests of this binary neither send nor expect it.
        let _alone = TEST_GUARDS.lock().unwrap_or_else(|e| e.into_inner());
        unsafe {
            let mut own: libc::sigaction = std::mem::zeroed();
            own.sa_sigaction = seen as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::sigemptyset(&mut own.sa_mask);
            libc::sigaction(libc::SIGHUP, &own, std::ptr::null_mut());
        }
        {
            let _outer = Deferred::new();
            {
                let _inner = Deferred::new();
                unsafe { libc::raise(libc::SIGHUP) };
                assert!(pending());
                assert!(check().unwrap_err().to_string().contains("interrupted by SIGHUP"));
            }
            assert_eq!(SEEN.load(std::sync::atomic::Ordering::SeqCst), 0, "held while a guard lives");
        }
        assert_eq!(SEEN.load(std::sync::atomic::Ordering::SeqCst), libc::SIGHUP, "raised again once the last guard goes");
        assert!(!pending());
        unsafe {
            libc::signal(libc::SIGHUP, libc::SIG_DFL);
        }
    }
}
