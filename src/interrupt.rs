//! The stop button: `fit`, `evaluate` and `predict` end at the end of the
//! current batch on SIGINT, as Keras' `fit` ends with a `KeyboardInterrupt`.
//!
//! In the kerust kernel Jupyter interrupts by sending SIGINT to the
//! kernel's process group (`"interrupt_mode": "signal"` in kernel.json).
//! `scripts/kernel.sh` starts evcxr_jupyter with SIGINT ignored (an ignored
//! signal stays ignored across `exec` and `fork`), so neither evcxr itself
//! nor cargo and rustc die, and the process that runs the cells starts with
//! SIGINT ignored too; it exports `KERUST_KERNEL_SIGINT=1` to say so.
//!
//! - While one of kerust's long calls runs, [`Guard`] installs a handler
//!   that only raises a flag; the call checks it after every batch and
//!   returns an [`ErrorKind::Interrupted`](crate::ErrorKind) error with the
//!   model as of the last finished batch. Every variable is kept.
//! - Outside those calls (from when a cell's library is loaded, and after a
//!   guarded call) the cell process has a handler that says on stderr what
//!   happens and what to re-run, then ends the process by SIGINT: a
//!   student's own runaway loop is still stopped, evcxr restarts the cell
//!   process and the variables are lost, as before the stop button was
//!   kept from killing it.
//!
//! Outside the kernel a guarded call installs its handler only when SIGINT
//! has its default action (Ctrl-C in a terminal) and leaves a program's own
//! handler, or an ignored SIGINT, alone.
//!
//! Every notebook cell links its own copy of kerust (docs/evcxr.md), so
//! these statics exist once per cell: the handler, the flag and the check
//! of one call all come from the copy whose `fit` runs, which is consistent.

use crate::error::{Error, ErrorKind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

static FLAG: AtomicBool = AtomicBool::new(false);
/// (number of guards alive, the disposition to put back, installed).
static STATE: Mutex<(usize, usize, bool)> = Mutex::new((0, 0, false));

#[cfg(unix)]
mod sys {
    use std::os::raw::c_int;
    pub const SIGINT: c_int = 2;
    pub const SIG_DFL: usize = 0;
    extern "C" {
        // glibc and the BSDs give signal() BSD semantics: the handler stays
        // installed and interrupted system calls restart.
        pub fn signal(signum: c_int, handler: usize) -> usize;
        pub fn raise(signum: c_int) -> c_int;
        pub fn write(fd: c_int, buf: *const u8, count: usize) -> isize;
    }
    /// What a student reads in the cell when the stop button ended it
    /// outside kerust's calls.
    const ENDED: &str = "\nkerust: stopped. Outside fit, evaluate and predict the stop button ends the process that runs the cells: every variable is gone (the next cells start a new one). Run the cells above again (Run > Run All Above Selected Cell); restore_autosave()? brings back the model of the last fit.\n";
    /// In the kernel, outside guarded calls: says what happens, then ends
    /// the cell process by SIGINT (evcxr reports it and starts a new one).
    pub extern "C" fn on_sigint_outside(_: c_int) {
        // SAFETY: write, signal and raise are async-signal-safe.
        unsafe {
            write(2, ENDED.as_ptr(), ENDED.len());
            signal(SIGINT, SIG_DFL);
            raise(SIGINT);
        }
    }
    pub extern "C" fn on_sigint(_: c_int) {
        // Only an atomic store: async-signal-safe.
        super::FLAG.store(true, super::Ordering::SeqCst);
    }
}

/// Whether this process runs notebook cells for the kerust kernel, which
/// starts it with SIGINT ignored on purpose (`scripts/kernel.sh`).
#[cfg(unix)]
fn in_kernel() -> bool {
    std::env::var_os("KERUST_KERNEL_SIGINT").is_some_and(|v| v == "1")
}

/// In the kernel (which starts the cell process with SIGINT ignored),
/// makes the stop button end a runaway cell, with a word on what to do.
#[cfg(unix)]
extern "C" fn stop_ends_runaway_cells() {
    if !in_kernel() {
        return;
    }
    let state = STATE.lock().unwrap_or_else(|e| e.into_inner());
    if state.0 == 0 {
        // SAFETY: the handler only calls async-signal-safe functions; the
        // cell library holding it stays loaded (evcxr never unloads one).
        unsafe {
            sys::signal(sys::SIGINT, sys::on_sigint_outside as *const () as usize);
        }
    }
}

// Runs when a notebook cell's library (which links kerust) is loaded.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static ON_LOAD: extern "C" fn() = stop_ends_runaway_cells;

/// Keeps the SIGINT handler installed while a long call runs; nested
/// guards (validation inside `fit`) share the outermost one's handler.
pub(crate) struct Guard(());

/// Starts watching for SIGINT until the returned guard is dropped.
pub(crate) fn guard() -> Guard {
    let mut state = STATE.lock().unwrap_or_else(|e| e.into_inner());
    if state.0 == 0 {
        FLAG.store(false, Ordering::SeqCst);
        #[cfg(unix)]
        // SAFETY: `on_sigint` only stores to an atomic; the library that
        // holds it is never unloaded while the process runs (evcxr keeps
        // every cell's library loaded).
        unsafe {
            let prev = sys::signal(sys::SIGINT, sys::on_sigint as *const () as usize);
            let ours = prev == sys::SIG_DFL || in_kernel();
            if ours {
                *state = (0, prev, true);
            } else {
                sys::signal(sys::SIGINT, prev);
                *state = (0, prev, false);
            }
        }
    }
    state.0 += 1;
    Guard(())
}

impl Drop for Guard {
    fn drop(&mut self) {
        let mut state = STATE.lock().unwrap_or_else(|e| e.into_inner());
        state.0 = state.0.saturating_sub(1);
        if state.0 == 0 && state.2 {
            state.2 = false;
            #[cfg(unix)]
            {
                // In the kernel: the runaway-cell handler (see the module docs).
                let back = if in_kernel() {
                    sys::on_sigint_outside as *const () as usize
                } else {
                    state.1
                };
                // SAFETY: puts back SIG_DFL, SIG_IGN or the handler that was there.
                unsafe {
                    sys::signal(sys::SIGINT, back);
                }
            }
        }
    }
}

/// Whether SIGINT came since the outermost guard was made.
pub(crate) fn requested() -> bool {
    FLAG.load(Ordering::SeqCst)
}

/// The error a call returns when it stopped on SIGINT; `state` says what
/// the model keeps.
pub(crate) fn stopped(call: &str, at: &str, state: &str) -> Error {
    Error::new(
        ErrorKind::Interrupted,
        format!("{call} was interrupted (stop button or Ctrl-C) {at}. {state}"),
    )
}

/// The error `fit` returns when it stopped after batch `step` (from 1) of
/// `steps` in epoch `epoch` (from 0) of `epochs`.
pub(crate) fn fit_stopped(epoch: usize, epochs: usize, step: usize, steps: usize) -> Error {
    let kept = match epoch {
        0 => "no epochs (none finished)".to_string(),
        1 => "the 1 finished epoch".to_string(),
        n => format!("the {n} finished epochs"),
    };
    stopped(
        "fit",
        &format!("in epoch {}/{epochs} after batch {step}/{steps}", epoch + 1),
        &format!(
            "The model keeps the weights after that batch and model.history() keeps {kept}; every variable is kept. Run fit again to go on training from there."
        ),
    )
}
